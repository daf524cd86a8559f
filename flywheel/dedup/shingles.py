"""Word n-gram shingles as 64-bit hashes, and the exact Jaccard similarity of two documents.

Each distinct word is hashed once (xxHash64, cached per process); an n-gram's hash combines its
words' hashes polynomially in NumPy, so a document costs one dictionary lookup per word instead
of one string join and hash per n-gram.
"""

from __future__ import annotations

import numpy as np
import xxhash

from flywheel.dedup.normalize import normalized_words

# An odd 64-bit multiplier (from splitmix64): spreads each word hash before the next is added.
_MIX = np.uint64(0x9E3779B97F4A7C15)
_WORD_CACHE_LIMIT = 2_000_000
_word_hashes: dict[str, int] = {}


def _word_hash_array(words: list[str]) -> np.ndarray:
    cache = _word_hashes
    if len(cache) > _WORD_CACHE_LIMIT:
        cache.clear()
    hashes = []
    for word in words:
        value = cache.get(word)
        if value is None:
            value = cache[word] = xxhash.xxh64_intdigest(word)
        hashes.append(value)
    return np.array(hashes, dtype=np.uint64)


def shingle_hashes(text: str, size: int) -> np.ndarray:
    """Distinct hashes of the document's word `size`-grams after normalization (sorted).

    A document shorter than `size` words is one shingle of all its words, so short texts can still
    match their copies; an empty document has no shingles.
    """
    return word_shingle_hashes(normalized_words(text), size)


def word_shingle_hashes(words: list[str], size: int) -> np.ndarray:
    """`shingle_hashes` of words that are normalized already."""
    if not words:
        return np.empty(0, dtype=np.uint64)
    word_hashes = _word_hash_array(words)
    count = max(len(words) - size + 1, 1)
    combined = word_hashes[:count].copy()
    for offset in range(1, min(size, len(words))):
        combined = combined * _MIX + word_hashes[offset:offset + count]
    return np.unique(combined)


def jaccard(left: np.ndarray, right: np.ndarray) -> float:
    """Jaccard similarity of two sorted arrays of distinct shingle hashes."""
    if left.size == 0 and right.size == 0:
        return 1.0
    shared = np.intersect1d(left, right, assume_unique=True).size
    return shared / (left.size + right.size - shared)
