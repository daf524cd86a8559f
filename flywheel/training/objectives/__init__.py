"""The registry of training objectives: a run's `spec.objective` names one of them.

Adding an objective is one module implementing `Objective` (see `base.py`), one entry here, and
the asset that trains it.
"""

from __future__ import annotations

from flywheel.training.objectives.base import Objective
from flywheel.training.objectives.causal_lm import Pretraining, SupervisedFineTuning
from flywheel.training.objectives.dpo import DirectPreference
from flywheel.training.objectives.reward import PairwiseReward
from flywheel.training.spec import TrainingSpec

OBJECTIVES: dict[str, type[Objective]] = {
    "pretrain": Pretraining,
    "sft": SupervisedFineTuning,
    "reward": PairwiseReward,
    "dpo": DirectPreference,
}


def objective_class(name: str) -> type[Objective]:
    if name not in OBJECTIVES:
        raise ValueError(f"unknown training objective {name!r}; known: {', '.join(OBJECTIVES)}")
    return OBJECTIVES[name]


def objective_for(spec: TrainingSpec, tokenizer) -> Objective:
    return objective_class(spec.objective)(spec, tokenizer)
