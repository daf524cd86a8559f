"""`reward_model`: scores answers the way users' feedback does."""

import dagster as dg

from flywheel.datasets import REWARD_DATA, REWARD_MODEL, SFT_MODEL
from orchestration.resources import StorageResource
from orchestration.training.config import RewardModelConfig
from orchestration.training.preference import reward_model_scorer, train_on_preferences
from orchestration.training.run import learned_spec


@dg.asset(key=REWARD_MODEL, group_name="alignment", kinds={"deepspeed", "pytorch"},
          deps=[REWARD_DATA, SFT_MODEL], code_version="1", check_specs=[learned_spec(REWARD_MODEL, "reward")])
def reward_model(context: dg.AssetExecutionContext, config: RewardModelConfig, storage: StorageResource,
                 pipes_subprocess_client: dg.PipesSubprocessClient):
    """`sft_model` with a scalar score head, trained on the `reward_data` train split with the
    Bradley-Terry pairwise loss (the chosen answer should outscore the rejected one) on the same
    DeepSpeed engine, checkpointing and export as pretraining. Exported under
    `models/reward_model/<version>/` with its tokenizer:
    `AutoModelForSequenceClassification.from_pretrained(path, num_labels=1)` loads it.
    Metadata: train and held-out accuracy, mean margin, reward mean/std, loss and accuracy curves,
    and `diagnostics`: held-out accuracy by kind of pair (off-topic, truncated, degraded, other),
    the prompt-swap share (an answer scores higher under its own prompt than another's) and
    accuracy on pairs of similar length.
    Becomes current only if its held-out accuracy is above chance (blocking check `learned`)."""
    yield from train_on_preferences(context, storage, pipes_subprocess_client, REWARD_MODEL, "reward", config,
                                    reward_model_scorer(config.max_length))
