"""Judge a candidate against production and promote it if the gate passes."""

import dagster as dg

from flywheel.datasets import MODEL_EVALUATION, PRODUCTION_MODEL
from orchestration.partitions import model_candidate_partitions

evaluation_job = dg.define_asset_job(
    name="evaluation",
    selection=dg.AssetSelection.assets(MODEL_EVALUATION, PRODUCTION_MODEL),
    partitions_def=model_candidate_partitions,
    description="Evaluate one candidate version (the partition, MODEL:VERSION) against production; "
                "`production_model` moves the production alias only when the blocking promotion_gate passes.",
    executor_def=dg.in_process_executor,
)
