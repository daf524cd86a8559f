"""Preference pairs as training examples: the chosen and the rejected answer to one prompt, each
rendered with the chat template (prompt tokens masked in the labels). A batch of B pairs is one
padded batch of 2B rows, chosen answers first, so each forward pass scores both sides."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from flywheel.training.datasets import IGNORE_INDEX, encode_chat_example, pad_batch


class PreferenceExamples:
    def __init__(self, pairs: Sequence[dict], tokenizer, max_length: int) -> None:
        self.pad_id = tokenizer.pad_token_id
        self.items = []
        for pair in pairs:
            chosen = encode_chat_example(pair["prompt"], pair["chosen"], tokenizer, max_length)
            rejected = encode_chat_example(pair["prompt"], pair["rejected"], tokenizer, max_length)
            # Truncation can leave no answer tokens, or make both sides the same: no signal then.
            if chosen[0] != rejected[0] and all(any(x != IGNORE_INDEX for x in side[1]) for side in (chosen, rejected)):
                self.items.append((chosen, rejected))

    def __len__(self) -> int:
        return len(self.items)

    def batch(self, indices: Sequence[int]) -> dict[str, torch.Tensor]:
        pairs = [self.items[i] for i in indices]
        return pad_batch([c for c, _ in pairs] + [r for _, r in pairs], self.pad_id)


def split_pairs(values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(chosen, rejected) halves of a per-row tensor of a preference batch."""
    half = values.shape[0] // 2
    return values[:half], values[half:]
