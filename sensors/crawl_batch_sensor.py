"""Start curation whenever a new crawl batch folder lands."""

import json

import dagster as dg

from flywheel.datasets import RAW_CRAWL
from jobs.curation import curation_job
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import StorageResource


def run_key(batch: str) -> str:
    return f"crawl_batch:{batch}"


@dg.sensor(
    name="crawl_batch_sensor",
    job=curation_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Registers each new folder under `landing/crawl/` as a `crawl_batch` partition and "
                "requests one curation run for it. The cursor lists the batches already handled, "
                "and each run has the run key `crawl_batch:<batch>`, so no batch is missed or run "
                "twice, also across daemon restarts and failed ticks.",
)
def crawl_batch_sensor(context: dg.SensorEvaluationContext, storage: StorageResource):
    handled = set(json.loads(context.cursor)) if context.cursor else set()
    new_batches = [b for b in storage.landing().list_crawl_batches() if b not in handled]
    if not new_batches:
        return dg.SkipReason(f"No new crawl batches ({len(handled)} already handled).")
    registered = set(context.instance.get_dynamic_partitions(crawl_batch_partitions.name))
    to_register = [b for b in new_batches if b not in registered]
    # Batches curated from the CLI (`flywheel curate`) before the sensor saw them are not rerun.
    curated = context.instance.get_materialized_partitions(dg.AssetKey(RAW_CRAWL)) if registered else set()
    to_run = [b for b in new_batches if b not in curated]
    context.log.info(f"New crawl batches: {to_run} (already curated: {sorted(set(new_batches) - set(to_run))})")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=run_key(b), partition_key=b) for b in to_run],
        dynamic_partitions_requests=[crawl_batch_partitions.build_add_request(to_register)] if to_register else [],
        cursor=json.dumps(sorted(handled | set(new_batches))),
    )
