"""Word n-gram overlap between held-out documents and training text (GPT-3-style decontamination):
which held-out documents a training set contains, and which training documents copy a held-out one.

Memory holds the held-out n-grams only; training text streams past them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"\w+")


def ngram_keys(text: str, n: int) -> set[int]:
    """Hashes of the lowercased word n-grams of `text` (the whole text as one, if it is shorter).
    Python's own tuple hash: fast, and stable within a process, which is all an index needs (keys
    are never stored or compared across processes)."""
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return {hash(tuple(words))} if words else set()
    return {hash(tuple(words[i:i + n])) for i in range(len(words) - n + 1)}


class OverlapIndex:
    """The n-grams of a held-out set, and which of them training text has shown so far."""

    def __init__(self, documents: Iterable[tuple[str, str]], n: int) -> None:
        self.grams = {doc_id: ngram_keys(text, n) for doc_id, text in documents}
        self.owners: dict[int, list[str]] = {}
        for doc_id, grams in self.grams.items():
            for gram in grams:
                self.owners.setdefault(gram, []).append(doc_id)
        self.seen: set[int] = set()

    def largest_share(self, grams: set[int]) -> float:
        """The largest share of any one held-out document's n-grams that a text (its `ngram_keys`)
        contains."""
        counts: dict[str, int] = {}
        for gram in grams:
            for doc_id in self.owners.get(gram, ()):
                counts[doc_id] = counts.get(doc_id, 0) + 1
        return max((count / len(self.grams[doc_id]) for doc_id, count in counts.items()), default=0.0)

    def observe(self, grams: set[int]) -> None:
        """Record the held-out n-grams a training document (its `ngram_keys`) contains."""
        self.seen.update(gram for gram in grams if gram in self.owners)

    def leaked(self, threshold: float) -> dict[str, float]:
        """Held-out documents with at least `threshold` of their n-grams seen in training -> that share."""
        shares = {doc_id: len(grams & self.seen) / len(grams) for doc_id, grams in self.grams.items() if grams}
        return {doc_id: round(share, 4) for doc_id, share in shares.items() if share >= threshold}
