"""MinHash signatures (datasketch), LSH band keys and exact-duplicate hashes of documents.

The signature of a document is datasketch's `MinHash` (scheme affine64) over its shingle hashes;
one `MinHash` object per worker is cleared and reused. Band `i`'s key is the xxHash64 of the
signature's values in that band, so two documents share a bucket exactly when a band agrees.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import xxhash
from datasketch import MinHash

from flywheel.dedup.normalize import normalize_text, words_of_normalized
from flywheel.dedup.settings import DedupSettings
from flywheel.dedup.shingles import word_shingle_hashes


def _same(value):
    return value


def exact_hash(text: str) -> int:
    """Signed 64-bit hash of the normalized text: equal for copies that differ only in format."""
    return _hash_normalized(normalize_text(text))


def _hash_normalized(normalized: str) -> int:
    return xxhash.xxh64_intdigest(normalized) - (1 << 63)


class MinHasher:
    def __init__(self, settings: DedupSettings) -> None:
        self.settings = settings
        self.bands, self.rows = settings.banding()
        # Shingles are hashed already; datasketch applies its permutations to them as they are.
        self._minhash = MinHash(num_perm=settings.num_perm, seed=settings.seed, scheme="affine64",
                                hashfunc=_same)

    def signature(self, text: str) -> np.ndarray:
        """The document's MinHash values as uint64; all-max for a text without shingles."""
        return self._signature_of_normalized(normalize_text(text))

    def _signature_of_normalized(self, normalized: str) -> np.ndarray:
        self._minhash.clear()
        self._minhash.update_batch(word_shingle_hashes(words_of_normalized(normalized), self.settings.shingle_size))
        return self._minhash.digest()

    def band_keys(self, signature: np.ndarray) -> np.ndarray:
        bands = signature[: self.bands * self.rows].reshape(self.bands, self.rows)
        return np.array([xxhash.xxh64_intdigest(band.tobytes()) for band in bands], dtype=np.uint64)

    def signature_columns(self, texts: list[str]) -> list[pa.Array]:
        """`exact_hash`, `signature`, `band_keys` of each text (as signed int64 for Parquet/Spark)."""
        hashes, signatures, keys = [], [], []
        for text in texts:
            normalized = normalize_text(text)
            signature = self._signature_of_normalized(normalized)
            hashes.append(_hash_normalized(normalized))
            signatures.append(signature.view(np.int64))
            keys.append(self.band_keys(signature).view(np.int64))
        return [
            pa.array(hashes, pa.int64()),
            _list_array(signatures, self.settings.num_perm),
            _list_array(keys, self.bands),
        ]


def _list_array(rows: list[np.ndarray], width: int) -> pa.Array:
    values = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    offsets = np.arange(0, (len(rows) + 1) * width, width, dtype=np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, pa.int64()))


def estimated_jaccard(left: np.ndarray, right: np.ndarray) -> float:
    """The share of MinHash values two signatures agree on: an unbiased Jaccard estimate."""
    return float(np.mean(left == right))
