"""Train the same model on each curation stage's output and compare them on held-out text."""

import dagster as dg

from flywheel.datasets import CURATION_ABLATION
from jobs.tags import TRAINS_TAG

curation_ablation_job = dg.define_asset_job(
    name="ablation",
    selection=dg.AssetSelection.assets(CURATION_ABLATION),
    description="The DCLM-style curation ablation: launched by hand (UI, `flywheel ablate`), never by a sensor.",
    executor_def=dg.in_process_executor,
    tags={TRAINS_TAG: "curation_ablation"},
)
