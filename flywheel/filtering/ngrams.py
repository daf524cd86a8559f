"""Repetition statistics over word n-grams, computed on integer keys with NumPy.

Each word becomes a 64-bit hash and each n-gram a rolling combination of them, so counting and
matching n-grams needs no string building. Character lengths come from prefix sums of word lengths.
"""

from __future__ import annotations

import numpy as np

_MIX = np.uint64(0x9E3779B97F4A7C15)


class WordNgrams:
    def __init__(self, words: list[str]) -> None:
        self.n_words = len(words)
        self._ids = np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        self._prefix = np.concatenate(([0], np.cumsum(lengths)))
        self._keys = {1: self._ids}
        # The smallest n known to have no repeated n-gram: no larger n has one either (a repeated
        # n-gram starts with a repeated (n-1)-gram), so most documents skip the larger sizes' sorts.
        # At first the smallest n with no n-gram at all.
        self._unrepeated_from = self.n_words + 1

    def keys(self, n: int) -> np.ndarray:
        """One key per n-gram starting at each position (n_words - n + 1 of them)."""
        if n not in self._keys:
            with np.errstate(over="ignore"):  # wrap-around multiplication is the point
                self._keys[n] = self.keys(n - 1)[:-1] * _MIX + self._ids[n - 1:]
        return self._keys[n]

    def chars(self, start: np.ndarray | int, n: int) -> np.ndarray | int:
        """Characters in the n-gram(s) at `start`, words joined without separator."""
        return self._prefix[np.asarray(start) + n] - self._prefix[start]

    def top_ngram_chars(self, n: int) -> int:
        """Characters of the most frequent n-gram joined with spaces, times its count.

        Ties go to the n-gram seen first, as with `Counter.most_common`."""
        if self.n_words < n:
            return 0
        _, first, counts = np.unique(self.keys(n), return_index=True, return_counts=True)
        most = counts.max()
        if most == 1:
            self._unrepeated_from = min(self._unrepeated_from, n)
        start = int(first[counts == most].min())
        return int((self.chars(start, n) + n - 1) * most)

    def repeated_ngram_chars(self, n: int) -> int:
        """Characters in n-grams that repeat an earlier one; after a repeat the scan jumps n words.

        Same result as datatrove's word-by-word scan, but only positions whose n-gram occurred
        before are visited: a position is a repeat if an earlier occurrence was not jumped over.
        """
        if n >= self._unrepeated_from:
            return 0
        keys = self.keys(n)
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        first_at = first[inverse]
        repeats = np.flatnonzero(first_at < np.arange(len(keys)))
        if not repeats.size:
            self._unrepeated_from = min(self._unrepeated_from, n)
            return 0
        chars, next_scanned, jumped = 0, 0, set()
        for j in repeats.tolist():
            if j < next_scanned:
                continue
            if int(first_at[j]) in jumped:
                earlier = np.flatnonzero(keys[:j] == keys[j]).tolist()
                if all(q in jumped for q in earlier):
                    continue  # every earlier occurrence was jumped over: a new n-gram
            chars += int(self.chars(j, n))
            jumped.update(range(j + 1, j + n))
            next_scanned = j + n
        return chars
