"""Partitions shared by Flywheel's assets."""

import dagster as dg

# One partition per crawl batch folder under `landing/crawl/`; added by `crawl_batch_sensor` or
# `flywheel ingest`.
crawl_batch_partitions = dg.DynamicPartitionsDefinition(name="crawl_batch")
