"""Repetition statistics over word n-grams, computed on integer keys with NumPy.

Each word becomes a 64-bit hash and each n-gram a rolling combination of them, so counting and
matching n-grams needs no string building. The keys are numbered in order of first appearance with
a hash table (`pandas.factorize`: linear, where sorting them cost most of the filter's time on long
documents). Character lengths come from prefix sums of word lengths.
"""

from __future__ import annotations

from itertools import accumulate

import numpy as np
import pandas as pd

_MIX = np.uint64(0x9E3779B97F4A7C15)


class WordNgrams:
    def __init__(self, words: list[str]) -> None:
        self.n_words = len(words)
        self._ids = np.fromiter(map(hash, words), dtype=np.int64, count=len(words)).view(np.uint64)
        self._prefix = list(accumulate(map(len, words), initial=0))  # read one at a time: Python ints
        self._keys = {1: self._ids}
        # The smallest n known to have no repeated n-gram: no larger n has one either (a repeated
        # n-gram starts with a repeated (n-1)-gram), so most documents skip the larger sizes' counts.
        # At first the smallest n with no n-gram at all.
        self._unrepeated_from = self.n_words + 1

    def keys(self, n: int) -> np.ndarray:
        """One key per n-gram starting at each position (n_words - n + 1 of them)."""
        if n not in self._keys:
            with np.errstate(over="ignore"):  # wrap-around multiplication is the point
                self._keys[n] = self.keys(n - 1)[:-1] * _MIX + self._ids[n - 1:]
        return self._keys[n]

    def _codes(self, n: int) -> np.ndarray:
        """Per position, its n-gram's number: 0, 1, 2, ... in order of first appearance."""
        codes = pd.factorize(self.keys(n))[0]
        if len(codes) and codes[-1] == len(codes) - 1:  # every position a new n-gram
            self._unrepeated_from = min(self._unrepeated_from, n)
        return codes

    def chars(self, start: int, n: int) -> int:
        """Characters in the n-gram at `start`, words joined without separator."""
        return self._prefix[start + n] - self._prefix[start]

    def top_ngram_chars(self, n: int) -> int:
        """Characters of the most frequent n-gram joined with spaces, times its count.

        Ties go to the n-gram seen first, as with `Counter.most_common`: the lowest number."""
        if self.n_words < n:
            return 0
        codes = self._codes(n)
        counts = np.bincount(codes)
        most = int(counts.argmax())
        start = int(np.argmax(codes == most))
        return (self.chars(start, n) + n - 1) * int(counts[most])

    def repeated_ngram_chars(self, n: int) -> int:
        """Characters in n-grams that repeat an earlier one; after a repeat the scan jumps n words.

        Same result as datatrove's word-by-word scan, but only positions whose n-gram occurred
        before are visited: a position is a repeat if an earlier occurrence was not jumped over.
        """
        if n >= self._unrepeated_from:
            return 0
        codes = self._codes(n)
        if n >= self._unrepeated_from:  # no n-gram repeats
            return 0
        # Numbers are handed out in order, so a position is an n-gram's first occurrence exactly
        # where the running maximum of the numbers grows.
        running = np.maximum.accumulate(codes)
        is_first = np.empty(len(codes), dtype=bool)
        is_first[0], is_first[1:] = True, running[1:] > running[:-1]
        first_at = np.flatnonzero(is_first)  # first_at[c]: where n-gram c first occurs
        chars, next_scanned, jumped = 0, 0, set()
        for j in np.flatnonzero(~is_first).tolist():
            if j < next_scanned:
                continue
            code = int(codes[j])
            if int(first_at[code]) in jumped:
                earlier = np.flatnonzero(codes[:j] == code).tolist()
                if all(q in jumped for q in earlier):
                    continue  # every earlier occurrence was jumped over: a new n-gram
            chars += self.chars(j, n)
            jumped.update(range(j + 1, j + n))
            next_scanned = j + n
        return chars
