"""Turn new feedback into better models: ingest, build preference pairs, train the reward model
and align the SFT model with DPO."""

import dagster as dg

from flywheel.datasets import FEEDBACK_EVENTS, MODEL_EVALUATION, PRODUCTION_MODEL
from jobs.tags import TRAINS_TAG

feedback_loop_job = dg.define_asset_job(
    name="feedback_loop",
    # The candidate's evaluation is its own partitioned job (`evaluation`), started by candidate_sensor.
    selection=dg.AssetSelection.assets(FEEDBACK_EVENTS).downstream()
    - dg.AssetSelection.assets(MODEL_EVALUATION, PRODUCTION_MODEL),
    description="Ingest new feedback from landing/feedback/, rebuild reward_data and the evaluation sets, retrain "
                "reward_model and aligned_model. Unchanged pairs reuse the existing model versions.",
    # One step at a time: reward_model and aligned_model each train in processes that use every core.
    executor_def=dg.in_process_executor,
    tags={TRAINS_TAG: "chat_model"},
)
