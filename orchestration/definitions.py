"""Flywheel's Dagster definitions: `dagster dev -m orchestration.definitions`.

Storage lives under FLYWHEEL_HOME (default `./.flywheel`); see `flywheel/home.py`.
"""

import dagster as dg

from assets.data.deduplicated_docs import deduplicated_docs
from assets.data.feedback_checks import feedback_checks
from assets.data.feedback_events import feedback_events
from assets.data.filtered_docs import filtered_docs
from assets.data.quality_classifier import quality_classifier
from assets.data.quality_scored_docs import quality_scored_docs
from assets.data.quality_checks import curation_checks
from assets.data.raw_crawl import raw_crawl
from assets.data.reward_data import reward_data
from assets.training.aligned_model import aligned_model
from assets.training.pretrained_model import pretrained_model
from assets.training.pretraining_corpus import pretraining_corpus
from assets.training.pretraining_corpus_checks import pretraining_corpus_integrity
from assets.training.reward_model import reward_model
from assets.training.sft_model import sft_model
from assets.training.tokenizer import tokenizer
from flywheel.home import FlywheelHome
from jobs import curation_job, feedback_loop_job, quality_classifier_job, retraining_job, retraining_schedule
from orchestration.resources import SparkResource, StorageResource
from sensors import crawl_batch_sensor, feedback_sensor


def build_definitions(home: FlywheelHome, spark: SparkResource | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=[raw_crawl, filtered_docs, deduplicated_docs, quality_classifier, quality_scored_docs,
                tokenizer, pretraining_corpus, pretrained_model, sft_model,
                feedback_events, reward_data, reward_model, aligned_model],
        asset_checks=[*curation_checks, pretraining_corpus_integrity, *feedback_checks],
        jobs=[curation_job, quality_classifier_job, retraining_job, feedback_loop_job],
        schedules=[retraining_schedule],
        sensors=[crawl_batch_sensor, feedback_sensor],
        resources={
            "storage": StorageResource.for_home(home),
            "spark": spark or SparkResource(),
            "pipes_subprocess_client": dg.PipesSubprocessClient(),
        },
    )


defs = build_definitions(FlywheelHome.from_env())
