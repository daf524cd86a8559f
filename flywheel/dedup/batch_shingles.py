"""Word shingle hashes of many documents at once, for the signature step.

`shingles.shingle_hashes` takes one document at a time: it splits the normalized text into `bytes`
words and looks each up in a dictionary of word hashes, which is most of a document's cost. Here
the per-document Python work stops after the rules that change characters
(`normalize.separated_utf8`). The documents are then joined into one buffer, and word boundaries,
word hashes, n-grams and the normalized texts come from NumPy passes over it:

- a word of at most 8 bytes is its own 64-bit key (zero-padded: no word holds a NUL byte, the rules
  turn it into a separator), so the batch's distinct short words come from one hash-table pass
  (Arrow's `dictionary_encode`) and only those are looked up in the per-process cache of word hashes;
- a longer word is looked up in the same cache by its bytes;
- n-grams combine neighbouring word hashes as `shingles.ngram_hashes` does.

The values equal the per-document path's (a unit test holds them to it), but they are neither
distinct nor sorted: a MinHash minimum does not care about repeats. A text that only the Unicode
rules normalize takes the per-document path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from flywheel.dedup.normalize import normalize_utf8, separated_utf8, words_of_normalized
from flywheel.dedup.shingles import ngram_hashes, word_hash_array

# Characters of text shingled in one batch: buffers of a few tens of MiB.
_PART_CHARACTERS = 4 << 20
_PACKED_BYTES = 8
# After the rules, the only bytes up to the space are whitespace (every other control character
# and all punctuation became a space), so a byte above it belongs to a word.
_SPACE = np.uint8(ord(" "))
# The low n bytes of a uint64, for n = 0..8.
_LOW_BYTES = np.array([(1 << (8 * n)) - 1 for n in range(_PACKED_BYTES + 1)], dtype=np.uint64)


@dataclass
class BatchShingles:
    normalized: list[bytes]  # each document's normalized text, as `normalize_utf8` gives it
    hashes: np.ndarray  # uint64: the documents' shingle hashes one after another, repeats kept
    offsets: np.ndarray  # document i's hashes are hashes[offsets[i]:offsets[i + 1]]


def batch_shingles(texts: list[str], size: int) -> BatchShingles:
    separated = [separated_utf8(text) for text in texts]
    normalized, word_hashes, word_counts = _words(texts, separated)
    hashes, shingle_counts = _ngrams(word_hashes, word_counts, size)
    return BatchShingles(normalized, hashes, _offsets(shingle_counts))


def in_parts(texts: list[str]) -> Iterator[list[str]]:
    """Consecutive runs of texts of about `_PART_CHARACTERS` in all (at least one text each), to
    shingle one at a time, so the buffers stay small whatever the number of texts."""
    part: list[str] = []
    characters = 0
    for text in texts:
        part.append(text)
        characters += len(text)
        if characters >= _PART_CHARACTERS:
            yield part
            part, characters = [], 0
    if part:
        yield part


def _offsets(counts: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))


def _words(texts: list[str], separated: list[bytes | None]) -> tuple[list[bytes], np.ndarray, np.ndarray]:
    """(normalized texts, word hashes of all documents in order, words per document)."""
    on_bytes = [doc for doc, text in enumerate(separated) if text is not None]
    normalized, hashes, counts = _words_of_separated([separated[doc] for doc in on_bytes])
    if len(on_bytes) == len(texts):
        return normalized, hashes, counts
    # Documents the Unicode rules normalize: one at a time, spliced in at their places.
    per_doc_normalized: list[bytes] = [b""] * len(texts)
    per_doc_hashes: list[np.ndarray] = [np.empty(0, np.uint64)] * len(texts)
    for doc, text, hashes_of_doc in zip(on_bytes, normalized, np.split(hashes, np.cumsum(counts)[:-1])):
        per_doc_normalized[doc], per_doc_hashes[doc] = text, hashes_of_doc
    for doc in sorted(set(range(len(texts))) - set(on_bytes)):
        per_doc_normalized[doc] = normalize_utf8(texts[doc])
        per_doc_hashes[doc] = word_hash_array(words_of_normalized(per_doc_normalized[doc]))
    return (per_doc_normalized, np.concatenate(per_doc_hashes),
            np.array([part.size for part in per_doc_hashes], dtype=np.int64))


def _words_of_separated(separated: list[bytes]) -> tuple[list[bytes], np.ndarray, np.ndarray]:
    if not separated:
        return [], np.empty(0, np.uint64), np.empty(0, np.int64)
    # A space after every document, so no word runs from one into the next.
    joined = b" ".join(separated) + b" "
    buffer = np.frombuffer(joined, dtype=np.uint8)
    doc_starts = _offsets(np.array([len(text) + 1 for text in separated]))
    is_word = buffer > _SPACE
    edges = np.diff(is_word.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    first_words = np.searchsorted(starts, doc_starts)
    normalized = _normalized(buffer, is_word, _offsets(ends - starts + 1)[first_words].tolist())
    return normalized, _word_hashes(joined, buffer, starts, ends), np.diff(first_words)


def _normalized(buffer: np.ndarray, is_word: np.ndarray, bounds: list[int]) -> list[bytes]:
    """Each document's words joined by single spaces. Every word byte is kept, and the first
    separator after each word, as a space, so document i is kept[bounds[i]:bounds[i + 1]] less its
    last byte (`bounds`: cumulative word lengths plus one, at each document's first word)."""
    keep = is_word.copy()
    keep[1:] |= is_word[:-1]
    kept = buffer[keep]
    kept[kept < _SPACE] = _SPACE  # a tab or newline after a word
    kept = kept.tobytes()
    return [kept[start:end - 1] if end > start else b"" for start, end in zip(bounds[:-1], bounds[1:])]


def _word_hashes(joined: bytes, buffer: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    lengths = ends - starts
    hashes = np.empty(starts.size, dtype=np.uint64)
    short = lengths <= _PACKED_BYTES
    encoded = pa.array(_packed(buffer, starts[short], lengths[short])).dictionary_encode()
    hashes[short] = _packed_word_hashes(encoded.dictionary.to_numpy())[encoded.indices.to_numpy()]
    longer = np.flatnonzero(~short)
    hashes[longer] = word_hash_array([joined[start:end] for start, end in
                                      zip(starts[longer].tolist(), ends[longer].tolist())])
    return hashes


def _packed(buffer: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Words of at most 8 bytes as little-endian uint64, zero-padded: the 8 bytes from each start
    (read through a view with a uint64 at every byte offset), the bytes past the word cleared."""
    padded = np.concatenate((buffer, np.zeros(_PACKED_BYTES, np.uint8)))
    at_every_byte = np.ndarray((buffer.size,), dtype="<u8", buffer=padded, strides=(1,))
    return at_every_byte[starts] & _LOW_BYTES[lengths]


def _packed_word_hashes(keys: np.ndarray) -> np.ndarray:
    words = [key.to_bytes(_PACKED_BYTES, "little").rstrip(b"\0") for key in keys.tolist()]
    return word_hash_array(words)


def _ngrams(word_hashes: np.ndarray, counts: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(every document's n-gram hashes in order, n-grams per document). A document of fewer than
    `size` words has one n-gram of all of them, as in `ngram_hashes`."""
    shingle_counts = np.where(counts >= size, counts - size + 1, np.minimum(counts, 1))
    shingles = np.empty(int(shingle_counts.sum()), dtype=np.uint64)
    slots = _offsets(shingle_counts)
    word_ends = np.cumsum(counts)
    short = np.flatnonzero((counts > 0) & (counts < size))
    for doc in short.tolist():
        shingles[slots[doc]] = ngram_hashes(word_hashes[word_ends[doc] - counts[doc]:word_ends[doc]], size)[0]
    span = word_hashes.size - size + 1
    if span > 0:
        combined = ngram_hashes(word_hashes, size)  # across document boundaries: those are dropped
        # The last size - 1 starts of each document run into the next one (for a shorter document,
        # that reaches only into the previous document's own last starts).
        fits = np.ones(span, dtype=bool)
        overhanging = (word_ends[:, None] - np.arange(1, size)).ravel()
        fits[overhanging[(overhanging >= 0) & (overhanging < span)]] = False
        is_long_slot = np.ones(shingles.size, dtype=bool)
        is_long_slot[slots[short]] = False
        shingles[is_long_slot] = combined[fits]
    return shingles, shingle_counts
