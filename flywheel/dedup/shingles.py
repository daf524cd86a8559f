"""Word n-gram shingles as 64-bit hashes, and the exact Jaccard similarity of two documents.

Each distinct word is hashed once (xxHash64 of its UTF-8 bytes, cached per process); an n-gram's
hash combines its words' hashes polynomially in NumPy, so a document costs one dictionary lookup
per word instead of one string join and hash per n-gram.
"""

from __future__ import annotations

import numpy as np
import xxhash

from flywheel.dedup.normalize import normalize_utf8, words_of_normalized

# An odd 64-bit multiplier (from splitmix64): spreads each word hash before the next is added.
_MIX = np.uint64(0x9E3779B97F4A7C15)
_WORD_CACHE_LIMIT = 2_000_000


class _WordHashes(dict):
    """word -> xxHash64 as a signed int64 (which NumPy converts faster than a uint64 above 2^63)."""

    def __missing__(self, word: bytes) -> int:
        value = self[word] = int.from_bytes(xxhash.xxh64_digest(word), "big", signed=True)
        return value


_word_hashes = _WordHashes()


def word_hash_array(words: list[bytes]) -> np.ndarray:
    """Each word's xxHash64 as uint64 (through the per-process cache)."""
    if len(_word_hashes) > _WORD_CACHE_LIMIT:
        _word_hashes.clear()
    signed = np.fromiter(map(_word_hashes.__getitem__, words), dtype=np.int64, count=len(words))
    return signed.view(np.uint64)


def shingle_hashes(text: str, size: int) -> np.ndarray:
    """Distinct hashes of the document's word `size`-grams after normalization (sorted).

    A document shorter than `size` words is one shingle of all its words, so short texts can still
    match their copies; an empty document has no shingles.
    """
    return word_shingle_hashes(words_of_normalized(normalize_utf8(text)), size)


def word_shingle_hashes(words: list[bytes], size: int) -> np.ndarray:
    """`shingle_hashes` of words that are normalized already."""
    if not words:
        return np.empty(0, dtype=np.uint64)
    return sorted_distinct(ngram_hashes(word_hash_array(words), size))


def sorted_distinct(hashes: np.ndarray) -> np.ndarray:
    """The distinct values, sorted."""
    hashes = np.sort(hashes)  # then drop repeats: several times faster than np.unique's hashing for this size
    distinct = np.empty(hashes.size, dtype=bool)
    distinct[:1] = True
    np.not_equal(hashes[1:], hashes[:-1], out=distinct[1:])
    return hashes[distinct]


def ngram_hashes(word_hashes: np.ndarray, size: int) -> np.ndarray:
    """The hash of every run of `size` neighbouring words (of all words, if fewer), in order,
    repeats included. `word_hashes` must not be empty."""
    count = max(word_hashes.size - size + 1, 1)
    combined = word_hashes[:count].copy()
    for offset in range(1, min(size, word_hashes.size)):
        combined *= _MIX  # wraps modulo 2^64
        combined += word_hashes[offset:offset + count]
    return combined


def jaccard(left: np.ndarray, right: np.ndarray) -> float:
    """Jaccard similarity of two sorted arrays of distinct shingle hashes."""
    if left.size == 0 and right.size == 0:
        return 1.0
    if left.size > right.size:
        left, right = right, left
    if left.size == 0:
        return 0.0
    # Binary search of the shorter in the longer: no merge and re-sort as in np.intersect1d.
    positions = np.minimum(np.searchsorted(right, left), right.size - 1)
    shared = int(np.count_nonzero(right[positions] == left))
    return shared / (left.size + right.size - shared)
