"""What `reward_model` and `aligned_model` share: the current `sft_model` to start from and the
current `reward_data` pairs to train (train split) and evaluate (held-out split) on, and the
diagnosis of what the trained scorer learned (`reward_diagnostics.py`)."""

from collections.abc import Callable, Iterator

import dagster as dg

from flywheel.datasets import REWARD_DATA, SFT_MODEL
from flywheel.evaluation.reward_diagnostics import Scorer, diagnose, diagnostics_rows
from flywheel.feedback.reward_data import read_split
from flywheel.training.settings import TrainingSettings
from orchestration.inputs import current_or_fail
from orchestration.metadata import table
from orchestration.resources import StorageResource
from orchestration.settings import settings_of
from orchestration.training.config import PreferenceTrainingConfig
from orchestration.training.run import TrainingRequest, train_model

# The trained model's scorer, from its path and the SFT model's path.
ScorerFor = Callable[[str, str], Scorer]


# Imported when called, not at module level: they pull in torch, which the code location never needs.
def reward_model_scorer(max_length: int) -> ScorerFor:
    def scorer(model_path: str, sft_path: str) -> Scorer:
        from flywheel.evaluation.judge import RewardJudge

        return RewardJudge(model_path, max_length).score
    return scorer


def implicit_reward_scorer(max_length: int) -> ScorerFor:
    def scorer(model_path: str, sft_path: str) -> Scorer:
        from flywheel.evaluation.implicit_reward import ImplicitReward

        return ImplicitReward(model_path, sft_path, max_length).score
    return scorer


def train_on_preferences(context: dg.AssetExecutionContext, storage: StorageResource,
                         pipes: dg.PipesSubprocessClient, asset: str, objective: str,
                         config: PreferenceTrainingConfig, scorer_for: ScorerFor, options: dict | None = None
                         ) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    sft = current_or_fail(storage, SFT_MODEL)
    pairs = current_or_fail(storage, REWARD_DATA, versioned_dataset=True)
    store = storage.versioned_datasets()
    train, held_out = (read_split(store, pairs["path"], split) for split in ("train", "held_out"))
    # With `source`, so that pairs of two models' answers are told apart from degraded ones.
    held_out_with_source = read_split(store, pairs["path"], "held_out", ("prompt", "chosen", "rejected", "source"))

    def diagnosis(model_path: str) -> dict:
        result = diagnose(scorer_for(model_path, sft["path"]), held_out_with_source)
        return {"diagnostics": table(diagnostics_rows(result), ["view", "pairs", "accuracy"]),
                "off_topic_accuracy": result["by_kind"]["off_topic"]["accuracy"],
                "model_vs_model_accuracy": result["by_kind"]["model_vs_model"]["accuracy"],
                "prompt_swap_own_prompt_higher": result["prompt_swap"]["own_prompt_higher"],
                "length_controlled_accuracy": result["length_controlled"]["accuracy"]}

    yield from train_model(context, storage, pipes, TrainingRequest(
        asset=asset, objective=objective, inputs={SFT_MODEL: sft["version"], REWARD_DATA: pairs["version"]},
        tokenizer_path=sft["path"], init_model_path=sft["path"], settings=settings_of(config, TrainingSettings),
        sequence_length=config.max_length, data_files={"train": train, "validation": held_out},
        options=options or {}), metadata={"train_pairs": len(train), "held_out_pairs": len(held_out)},
        evaluate=diagnosis)
