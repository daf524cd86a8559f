"""The two texts every ablation model is evaluated on:

- `reference_prose`: clean documentation prose that is never crawled (the bundled reference set),
  and only the part the quality classifier held out, so not even the classifier that selects
  `quality_scored_docs` has seen it;
- `raw_crawl_slice`: raw crawl documents in the evaluation holdout (stable hash of `doc_id`,
  shared with every training split), so the table shows what each stage trades on crawl text too.

Each set is its first documents by a stable hash (it changes only where the data changes), cut at
a word boundary to a fixed length so evaluation time stays bounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flywheel.evaluation.holdout import is_evaluation_document, normalize
from flywheel.quality_classifier.examples import is_heldout, read_jsonl_documents
from flywheel.quality_classifier.settings import ClassifierSettings
from flywheel.stable_hash import stable_fraction

REFERENCE_PROSE, RAW_CRAWL_SLICE = "reference_prose", "raw_crawl_slice"
_ORDER_SEED = 26


@dataclass(frozen=True)
class HeldoutSet:
    name: str
    documents: list[tuple[str, str]]  # (doc_id, text)

    @property
    def bytes(self) -> int:
        return sum(len(text.encode("utf-8")) for _, text in self.documents)


def reference_prose(path: str, count: int, max_chars: int) -> HeldoutSet:
    fraction = ClassifierSettings().heldout_fraction
    rows = ((row["id"], row["text"]) for row in read_jsonl_documents(path) if is_heldout(row["id"], fraction))
    return HeldoutSet(REFERENCE_PROSE, _first(rows, count, max_chars))


def raw_crawl_slice(documents: Iterable[tuple[str, str]], count: int, max_chars: int) -> HeldoutSet:
    """Evaluation-holdout crawl documents, one per distinct (whitespace-normalized) text."""
    unique: dict[str, tuple[str, str]] = {}
    for doc_id, text in documents:
        if is_evaluation_document(doc_id):
            unique.setdefault(normalize(text), (doc_id, text))
    return HeldoutSet(RAW_CRAWL_SLICE, _first(unique.values(), count, max_chars))


def _first(documents: Iterable[tuple[str, str]], count: int, max_chars: int) -> list[tuple[str, str]]:
    ranked = sorted(documents, key=lambda doc: stable_fraction(doc[0], _ORDER_SEED))[:count]
    return [(doc_id, cut(text, max_chars)) for doc_id, text in ranked]


def cut(text: str, max_chars: int) -> str:
    """`text` up to `max_chars` characters, ending at a whitespace when there is one to end at."""
    if len(text) <= max_chars:
        return text
    head = text[:max_chars]
    space = head.rfind(" ")
    return head[:space] if space > max_chars // 2 else head
