"""Bits per byte of a causal LM on documents: the tokenizer-independent measure of how well a model
predicts text (bits of negative log-likelihood over UTF-8 bytes), as lm-eval's `bits_per_byte`.

Each document is preceded by the end-of-text token (documents are packed that way in training)
and cut into disjoint windows of the model's context, each window predicted from the token
before it, so every token is predicted exactly once.
"""

from __future__ import annotations

import math

import torch


def document_bits(model, token_ids: list[list[int]], context: int, eos_id: int,
                  batch_size: int = 64) -> list[float]:
    """Bits (negative log2-likelihood) of each document's tokens under `model`."""
    windows: list[tuple[int, list[int]]] = []  # (document index, input + next target token)
    for index, ids in enumerate(token_ids):
        stream = [eos_id, *ids]
        windows.extend((index, stream[start:start + context + 1]) for start in range(0, len(stream) - 1, context))
    bits = [0.0] * len(token_ids)
    for start in range(0, len(windows), batch_size):
        chunk = windows[start:start + batch_size]
        for (index, _), nats in zip(chunk, _window_nats(model, [w for _, w in chunk])):
            bits[index] += nats / math.log(2)
    return bits


@torch.no_grad()
def _window_nats(model, windows: list[list[int]]) -> list[float]:
    """Summed negative log-likelihood of tokens 1.. of each window given the ones before it."""
    width = max(len(w) for w in windows) - 1
    inputs = torch.zeros((len(windows), width), dtype=torch.long)
    targets = torch.full((len(windows), width), -100, dtype=torch.long)
    for row, window in enumerate(windows):
        inputs[row, : len(window) - 1] = torch.tensor(window[:-1])
        targets[row, : len(window) - 1] = torch.tensor(window[1:])
    inputs, targets = inputs.to(model.device), targets.to(model.device)
    logits = model(input_ids=inputs, attention_mask=(targets != -100).long()).logits.float()
    losses = torch.nn.functional.cross_entropy(logits.transpose(1, 2), targets, ignore_index=-100, reduction="none")
    return losses.sum(dim=1).tolist()
