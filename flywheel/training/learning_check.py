"""Did a training run learn? The criterion a trained model meets before it becomes the current
version of its asset, read from the run's summary (`training_summary.json`).

- pretraining and SFT: held-out loss below the loss before the first step;
- reward model: held-out pairwise accuracy above chance (0.5).

DPO has none: its held-out DPO loss can rise while its preference accuracy rises too (the demo's
second round: 0.75 vs 0.69 at 69% accuracy), so whether an aligned model is better is the
evaluation gate's question, answered against production.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LearningCriterion:
    metric: str  # summary key of the held-out metric after training
    higher_is_better: bool
    baseline: str | None = None  # summary key of the same metric before the first step
    chance: float | None = None  # the fixed value to beat when there is no baseline

    def describe(self) -> str:
        bound = f"`{self.baseline}` (before training)" if self.baseline else f"chance ({self.chance})"
        return f"held-out `{self.metric}` {'above' if self.higher_is_better else 'below'} {bound}"


@dataclass(frozen=True)
class LearningVerdict:
    passed: bool
    description: str
    observed: float | None
    bound: float | None


CRITERIA: dict[str, LearningCriterion] = {
    "pretrain": LearningCriterion("val_loss", higher_is_better=False, baseline="initial_val_loss"),
    "sft": LearningCriterion("val_loss", higher_is_better=False, baseline="initial_val_loss"),
    "reward": LearningCriterion("val_accuracy", higher_is_better=True, chance=0.5),
}


def learning_verdict(objective: str, summary: dict) -> LearningVerdict | None:
    """The verdict on a finished run, or None for an objective without a criterion. A metric
    missing from the summary (no evaluation ran) fails."""
    criterion = CRITERIA.get(objective)
    if criterion is None:
        return None
    observed = summary.get(criterion.metric)
    bound = summary.get(criterion.baseline) if criterion.baseline else criterion.chance
    if observed is None or bound is None:
        return LearningVerdict(False, f"{criterion.describe()}: not measured", observed, bound)
    passed = observed > bound if criterion.higher_is_better else observed < bound
    return LearningVerdict(passed, f"{criterion.describe()}: {observed:.4g} vs {bound:.4g}", observed, bound)
