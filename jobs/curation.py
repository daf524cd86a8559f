"""The curation job: every curation asset of one crawl batch."""

import dagster as dg

from orchestration.partitions import crawl_batch_partitions

curation_job = dg.define_asset_job(
    name="curation_job",
    selection=dg.AssetSelection.groups("curation"),
    partitions_def=crawl_batch_partitions,
    description="Curate one crawl batch: ingest it and run every curation stage downstream of it.",
    # Every step in the run's own process, so the Spark stages of a run share one Spark session
    # (one JVM start per batch instead of one per step).
    executor_def=dg.in_process_executor,
)
