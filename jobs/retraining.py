"""Retrain from the curated data: tokenizer, packed corpus, pretraining and SFT, in order."""

import os

import dagster as dg

from flywheel.datasets import EVALUATION_SET_ASSETS, PRETRAINED_MODEL, PRETRAINING_CORPUS, SFT_MODEL, TOKENIZER
from jobs.tags import TRAINS_TAG

retraining_job = dg.define_asset_job(
    name="retraining",
    selection=dg.AssetSelection.assets(TOKENIZER, PRETRAINING_CORPUS, PRETRAINED_MODEL, SFT_MODEL,
                                       *EVALUATION_SET_ASSETS),
    description="Refresh the tokenizer, pretraining corpus and evaluation sets from every curated batch, then "
                "pretrain and fine-tune. Unchanged inputs and settings reuse the existing versions.",
    # One step at a time: each training step launches its own processes, which use every core.
    executor_def=dg.in_process_executor,
    tags={TRAINS_TAG: "chat_model"},
)

# Off until someone turns it on in the UI (or sets the default in code); the cron is configurable.
retraining_schedule = dg.ScheduleDefinition(
    name="weekly_retraining",
    job=retraining_job,
    cron_schedule=os.environ.get("FLYWHEEL_RETRAINING_CRON", "0 3 * * 0"),
    execution_timezone=os.environ.get("FLYWHEEL_RETRAINING_TIMEZONE", "UTC"),
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Weekly retraining (Sunday 03:00 UTC unless FLYWHEEL_RETRAINING_CRON says otherwise).",
)
