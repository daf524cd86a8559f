"""The canary controller: step a healthy canary's share up and finally promote it; abort a bad one."""

import json
import os

import dagster as dg

from flywheel.datasets import PRODUCTION_MODEL
from flywheel.registry import ModelRegistry
from flywheel.serving.canary_analysis import ABORT, PROMOTE, STEP, WAIT, decide, window
from orchestration.partitions import model_candidate_partitions
from orchestration.resources import ServingResource, StorageResource

INTERVAL_SECONDS = int(os.environ.get("FLYWHEEL_CANARY_SENSOR_INTERVAL", "30"))
FAMILY = "chat_model"


@dg.sensor(
    name="canary_rollout",
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Analyses the live chat_model canary from the model server's `/v1/stats` (every "
                "FLYWHEEL_CANARY_SENSOR_INTERVAL seconds, default 30). Each share of traffic is one analysis "
                "window: once the canary has had `min_requests` requests in it, a healthy canary (error, fallback, "
                "p95-latency, thumbs-up and moderation-flag rates within the `serving` resource's limits) steps "
                "up by `step_percent`, and at `max_percent` becomes production; an unhealthy one is aborted and "
                "traffic returns to production. Every decision is a registry history entry with its "
                "measurements, and an observation of `production_model` for the canary's partition.",
)
def canary_rollout(context: dg.SensorEvaluationContext, storage: StorageResource, serving: ServingResource):
    registry = ModelRegistry(storage.models(), FAMILY)
    canary = registry.alias("canary")
    if canary is None:
        return dg.SensorResult(skip_reason=dg.SkipReason("No canary is live."), cursor="")
    try:
        stats = serving.stats()
    except (OSError, ValueError) as error:
        return dg.SkipReason(f"Model server at {serving.url} did not answer: {error}")
    percent = registry.canary_percent()
    step = f"{canary}@{percent:g}"
    cursor = json.loads(context.cursor) if context.cursor else {}
    if cursor.get("step") != step:  # a new canary or a new share: its analysis window starts now
        return dg.SensorResult(skip_reason=dg.SkipReason(f"Canary {canary} at {percent:g}%: analysis window starts."),
                               cursor=json.dumps({"step": step, "baseline": stats["versions"]}))
    if stats["served"].get("canary") != str(canary):
        return dg.SkipReason(f"The model server does not serve {canary} yet (it serves {stats['served']}).")
    production = str(registry.alias("production"))
    decision = decide(window(stats["versions"].get(str(canary)), cursor["baseline"].get(str(canary))),
                      window(stats["versions"].get(production), cursor["baseline"].get(production)),
                      percent, serving.policy())
    if decision.action == WAIT:
        return dg.SkipReason(f"Canary {canary} at {percent:g}%: {decision.reason}.")
    details = {"analysis": decision.measurements}
    reason = f"canary analysis: {decision.reason}"
    if decision.action == STEP:
        registry.set_canary_percent(decision.percent, reason, details=details)
    elif decision.action == PROMOTE:
        registry.promote_canary(reason, details=details)
    elif decision.action == ABORT:
        registry.abort_canary(reason, details=details)
    (context.log.warning if decision.action == ABORT else context.log.info)(f"canary {canary}: {decision.action}: "
                                                                              f"{decision.reason}")
    partition = str(canary) if context.instance.has_dynamic_partition(
        model_candidate_partitions.name, str(canary)) else None
    observation = dg.AssetObservation(asset_key=PRODUCTION_MODEL, partition=partition, metadata={
        "canary_decision": decision.action, "canary": str(canary), "percent_before": percent,
        "percent_after": decision.percent, "reason": decision.reason,
        "canary_window": dg.MetadataValue.json(decision.measurements["canary"]),
        "production_window": dg.MetadataValue.json(decision.measurements["production"])})
    return dg.SensorResult(asset_events=[observation], cursor="")
