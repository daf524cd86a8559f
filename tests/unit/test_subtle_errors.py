"""Subtly wrong answers for simulated feedback: one fact changed."""

import random

from flywheel.feedback.subtle_errors import SWAPS, subtly_wrong


def test_one_confusable_word_or_number_changes_and_nothing_else():
    rng = random.Random(0)
    answer = "A Tuple is immutable; it has 3 items."
    changed = {subtly_wrong(answer, rng) for _ in range(30)}
    assert changed == {"A List is immutable; it has 3 items.", "A Tuple is mutable; it has 3 items.",
                       "A Tuple is immutable; it has 4 items.", "A Tuple is immutable; it has 5 items.",
                       "A Tuple is immutable; it has 13 items."}


def test_an_answer_with_nothing_to_change_gives_none():
    assert subtly_wrong("Hello there, friend.", random.Random(0)) is None
    assert subtly_wrong("Use the 2to3 tool.", random.Random(0)) is None  # not a number, not a listed word


def test_swaps_go_both_ways():
    assert all(SWAPS[SWAPS[word]] == word for word in SWAPS)
