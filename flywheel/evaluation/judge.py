"""The reward model as a judge: it scores answers, and must show it can tell good from bad before
its verdicts count — on held-out preference pairs, and on pairs whose rejected answer is a fluent
answer to a different prompt (a judge that ignores the prompt is at chance there)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from flywheel.training.datasets import score_chat_pairs


class RewardJudge:
    def __init__(self, model_path: str, max_length: int = 256, batch_size: int = 16) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model_path)
        self.model = AutoModelForSequenceClassification.from_pretrained(model_path, dtype=torch.float32).eval()
        self.model.config.pad_token_id = self.tokenizer.pad_token_id
        self.max_length, self.batch_size = max_length, batch_size

    @torch.no_grad()
    def score(self, prompts: Sequence[str], answers: Sequence[str]) -> list[float]:
        return score_chat_pairs(prompts, answers, self.tokenizer, self.max_length, self.batch_size, self._score_batch)

    def _score_batch(self, batch: dict) -> list[float]:
        logits = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        return logits.squeeze(-1).float().tolist()

    def prefers(self, pairs: Sequence[dict], rejected_key: str = "rejected") -> list[bool]:
        """Per pair: whether the judge scores `chosen` above `rejected_key`."""
        prompts = [p["prompt"] for p in pairs]
        chosen = self.score(prompts, [p["chosen"] for p in pairs])
        rejected = self.score(prompts, [p[rejected_key] for p in pairs])
        return [c > r for c, r in zip(chosen, rejected)]

