"""Retrain the reward model and the aligned model whenever new feedback files land."""

import hashlib
import json
import os

import dagster as dg

from flywheel.feedback.ingest import FeedbackLog
from jobs.feedback_loop import feedback_loop_job
from orchestration.resources import StorageResource

INTERVAL_SECONDS = int(os.environ.get("FLYWHEEL_FEEDBACK_SENSOR_INTERVAL", "30"))


def run_key(signatures: list[str]) -> str:
    """The same set of new files always gives the same key, so a repeated tick requests no second run."""
    return "feedback:" + hashlib.sha256("\n".join(sorted(signatures)).encode()).hexdigest()[:16]


@dg.sensor(
    name="feedback_sensor",
    job=feedback_loop_job,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Polls `landing/feedback/` (every FLYWHEEL_FEEDBACK_SENSOR_INTERVAL seconds, default 30) and "
                "requests one `feedback_loop` run for all files that are new since the last tick. The cursor "
                "holds the files already handled (name, size, mtime); files an ingestion already read are "
                "not new; run keys make a repeated tick a no-op.",
)
def feedback_sensor(context: dg.SensorEvaluationContext, storage: StorageResource):
    handled = set(json.loads(context.cursor)) if context.cursor else set()
    files = storage.landing().list_feedback_files()
    unseen = [f for f in files if f.signature not in handled]
    if not unseen:
        return dg.SkipReason(f"No new feedback files ({len(handled)} already handled).")
    # Files ingested without the sensor (a manual materialization) need no run.
    ingested = {row["signature"] for row in FeedbackLog(storage.lake()).ledger()}
    new = [f for f in unseen if f.signature not in ingested]
    cursor = json.dumps(sorted(handled | {f.signature for f in unseen}))
    if not new:
        return dg.SensorResult(skip_reason=dg.SkipReason(f"{len(unseen)} files already ingested"), cursor=cursor)
    context.log.info(f"{len(new)} new feedback files: {[f.name for f in new]}")
    return dg.SensorResult(run_requests=[dg.RunRequest(run_key=run_key([f.signature for f in new]),
                                                       tags={"flywheel/feedback_files": str(len(new))})],
                           cursor=cursor)
