"""Retrain the reward model and the aligned model whenever new feedback files land."""

import hashlib
import json
import os

import dagster as dg

from flywheel.feedback.ingest import FeedbackLog
from jobs.feedback_loop import feedback_loop_job
from orchestration.resources import StorageResource
from orchestration.sensor_retries import next_attempt
from orchestration.sensor_run_config import sensor_run_config

INTERVAL_SECONDS = int(os.environ.get("FLYWHEEL_FEEDBACK_SENSOR_INTERVAL", "30"))
MAX_RUN_ATTEMPTS = int(os.environ.get("FLYWHEEL_SENSOR_MAX_RUN_ATTEMPTS", "3"))
RUN_CONFIG_VARIABLE = "FLYWHEEL_FEEDBACK_LOOP_RUN_CONFIG"
# Files whose mtime is this much older than the watermark are still looked at: a writer may finish
# (rename) a file a little after its last write.
SLACK_SECONDS = 3600.0


def base_run_key(signatures: list[str]) -> str:
    """The same set of pending files always gives the same key, so a repeated tick requests no second run."""
    return "feedback:" + hashlib.sha256("\n".join(sorted(signatures)).encode()).hexdigest()[:16]


@dg.sensor(
    name="feedback_sensor",
    job=feedback_loop_job,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Polls `landing/feedback/` (every FLYWHEEL_FEEDBACK_SENSOR_INTERVAL seconds, default 30) and "
                "requests one `feedback_loop` run for every file not yet in the ingestion ledger. A file counts "
                "as handled only once it is ingested (the ledger is the truth), so a failed run's files are "
                "requested again, up to FLYWHEEL_SENSOR_MAX_RUN_ATTEMPTS (3) runs, then the sensor logs an "
                "error and says why it skips them. The cursor is one watermark: every file modified before "
                "it is ingested. The runs take their config (training steps, model preset) from the YAML file "
                "that FLYWHEEL_FEEDBACK_LOOP_RUN_CONFIG names, as the launchpad would; unset: the defaults.",
)
def feedback_sensor(context: dg.SensorEvaluationContext, storage: StorageResource):
    watermark = json.loads(context.cursor)["watermark"] if context.cursor else 0.0
    candidates = [f for f in storage.landing().list_feedback_files() if f.mtime > watermark - SLACK_SECONDS]
    ingested = {row["signature"] for row in FeedbackLog(storage.lake()).ledger(since=watermark - SLACK_SECONDS)}
    pending = [f for f in candidates if f.signature not in ingested]
    # The watermark moves up to the newest file that is older than every pending one.
    oldest_pending = min((f.mtime for f in pending), default=float("inf"))
    cursor = json.dumps({"watermark": max([watermark, *(f.mtime for f in candidates if f.mtime < oldest_pending)])})
    if not pending:
        return dg.SensorResult(skip_reason=dg.SkipReason("No feedback files waiting for ingestion."), cursor=cursor)
    attempt = next_attempt(context.instance, base_run_key([f.signature for f in pending]), MAX_RUN_ATTEMPTS)
    names = [f.name for f in pending]
    if attempt.gave_up:
        context.log.error(f"{len(pending)} feedback files were not ingested by {attempt.number} runs; giving up "
                          f"until they change: {names}")
        return dg.SensorResult(skip_reason=dg.SkipReason(
            f"Gave up on {len(pending)} files after {attempt.number} failed runs (see the runs tagged "
            f"{attempt.run_key}); fix or replace the files to retry: {names}"), cursor=cursor)
    if attempt.in_progress:
        return dg.SensorResult(skip_reason=dg.SkipReason(
            f"Waiting for run {attempt.run_key} on {len(pending)} files."), cursor=cursor)
    context.log.info(f"{len(pending)} feedback files to ingest (attempt {attempt.number}): {names}")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=attempt.run_key,
                                                       run_config=sensor_run_config(RUN_CONFIG_VARIABLE),
                                                       tags={"flywheel/feedback_files": str(len(pending)),
                                                             "flywheel/attempt": str(attempt.number)})],
                           cursor=cursor)
