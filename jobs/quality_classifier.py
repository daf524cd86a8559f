"""Train (or retrain) the quality classifier on the reference corpus and every curated batch."""

import dagster as dg

from flywheel.datasets import QUALITY_CLASSIFIER

quality_classifier_job = dg.define_asset_job(
    name="quality_classifier_training",
    selection=dg.AssetSelection.assets(QUALITY_CLASSIFIER),
    description="Train the fastText quality classifier; a new version makes the scored batches stale.",
)
