"""Labelled documents for the classifier: reading reference sets, sampling the crawl, splitting
train from held-out, and writing fastText's training file."""

from __future__ import annotations

import heapq
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import fsspec

from flywheel.quality_classifier.text import fasttext_line, passages
from flywheel.stable_hash import in_validation, stable_fraction

HQ_LABEL = "__label__hq"
CRAWL_LABEL = "__label__crawl"


@dataclass(frozen=True)
class Document:
    doc_id: str
    text: str


def read_jsonl_documents(url: str) -> Iterator[dict]:
    """Rows of a JSONL file (gzip by extension) that have a non-empty `text`."""
    with fsspec.open(url, "rt", encoding="utf-8", compression="infer") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f"{url}, line {number}: not JSON ({error.msg})") from None
            if not isinstance(row, dict) or not isinstance(row.get("text"), str) or not row["text"].strip():
                raise ValueError(f"{url}, line {number}: needs a non-empty string field `text`")
            yield {**row, "id": str(row.get("id") or row.get("url") or f"{url}#{number}")}


def is_heldout(doc_id: str, fraction: float) -> bool:
    return in_validation(doc_id, fraction)


def sample_ids(doc_ids: Iterable[str], size: int, seed: int) -> set[str]:
    """`size` ids chosen by the smallest seeded hashes: a uniform sample that only changes where
    the data changes (a new batch swaps in some ids; it does not reshuffle the rest). Streams the
    ids through a bounded heap: memory holds the sample, not every id."""
    largest_first: list[tuple[float, str]] = []  # the sample so far, the largest hash on top
    sample: set[str] = set()
    for doc_id in doc_ids:
        if doc_id in sample:
            continue
        key = stable_fraction(doc_id, seed)
        if len(largest_first) < size:
            heapq.heappush(largest_first, (-key, doc_id))
            sample.add(doc_id)
        elif key < -largest_first[0][0]:
            _, dropped = heapq.heapreplace(largest_first, (-key, doc_id))
            sample.discard(dropped)
            sample.add(doc_id)
    return sample


@dataclass(frozen=True)
class TrainingFileCounts:
    hq_examples: int
    crawl_examples: int
    hq_documents: int
    crawl_documents: int


def write_training_file(path: Path, hq_docs: list[Document], crawl_docs: list[Document],
                        words_per_example: int, seed: int) -> TrainingFileCounts:
    """fastText's `__label__X text` lines from passages of both classes, the larger class
    down-sampled so the two are balanced, shuffled with `seed`."""
    rng = random.Random(seed)
    hq = [p for doc in hq_docs for p in passages(doc.text, words_per_example)]
    crawl = [p for doc in crawl_docs for p in passages(doc.text, words_per_example)]
    size = min(len(hq), len(crawl))
    if size == 0:
        raise ValueError(f"no training examples for one class ({len(hq)} reference passages, "
                         f"{len(crawl)} crawl passages)")
    lines = [f"{HQ_LABEL} {fasttext_line(p)}" for p in rng.sample(hq, size)]
    lines += [f"{CRAWL_LABEL} {fasttext_line(p)}" for p in rng.sample(crawl, size)]
    rng.shuffle(lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return TrainingFileCounts(size, size, len(hq_docs), len(crawl_docs))
