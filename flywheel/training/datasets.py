"""What the training loop iterates over: indexable example sets that turn a list of indices into
a batch of tensors, and the order in which a run visits them (resumable from a step number)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import torch

from flywheel.training.packing import MANIFEST
from flywheel.training.tokenizer import TURN_END

IGNORE_INDEX = -100  # label value the loss skips (prompt and padding tokens)


class PackedSequences:
    """One split of a packed corpus, memory-mapped; every token is a target."""

    def __init__(self, corpus_dir: str, split: str) -> None:
        manifest = json.loads((Path(corpus_dir) / MANIFEST).read_text())
        self.shards = [np.load(Path(corpus_dir) / split / name, mmap_mode="r")
                       for name in manifest["splits"][split]["shards"]]
        self.offsets = np.cumsum([0] + [len(s) for s in self.shards])
        self.sequence_length = manifest["sequence_length"]

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def batch(self, indices: Sequence[int]) -> dict[str, torch.Tensor]:
        rows = []
        for index in indices:
            shard = int(np.searchsorted(self.offsets, index, side="right") - 1)
            rows.append(np.asarray(self.shards[shard][index - self.offsets[shard]], dtype=np.int64))
        input_ids = torch.from_numpy(np.stack(rows))
        return {"input_ids": input_ids, "labels": input_ids.clone()}


class ChatExamples:
    """Prompt/response pairs rendered with the tokenizer's chat template; the loss covers only
    the response tokens (and the turn end that stops generation)."""

    def __init__(self, examples: Sequence[dict], tokenizer, max_length: int) -> None:
        self.pad_id = tokenizer.pad_token_id
        self.items = [encode_chat_example(e["prompt"], e["response"], tokenizer, max_length) for e in examples]
        # A prompt that fills max_length leaves nothing to learn from.
        self.items = [item for item in self.items if any(label != IGNORE_INDEX for label in item[1])]

    def __len__(self) -> int:
        return len(self.items)

    def batch(self, indices: Sequence[int]) -> dict[str, torch.Tensor]:
        return pad_batch([self.items[i] for i in indices], self.pad_id)


def prompt_ids(prompt: str, tokenizer) -> list[int]:
    """The chat-formatted prompt up to and including the assistant turn's header."""
    return list(tokenizer.apply_chat_template([{"role": "user", "content": prompt}],
                                              add_generation_prompt=True, tokenize=True, return_dict=False))


def encode_chat_example(prompt: str, response: str, tokenizer, max_length: int) -> tuple[list[int], list[int]]:
    """(input_ids, labels) with prompt tokens masked; truncated to `max_length` from the right."""
    context = prompt_ids(prompt, tokenizer)
    answer = tokenizer(response + TURN_END + "\n", add_special_tokens=False)["input_ids"]
    input_ids = (context + answer)[:max_length]
    labels = ([IGNORE_INDEX] * len(context) + answer)[:max_length]
    return input_ids, labels


def pad_batch(items: Sequence[tuple[list[int], list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad (input_ids, labels) pairs to the longest; padding is masked out of attention and loss."""
    width = max(len(ids) for ids, _ in items)
    input_ids = torch.full((len(items), width), pad_id, dtype=torch.long)
    labels = torch.full((len(items), width), IGNORE_INDEX, dtype=torch.long)
    attention_mask = torch.zeros((len(items), width), dtype=torch.long)
    for row, (ids, target) in enumerate(items):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        labels[row, : len(target)] = torch.tensor(target)
        attention_mask[row, : len(ids)] = 1
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention_mask}


def chat_batches(prompts: Sequence[str], answers: Sequence[str], tokenizer, max_length: int,
                 batch_size: int) -> Iterator[tuple[list[int], dict[str, torch.Tensor]]]:
    """(prompt, answer) pairs as padded chat batches of `batch_size`, each with the positions of its
    pairs in the input: what a scorer of answers (reward model, DPO's implicit reward) feeds its
    model. Batched in order of length, so a batch pads its rows to a similar length instead of its
    longest row (a model's output for a row does not depend on the other rows of its batch)."""
    items = [encode_chat_example(p, a, tokenizer, max_length) for p, a in zip(prompts, answers)]
    order = sorted(range(len(items)), key=lambda index: len(items[index][0]))
    for start in range(0, len(order), batch_size):
        positions = order[start:start + batch_size]
        yield positions, pad_batch([items[index] for index in positions], tokenizer.pad_token_id)



def score_chat_pairs(prompts: Sequence[str], answers: Sequence[str], tokenizer, max_length: int, batch_size: int,
                     score_batch: Callable[[dict[str, torch.Tensor]], list[float]]) -> list[float]:
    """Each (prompt, answer) pair's score from `score_batch` (one per row of a `chat_batches`
    batch), in the order the pairs were given."""
    scores = [0.0] * len(prompts)
    for positions, batch in chat_batches(prompts, answers, tokenizer, max_length, batch_size):
        for position, score in zip(positions, score_batch(batch)):
            scores[position] = score
    return scores

class EpochOrder:
    """Example indices for (step, micro-step, rank): a fresh seeded permutation per epoch, so a run
    resumed at step N sees exactly the batches an uninterrupted run would have."""

    def __init__(self, size: int, micro_batch_size: int, accumulation: int, world_size: int, seed: int) -> None:
        if size == 0:
            raise ValueError("no training examples")
        self.size, self.micro, self.accumulation, self.world, self.seed = (
            size, micro_batch_size, accumulation, world_size, seed)
        self._epoch, self._permutation = -1, np.empty(0, dtype=np.int64)

    def indices(self, step: int, micro_step: int, rank: int) -> list[int]:
        start = ((step * self.accumulation + micro_step) * self.world + rank) * self.micro
        return [self._at(position) for position in range(start, start + self.micro)]

    def epoch_of(self, step: int) -> float:
        return step * self.accumulation * self.world * self.micro / self.size

    def _at(self, position: int) -> int:
        epoch, offset = divmod(position, self.size)
        if epoch != self._epoch:
            self._epoch = epoch
            self._permutation = np.random.default_rng([self.seed, epoch]).permutation(self.size)
        return int(self._permutation[offset])
