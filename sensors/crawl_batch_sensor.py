"""Start curation whenever a new crawl batch folder lands, and again when its run failed."""

import os

import dagster as dg

# No public API lists backfills and their targets yet.
from dagster._core.execution.backfill import BulkActionsFilter, BulkActionStatus
from dagster._core.storage.dagster_run import NOT_FINISHED_STATUSES

from flywheel.datasets import DEDUPLICATED_DOCS
from jobs.curation import curation_job
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import StorageResource
from orchestration.sensor_retries import next_attempt
from orchestration.sensor_run_config import sensor_run_config

PARTITION_TAG = "dagster/partition"
DEDUPLICATED_DOCS_KEY = dg.AssetKey(DEDUPLICATED_DOCS)
INTERVAL_SECONDS = int(os.environ.get("FLYWHEEL_CRAWL_SENSOR_INTERVAL", "30"))
MAX_RUN_ATTEMPTS = int(os.environ.get("FLYWHEEL_SENSOR_MAX_RUN_ATTEMPTS", "3"))
RUN_CONFIG_VARIABLE = "FLYWHEEL_CURATION_RUN_CONFIG"


def base_run_key(batch: str) -> str:
    return f"crawl_batch:{batch}"


def batches_in_flight(instance: dg.DagsterInstance) -> set[str]:
    """Batches that an unfinished run (queued or running, whoever launched it), or a backfill still
    in progress, is curating: a run requested for them now would curate them twice."""
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=list(NOT_FINISHED_STATUSES)))
    batches = {run.tags[PARTITION_TAG] for run in runs if PARTITION_TAG in run.tags}
    # A backfill submits its runs over several daemon iterations; its targets count before that.
    for backfill in instance.get_backfills(filters=BulkActionsFilter(statuses=[BulkActionStatus.REQUESTED])):
        targets = backfill.asset_backfill_data
        if not backfill.is_asset_backfill:
            if backfill.job_name == curation_job.name:
                batches |= set(backfill.partition_names or [])
        elif targets is not None and DEDUPLICATED_DOCS_KEY in (backfill.asset_selection or []):
            # Its target subset may list only the roots it starts from; their batches are the ones.
            batches |= {key.partition_key for key in targets.target_subset.iterate_asset_partitions()}
    return batches


@dg.sensor(
    name="crawl_batch_sensor",
    job=curation_job,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Polls `landing/crawl/` (every FLYWHEEL_CRAWL_SENSOR_INTERVAL seconds, default 30), registers each "
                "new folder as a `crawl_batch` partition and requests "
                "a curation run for every batch whose `deduplicated_docs` partition is not published yet (the "
                "lake is the truth: batches curated from the CLI or a backfill are not rerun) and that no queued "
                "or running run or backfill is curating. A failed run's batch is requested again, up to "
                "FLYWHEEL_SENSOR_MAX_RUN_ATTEMPTS (3) runs (run keys `crawl_batch:<batch>`, then "
                "`...:retry-<n>`), then the sensor logs an error and says why it skips the batch. It keeps no "
                "cursor: the lake and the instance's runs and backfills hold the state. The runs take their "
                "config (filter thresholds, dedup settings) from the YAML file that FLYWHEEL_CURATION_RUN_CONFIG "
                "names, as the launchpad would; unset: the defaults.",
)
def crawl_batch_sensor(context: dg.SensorEvaluationContext, storage: StorageResource):
    lake = storage.lake()
    batches = storage.landing().list_crawl_batches()
    registered = set(context.instance.get_dynamic_partitions(crawl_batch_partitions.name))
    to_register = [b for b in batches if b not in registered]
    partitions = [crawl_batch_partitions.build_add_request(to_register)] if to_register else []
    requests, waiting, given_up = [], [], []
    pending = [b for b in batches if not lake.has_partition(DEDUPLICATED_DOCS, b)]
    in_flight = batches_in_flight(context.instance) if pending else set()
    run_config = sensor_run_config(RUN_CONFIG_VARIABLE) if pending else {}
    for batch in pending:
        if batch in in_flight:  # this sensor's earlier run, a backfill's, or one from the UI or CLI
            waiting.append(batch)
            continue
        attempt = next_attempt(context.instance, base_run_key(batch), MAX_RUN_ATTEMPTS)
        if attempt.gave_up:
            given_up.append(batch)
        else:
            requests.append(dg.RunRequest(run_key=attempt.run_key, partition_key=batch, run_config=run_config,
                                          tags={"flywheel/attempt": str(attempt.number)}))
    if given_up:
        context.log.error(f"Crawl batches not curated after {MAX_RUN_ATTEMPTS} failed runs, given up until "
                          f"curated by hand: {given_up}")
    if requests:
        context.log.info(f"Curating crawl batches: {[r.partition_key for r in requests]}")
        return dg.SensorResult(run_requests=requests, dynamic_partitions_requests=partitions)
    reason = (f"Gave up on {given_up} after {MAX_RUN_ATTEMPTS} failed runs each (see their runs); "
              if given_up else "") + (f"waiting for runs of {waiting}; " if waiting else "") + \
        f"no new crawl batches ({len(batches)} in the landing zone)."
    return dg.SensorResult(skip_reason=dg.SkipReason(reason), dynamic_partitions_requests=partitions)
