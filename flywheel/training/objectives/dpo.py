"""Direct Preference Optimization (Rafailov et al. 2023): raise the policy's log-likelihood ratio
to a frozen reference on chosen answers relative to rejected ones,

    loss = -log sigmoid(beta * [(log pi(y_c|x) - log ref(y_c|x)) - (log pi(y_r|x) - log ref(y_r|x))]).

Policy and reference both start as the SFT model; the reference is a frozen copy that is not
handed to DeepSpeed (each rank holds it whole, which is fine up to models that fit one device).
Metrics follow TRL's names: `rewards/chosen`, `rewards/rejected` (beta times the log ratios),
`rewards/margins`, `rewards/accuracies` (share of pairs with a positive margin) on held-out pairs,
and `kl_to_reference`: the exact KL(policy || reference) over the vocabulary, per answer token.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from pydantic import BaseModel, ConfigDict, Field

from flywheel.training.datasets import IGNORE_INDEX
from flywheel.training.objectives.examples import read_examples
from flywheel.training.preference_data import PreferenceExamples, split_pairs
from flywheel.training.settings import precision_dtype
from flywheel.training.spec import TrainingSpec


def answer_log_probs(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Sum of log p(label) over each row's answer tokens (labels shifted for next-token prediction)."""
    targets = labels[:, 1:]
    mask = targets != IGNORE_INDEX
    # Only answer positions are normalized (prompts and padding are most of a row), in float32: a
    # bf16 log-softmax over the vocabulary is too coarse for the small DPO log ratios.
    answers = logits[:, :-1][mask].float()
    picked = answers.gather(1, targets[mask].unsqueeze(-1)).squeeze(-1) - answers.logsumexp(-1)
    return torch.zeros(mask.shape, dtype=picked.dtype, device=picked.device).masked_scatter(mask, picked).sum(-1)


class DpoOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    beta: float = Field(default=0.1, gt=0.0, description="How far the policy may move from the reference "
                                                       "(higher = closer).")


class DirectPreference:
    options_model = DpoOptions
    plotted_metrics = ("rewards/accuracies",)
    evaluates_train_split = True

    def __init__(self, spec: TrainingSpec, tokenizer) -> None:
        if not spec.init_model_path:
            raise ValueError("DPO starts from a trained model (init_model_path)")
        self.spec, self.beta = spec, DpoOptions.model_validate(spec.options).beta
        self.train = PreferenceExamples(read_examples(spec, "train"), tokenizer, spec.sequence_length)
        self.validation = PreferenceExamples(read_examples(spec, "validation"), tokenizer, spec.sequence_length)
        self.reference = None

    def build_model(self):
        from transformers import AutoModelForCausalLM

        policy = AutoModelForCausalLM.from_pretrained(self.spec.init_model_path, dtype=torch.float32)
        self.reference = copy.deepcopy(policy).eval().requires_grad_(False)
        return policy

    def _forward(self, model, batch: dict) -> torch.Tensor:
        return model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits

    def _reference_logits(self, batch: dict) -> torch.Tensor:
        # The policy's device and dtype (DeepSpeed casts the policy to bf16/fp16): an fp32 reference
        # against a bf16 policy would start DPO with nonzero log ratios from rounding alone.
        self.reference.to(device=batch["input_ids"].device, dtype=precision_dtype(self.spec.settings.engine.precision))
        with torch.no_grad():
            return self._forward(self.reference, batch)

    def _log_ratios(self, policy_logits, reference_logits, labels) -> tuple[torch.Tensor, torch.Tensor]:
        ratios = answer_log_probs(policy_logits, labels) - answer_log_probs(reference_logits, labels)
        return split_pairs(ratios)

    def loss(self, model, batch: dict) -> torch.Tensor:
        chosen, rejected = self._log_ratios(self._forward(model, batch), self._reference_logits(batch), batch["labels"])
        return -F.logsigmoid(self.beta * (chosen - rejected)).mean()

    @torch.no_grad()
    def evaluate(self, model, batches: list[dict]) -> dict[str, float]:
        sums = dict.fromkeys(("loss", "chosen", "rejected", "correct", "pairs", "kl", "answer_tokens"), 0.0)
        for batch in batches:
            policy, reference = self._forward(model, batch), self._reference_logits(batch)
            chosen, rejected = (self.beta * r for r in self._log_ratios(policy, reference, batch["labels"]))
            sums["loss"] += float(-F.logsigmoid(chosen - rejected).sum())
            sums["chosen"] += float(chosen.sum())
            sums["rejected"] += float(rejected.sum())
            sums["correct"] += float((chosen > rejected).sum())
            sums["pairs"] += len(chosen)
            # KL over answer tokens only: selecting them before the softmax skips prompts and padding.
            mask = batch["labels"][:, 1:] != IGNORE_INDEX
            log_p, log_q = policy[:, :-1][mask].float().log_softmax(-1), reference[:, :-1][mask].float().log_softmax(-1)
            sums["kl"] += float((log_p.exp() * (log_p - log_q)).sum())
            sums["answer_tokens"] += float(mask.sum())
        return sums

    @staticmethod
    def summarize(totals: dict[str, float], split: str = "validation") -> dict[str, float]:
        pairs = max(1.0, totals["pairs"])
        chosen, rejected = totals["chosen"] / pairs, totals["rejected"] / pairs
        if split != "validation":
            return {"train_rewards/accuracies": totals["correct"] / pairs, "train_rewards/margins": chosen - rejected}
        return {"rewards/chosen": chosen, "rewards/rejected": rejected, "rewards/margins": chosen - rejected,
                "rewards/accuracies": totals["correct"] / pairs, "val_loss": totals["loss"] / pairs,
                "kl_to_reference": totals["kl"] / max(1.0, totals["answer_tokens"])}
