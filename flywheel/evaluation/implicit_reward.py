"""DPO's implicit reward on held-out pairs: a DPO-trained policy prefers the chosen answer when
(log pi(c) - log ref(c)) - (log pi(r) - log ref(r)) > 0, with `ref` the model it was aligned from.
The share of pairs where it does is TRL's `rewards/accuracies` (with beta, which does not change
the sign, left out)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from flywheel.training.datasets import encode_chat_example, pad_batch
from flywheel.training.objectives.dpo import answer_log_probs


@torch.no_grad()
def implicit_reward_margins(policy_path: str, reference_path: str, pairs: Sequence[dict], max_length: int = 256,
                            batch_size: int = 8) -> list[float]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(policy_path)
    policy, reference = (AutoModelForCausalLM.from_pretrained(p, dtype=torch.float32).eval()
                         for p in (policy_path, reference_path))
    margins = []
    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start:start + batch_size]
        items = [encode_chat_example(p["prompt"], p[side], tokenizer, max_length)
                 for side in ("chosen", "rejected") for p in chunk]
        batch = pad_batch(items, tokenizer.pad_token_id)
        ratios = [answer_log_probs(model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits,
                                   batch["labels"]) for model in (policy, reference)]
        log_ratio = ratios[0] - ratios[1]
        margins += (log_ratio[: len(chunk)] - log_ratio[len(chunk):]).tolist()
    return margins
