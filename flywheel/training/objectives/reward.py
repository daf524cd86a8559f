"""Reward modelling: a scalar score per answer, trained so the chosen answer outscores the rejected
one (the Bradley-Terry pairwise loss, -log sigmoid(r_chosen - r_rejected), as in InstructGPT).

The model is the SFT model with its LM head replaced by a one-output score head
(`AutoModelForSequenceClassification`, num_labels=1), read at the last non-padding token.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from flywheel.training.objectives.base import NoOptions
from flywheel.training.objectives.examples import read_examples
from flywheel.training.preference_data import PreferenceExamples, split_pairs
from flywheel.training.spec import TrainingSpec


class PairwiseReward:
    options_model = NoOptions
    plotted_metrics = ("val_accuracy",)
    evaluates_train_split = True

    def __init__(self, spec: TrainingSpec, tokenizer) -> None:
        if not spec.init_model_path:
            raise ValueError("a reward model starts from a trained model (init_model_path)")
        NoOptions.model_validate(spec.options)
        self.spec, self.tokenizer = spec, tokenizer
        self.train = PreferenceExamples(read_examples(spec, "train"), tokenizer, spec.sequence_length)
        self.validation = PreferenceExamples(read_examples(spec, "validation"), tokenizer, spec.sequence_length)

    def build_model(self):
        from transformers import AutoModelForSequenceClassification
        from transformers.utils import logging as hf_logging

        # The load report would list the dropped LM head and the new score head as problems;
        # both are the point of this conversion.
        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        try:
            model = AutoModelForSequenceClassification.from_pretrained(
                self.spec.init_model_path, num_labels=1, dtype=torch.float32)
        finally:
            hf_logging.set_verbosity(verbosity)
        model.config.pad_token_id = self.tokenizer.pad_token_id  # locates each row's last real token
        return model

    @staticmethod
    def rewards(model, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        scores = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits.squeeze(-1).float()
        return split_pairs(scores)

    def loss(self, model, batch: dict) -> torch.Tensor:
        chosen, rejected = self.rewards(model, batch)
        return -F.logsigmoid(chosen - rejected).mean()

    @torch.no_grad()
    def evaluate(self, model, batches: list[dict]) -> dict[str, float]:
        sums = dict.fromkeys(("loss", "correct", "margin", "reward", "reward_sq", "pairs"), 0.0)
        for batch in batches:
            chosen, rejected = (r.double() for r in self.rewards(model, batch))
            both = torch.cat([chosen, rejected])
            sums["loss"] += float(-F.logsigmoid(chosen - rejected).sum())
            sums["correct"] += float((chosen > rejected).sum())
            sums["margin"] += float((chosen - rejected).sum())
            sums["reward"] += float(both.sum())
            sums["reward_sq"] += float((both**2).sum())
            sums["pairs"] += len(chosen)
        return sums

    @staticmethod
    def summarize(totals: dict[str, float], split: str = "validation") -> dict[str, float]:
        pairs = max(1.0, totals["pairs"])
        mean = totals["reward"] / (2 * pairs)
        prefix = "val" if split == "validation" else "train"
        return {f"{prefix}_accuracy": totals["correct"] / pairs, f"{prefix}_margin": totals["margin"] / pairs,
                f"{prefix}_reward_mean": mean,
                f"{prefix}_reward_std": math.sqrt(max(0.0, totals["reward_sq"] / (2 * pairs) - mean**2)),
                **({"val_loss": totals["loss"] / pairs} if split == "validation" else {})}
