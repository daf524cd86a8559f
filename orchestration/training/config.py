"""Dagster run config of the training assets: the plain training settings, editable in the launchpad,
with each asset's defaults."""

from typing import Any

from pydantic import Field
from pydantic.fields import FieldInfo

from flywheel.evaluation.holdout import PROMPT_FRACTION
from flywheel.training.settings import TrainingSettings
from orchestration.settings import config_class


def _default(name: str, value: Any) -> Any:
    """`TrainingSettings`' field `name`, bounds and description kept, with this asset's default."""
    return FieldInfo.merge_field_infos(TrainingSettings.model_fields[name], default=value)


class TrainingConfig(config_class(TrainingSettings)):
    """Optimization settings and the engine (DeepSpeed ZeRO stage, precision, activation
    checkpointing, offload, ranks per node and nodes). Defaults train the `tiny` preset on one CPU process."""


class PretrainingConfig(TrainingConfig):
    preset: str = Field(default="tiny", description="Model size: tiny (~3M, CPU), small (~125M), "
                                                     "medium (~400M), large (~1.3B).")


class FineTuningConfig(TrainingConfig):
    """SFT defaults: a lower learning rate than pretraining, as usual for fine-tuning."""

    # 150: the tiny CPU model learns the bundled refusals (demo: 56 of 60 red-team prompts refused,
    # 10 of 30 safe look-alikes too); at 100 steps it refuses nearly everything, at 60 nothing.
    max_steps: int = _default("max_steps", 150)
    learning_rate: float = _default("learning_rate", 1e-3)
    min_learning_rate: float = _default("min_learning_rate", 1e-4)
    warmup_steps: int = _default("warmup_steps", 5)
    eval_every: int = _default("eval_every", 50)
    checkpoint_every: int = _default("checkpoint_every", 50)
    validation_fraction: float = Field(default=0.1, ge=PROMPT_FRACTION, lt=0.5,
                                       description="Share of prompts held out (stable hash of the prompt); at "
                                                   "least the evaluation share, which it contains.")


class PreferenceTrainingConfig(TrainingConfig):
    """Reward-model and DPO defaults: `micro_batch_size` counts pairs (each is two sequences)."""

    max_steps: int = _default("max_steps", 60)
    warmup_steps: int = _default("warmup_steps", 5)
    eval_every: int = _default("eval_every", 10)
    eval_batches: int = Field(default=16, ge=1, description="Evaluation micro-batches (pairs / micro_batch_size).")
    checkpoint_every: int = _default("checkpoint_every", 20)
    max_length: int = Field(default=256, ge=16, description="Tokens per prompt + answer, truncated beyond.")


class RewardModelConfig(PreferenceTrainingConfig):
    max_steps: int = _default("max_steps", 40)
    learning_rate: float = _default("learning_rate", 5e-4)
    min_learning_rate: float = _default("min_learning_rate", 5e-5)


class DpoConfig(PreferenceTrainingConfig):
    max_steps: int = _default("max_steps", 30)
    # Before and after only: a DPO evaluation scores policy and reference on every pair (~8 s here).
    eval_every: int = _default("eval_every", 30)
    learning_rate: float = _default("learning_rate", 5e-4)
    min_learning_rate: float = _default("min_learning_rate", 5e-5)
    beta: float = Field(default=0.1, gt=0.0, description="DPO temperature: higher keeps the policy closer "
                                                        "to the SFT reference.")
