"""Paired statistics against hand-computed values."""

import math

import numpy as np
import pytest

from flywheel.evaluation import paired


def test_mcnemar_exact_matches_the_binomial_by_hand():
    # 10 items: both pass 1, only the candidate passes 1, only production passes 7, both fail 1.
    candidate = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    production = [1, 0, 1, 1, 1, 1, 1, 1, 1, 0]
    only_candidate, only_production, p = paired.mcnemar_exact(candidate, production)
    assert (only_candidate, only_production) == (1, 7)
    # Two-sided exact: 2 * P(X <= 1), X ~ Binomial(8, 1/2) = 2 * (1 + 8) / 256.
    assert p == pytest.approx(2 * 9 / 256)


def test_mcnemar_without_discordant_items_is_not_significant():
    assert paired.mcnemar_exact([1, 0, 1], [1, 0, 1]) == (0, 0, 1.0)


def test_paired_interval_is_narrower_than_the_unpaired_one_on_correlated_items():
    rng = np.random.default_rng(1)
    difficulty = rng.normal(0, 1, 300)
    production = difficulty + rng.normal(0, 0.1, 300)
    candidate = difficulty + 0.05 + rng.normal(0, 0.1, 300)
    interval = paired.mean_difference(candidate, production)
    assert interval.estimate == pytest.approx(float(np.mean(candidate - production)))
    assert interval.low > 0  # paired: the small, consistent gain is significant
    unpaired_se = math.sqrt(np.var(candidate) / 300 + np.var(production) / 300)
    assert interval.high - interval.low < 2 * 1.96 * unpaired_se / 3


def test_ratio_difference_of_bits_per_byte_by_hand():
    bits_candidate, bits_production, size = [8.0, 4.0], [10.0, 6.0], [4, 4]
    interval = paired.ratio_difference(bits_candidate, bits_production, size)
    assert interval.estimate == pytest.approx(12 / 8 - 16 / 8)
    relative = paired.ratio_difference(bits_candidate, bits_production, size, relative=True)
    assert relative.estimate == pytest.approx((12 / 8 - 16 / 8) / (16 / 8))
    assert relative.low <= relative.estimate <= relative.high


def test_bootstrap_of_nothing_is_nan():
    assert math.isnan(paired.mean([]).estimate)
