"""DPO's implicit reward: a DPO-trained policy rewards an answer by log pi(a|p) - log ref(a|p),
with `ref` the model it was aligned from, and prefers the chosen answer of a pair when its reward
is higher. The share of held-out pairs where it does is TRL's `rewards/accuracies` (with beta,
which does not change the sign, left out)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from flywheel.training.datasets import score_chat_pairs
from flywheel.training.objectives.dpo import answer_log_probs


class ImplicitReward:
    def __init__(self, policy_path: str, reference_path: str, max_length: int = 256, batch_size: int = 8) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(policy_path)
        self.policy, self.reference = (AutoModelForCausalLM.from_pretrained(p, dtype=torch.float32).eval()
                                       for p in (policy_path, reference_path))
        self.max_length, self.batch_size = max_length, batch_size

    @torch.no_grad()
    def score(self, prompts: Sequence[str], answers: Sequence[str]) -> list[float]:
        """log pi(answer | prompt) - log ref(answer | prompt), per (prompt, answer)."""
        return score_chat_pairs(prompts, answers, self.tokenizer, self.max_length, self.batch_size, self._score_batch)

    def _score_batch(self, batch: dict) -> list[float]:
        policy, reference = (answer_log_probs(model(input_ids=batch["input_ids"],
                                                    attention_mask=batch["attention_mask"]).logits, batch["labels"])
                             for model in (self.policy, self.reference))
        return (policy - reference).tolist()


def implicit_reward_margins(policy_path: str, reference_path: str, pairs: Sequence[dict], max_length: int = 256,
                            batch_size: int = 8) -> list[float]:
    """Reward of the chosen answer minus reward of the rejected one, per pair."""
    reward = ImplicitReward(policy_path, reference_path, max_length, batch_size)
    prompts = [p["prompt"] for p in pairs]
    chosen, rejected = (reward.score(prompts, [p[side] for p in pairs]) for side in ("chosen", "rejected"))
    return [c - r for c, r in zip(chosen, rejected)]
