"""Flywheel's Dagster definitions: `dagster dev -m orchestration.definitions`.

Storage lives under FLYWHEEL_HOME (default `./.flywheel`); see `flywheel/home.py`.
"""

import dagster as dg

from assets.data.deduplicated_docs import deduplicated_docs
from assets.data.filtered_docs import filtered_docs
from assets.data.quality_classifier import quality_classifier
from assets.data.quality_scored_docs import quality_scored_docs
from assets.data.quality_checks import curation_checks
from assets.data.raw_crawl import raw_crawl
from assets.training.pretrained_model import pretrained_model
from assets.training.pretraining_corpus import pretraining_corpus
from assets.training.sft_model import sft_model
from assets.training.tokenizer import tokenizer
from flywheel.home import FlywheelHome
from jobs import curation_job, quality_classifier_job, retraining_job, retraining_schedule
from orchestration.resources import SparkResource, StorageResource
from sensors import crawl_batch_sensor


def build_definitions(home: FlywheelHome, spark: SparkResource | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=[raw_crawl, filtered_docs, deduplicated_docs, quality_classifier, quality_scored_docs,
                tokenizer, pretraining_corpus, pretrained_model, sft_model],
        asset_checks=curation_checks,
        jobs=[curation_job, quality_classifier_job, retraining_job],
        schedules=[retraining_schedule],
        sensors=[crawl_batch_sensor],
        resources={
            "storage": StorageResource.for_home(home),
            "spark": spark or SparkResource(),
            "pipes_subprocess_client": dg.PipesSubprocessClient(),
        },
    )


defs = build_definitions(FlywheelHome.from_env())
