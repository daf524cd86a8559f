"""Seeded hashes that place a key the same way every time: stable samples and splits that only
change where the data changes (a new batch adds keys; it never moves the old ones)."""

import xxhash


def stable_fraction(key: str, seed: int = 0) -> float:
    """A number in [0, 1) fixed by `key` and `seed`."""
    return xxhash.xxh64_intdigest(key.encode("utf-8"), seed=seed) / 2**64  # bytes: older xxhash refuses str


def in_validation(key: str, fraction: float, seed: int = 1) -> bool:
    """Whether `key` (a document id, a prompt) belongs to the held-out side of a split."""
    return stable_fraction(key, seed) < fraction
