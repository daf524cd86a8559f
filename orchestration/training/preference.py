"""What `reward_model` and `aligned_model` share: the current `sft_model` to start from and the
current `reward_data` pairs to train (train split) and evaluate (held-out split) on."""

from collections.abc import Iterator

import dagster as dg

from flywheel.datasets import REWARD_DATA, SFT_MODEL
from flywheel.feedback.reward_data import read_split
from flywheel.training.settings import TrainingSettings
from orchestration.inputs import current_or_fail
from orchestration.resources import StorageResource
from orchestration.settings import settings_of
from orchestration.training.config import PreferenceTrainingConfig
from orchestration.training.run import TrainingRequest, train_model


def train_on_preferences(context: dg.AssetExecutionContext, storage: StorageResource,
                         pipes: dg.PipesSubprocessClient, asset: str, objective: str,
                         config: PreferenceTrainingConfig, options: dict | None = None
                         ) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    sft = current_or_fail(storage, SFT_MODEL)
    pairs = current_or_fail(storage, REWARD_DATA, versioned_dataset=True)
    store = storage.versioned_datasets()
    train, held_out = (read_split(store, pairs["path"], split) for split in ("train", "held_out"))
    yield from train_model(context, storage, pipes, TrainingRequest(
        asset=asset, objective=objective, inputs={SFT_MODEL: sft["version"], REWARD_DATA: pairs["version"]},
        tokenizer_path=sft["path"], init_model_path=sft["path"], settings=settings_of(config, TrainingSettings),
        sequence_length=config.max_length, data_files={"train": train, "validation": held_out},
        options=options or {}), metadata={"train_pairs": len(train), "held_out_pairs": len(held_out)})
