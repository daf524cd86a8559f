"""Paired statistics: both models answer the same items, so compare them item by item.

An unpaired test on paired items ignores that most items are easy or hard for both models and so
understates significance (lm-eval's comparator does this; see ANCHORS.md). Here, intervals come
from a paired bootstrap (resample items, keep each item's two results together) and a binary
outcome's significance from the exact McNemar test on the discordant items.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float


def bootstrap(n_items: int, statistic: Callable[[np.ndarray], np.ndarray], iterations: int = 2000,
              seed: int = 0, confidence: float = CONFIDENCE) -> Interval:
    """Percentile interval of `statistic`, a function of an (iterations, n_items) index matrix that
    returns one value per row; the estimate is the statistic on the items as they are."""
    if n_items == 0:
        return Interval(math.nan, math.nan, math.nan)
    rng = np.random.default_rng(seed)
    samples = statistic(rng.integers(0, n_items, size=(iterations, n_items)))
    estimate = float(statistic(np.arange(n_items)[None, :])[0])
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return Interval(estimate, float(low), float(high))


def mean_difference(candidate, production, **options) -> Interval:
    """Mean of candidate - production over paired items."""
    diff = np.asarray(candidate, dtype=float) - np.asarray(production, dtype=float)
    return bootstrap(len(diff), lambda idx: diff[idx].mean(axis=1), **options)


def mean(values, **options) -> Interval:
    values = np.asarray(values, dtype=float)
    return bootstrap(len(values), lambda idx: values[idx].mean(axis=1), **options)


def ratio_difference(candidate_num, production_num, denominator, relative: bool = False, **options) -> Interval:
    """sum(candidate_num)/sum(den) - sum(production_num)/sum(den) over paired items (bits per byte:
    bits over bytes, with the same bytes for both), or that difference over production's ratio."""
    cand, prod, den = (np.asarray(a, dtype=float) for a in (candidate_num, production_num, denominator))

    def statistic(idx):
        total = den[idx].sum(axis=1)
        cand_ratio, prod_ratio = cand[idx].sum(axis=1) / total, prod[idx].sum(axis=1) / total
        return (cand_ratio - prod_ratio) / prod_ratio if relative else cand_ratio - prod_ratio
    return bootstrap(len(den), statistic, **options)


def mcnemar_exact(candidate_passed, production_passed) -> tuple[int, int, float]:
    """(items only the candidate passes, items only production passes, two-sided exact p-value)."""
    cand, prod = (np.asarray(a, dtype=bool) for a in (candidate_passed, production_passed))
    only_candidate, only_production = int((cand & ~prod).sum()), int((prod & ~cand).sum())
    discordant = only_candidate + only_production
    if discordant == 0:
        return only_candidate, only_production, 1.0
    tail = sum(math.comb(discordant, k) for k in range(min(only_candidate, only_production) + 1)) / 2**discordant
    return only_candidate, only_production, min(1.0, 2 * tail)
