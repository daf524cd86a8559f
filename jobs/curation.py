"""The curation job: every curation asset of one crawl batch, through its quality scores."""

import dagster as dg

from flywheel.datasets import QUALITY_SCORED_DOCS
from orchestration.partitions import crawl_batch_partitions

curation_job = dg.define_asset_job(
    name="curation",
    selection=dg.AssetSelection.groups("curation") | dg.AssetSelection.assets(QUALITY_SCORED_DOCS),
    partitions_def=crawl_batch_partitions,
    description="Curate one crawl batch: ingest it and run every curation stage downstream of it.",
    # Every step in the run's own process, so the Spark stages of a run share one Spark session
    # (one JVM start per batch instead of one per step).
    executor_def=dg.in_process_executor,
)
