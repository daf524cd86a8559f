"""Train (or retrain) the safety classifier on the bundled labelled set."""

import dagster as dg

from flywheel.datasets import SAFETY_CLASSIFIER

safety_classifier_job = dg.define_asset_job(
    name="safety_classifier_training",
    selection=dg.AssetSelection.assets(SAFETY_CLASSIFIER),
    description="Train the safety classifier; a new version makes the filtered batches stale.",
)
