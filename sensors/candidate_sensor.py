"""Evaluate every new chat-model candidate: the feedback loop ends in a verdict, not a silently
replaced model."""

import os

import dagster as dg

from flywheel.registry import ModelRegistry
from jobs.evaluation import evaluation_job
from orchestration.partitions import model_candidate_partitions
from orchestration.resources import StorageResource
from orchestration.sensor_retries import next_attempt

INTERVAL_SECONDS = int(os.environ.get("FLYWHEEL_CANDIDATE_SENSOR_INTERVAL", "30"))
MAX_RUN_ATTEMPTS = int(os.environ.get("FLYWHEEL_SENSOR_MAX_RUN_ATTEMPTS", "3"))
FAMILY = "chat_model"


@dg.sensor(
    name="candidate_sensor",
    job=evaluation_job,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches the model registry (every FLYWHEEL_CANDIDATE_SENSOR_INTERVAL seconds, default 30): when "
                "the chat_model `candidate` alias names a version with no evaluation yet, adds it as a "
                "`model_candidate` partition and requests an `evaluation` run for it. A version counts as done "
                "once its scorecard is in the registry, so a failed run is requested again, up to "
                "FLYWHEEL_SENSOR_MAX_RUN_ATTEMPTS (3) runs.",
)
def candidate_sensor(context: dg.SensorEvaluationContext, storage: StorageResource):
    registry = ModelRegistry(storage.models(), FAMILY)
    candidate = registry.alias("candidate")
    if candidate is None or registry.scorecard(candidate) is not None:
        return dg.SkipReason(f"No {FAMILY} candidate waiting for evaluation.")
    key = str(candidate)
    attempt = next_attempt(context.instance, f"evaluate:{key}", MAX_RUN_ATTEMPTS)
    if attempt.gave_up:
        context.log.error(f"{attempt.number} evaluation runs of {key} failed; giving up until a new candidate")
        return dg.SkipReason(f"Gave up on {key} after {attempt.number} failed runs (see runs tagged "
                             f"{attempt.run_key}); `flywheel models evaluate` retries it.")
    if attempt.in_progress:
        return dg.SkipReason(f"Waiting for run {attempt.run_key} of {key}.")
    new_partition = not context.instance.has_dynamic_partition(model_candidate_partitions.name, key)
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=attempt.run_key, partition_key=key,
                                    tags={"flywheel/attempt": str(attempt.number)})],
        dynamic_partitions_requests=[model_candidate_partitions.build_add_request([key])] if new_partition else [])
