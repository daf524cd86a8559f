"""Partitions shared by Flywheel's assets."""

import dagster as dg

# One partition per crawl batch folder under `landing/crawl/`; added by `crawl_batch_sensor` or
# `flywheel ingest`.
crawl_batch_partitions = dg.DynamicPartitionsDefinition(name="crawl_batch")

# One partition per candidate version of the chat model (`MODEL:VERSION`, e.g. `aligned_model:3f2a...`);
# added by `candidate_sensor` or `flywheel models evaluate` when a training run registers a candidate.
model_candidate_partitions = dg.DynamicPartitionsDefinition(name="model_candidate")
