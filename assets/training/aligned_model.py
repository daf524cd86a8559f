"""`aligned_model`: the SFT model aligned to user preferences with DPO."""

import dagster as dg

from flywheel.datasets import ALIGNED_MODEL, REWARD_DATA, SFT_MODEL
from orchestration.resources import StorageResource
from orchestration.training.config import DpoConfig
from orchestration.training.preference import implicit_reward_scorer, train_on_preferences


@dg.asset(key=ALIGNED_MODEL, group_name="alignment", kinds={"deepspeed", "pytorch"},
          deps=[REWARD_DATA, SFT_MODEL], code_version="1")
def aligned_model(context: dg.AssetExecutionContext, config: DpoConfig, storage: StorageResource,
                  pipes_subprocess_client: dg.PipesSubprocessClient):
    """Direct Preference Optimization of `sft_model` on the `reward_data` train split against a
    frozen copy of `sft_model` (the reference), on the same DeepSpeed engine, checkpointing and
    export as pretraining. Exported in Hugging Face format under `models/aligned_model/<version>/`.
    Metadata on held-out pairs: `rewards/chosen`, `rewards/rejected`, `rewards/margins`,
    `rewards/accuracies` (before and after) and `kl_to_reference` per answer token, and the same
    `diagnostics` as `reward_model`'s for the implicit reward (log pi - log ref of an answer)."""
    yield from train_on_preferences(context, storage, pipes_subprocess_client, ALIGNED_MODEL, "dpo", config,
                                    implicit_reward_scorer(config.max_length),
                                    options={"beta": config.beta})
