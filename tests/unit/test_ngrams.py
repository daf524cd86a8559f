"""Hashed n-gram statistics against the straightforward string definitions (datatrove's)."""

import random
from collections import Counter

from flywheel.filtering.ngrams import WordNgrams


def top_ngram_chars(words, n):
    counts = Counter(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
    if not counts:
        return 0
    gram, count = counts.most_common(1)[0]
    return len(gram) * count


def repeated_ngram_chars(words, n):
    seen, chars, i = set(), 0, 0
    while i < len(words) - n + 1:
        gram = "".join(words[i:i + n])
        if gram in seen:
            chars += len(gram)
            i += n
        else:
            seen.add(gram)
            i += 1
    return chars


def test_matches_string_definitions_on_repetitive_random_texts():
    rng = random.Random(7)
    for _ in range(1500):
        vocabulary = ["a", "bb", "ccc", "the", "of", "x", "yy"][: rng.randint(1, 7)]
        words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 80))]
        ngrams = WordNgrams(words)
        for n in range(2, 11):
            assert ngrams.repeated_ngram_chars(n) == repeated_ngram_chars(words, n), (words, n)
        for n in (2, 3, 4):
            assert ngrams.top_ngram_chars(n) == top_ngram_chars(words, n), (words, n)


def test_no_repeats_costs_nothing_and_counts_zero():
    ngrams = WordNgrams([f"w{i}" for i in range(1000)])
    assert ngrams.repeated_ngram_chars(5) == 0
    assert ngrams.top_ngram_chars(2) == len("w0 w1")


def test_sizes_skipped_after_one_without_repeats_match_the_string_definitions():
    """In the filter's order (top 2-4, then repeated 5-10) on mostly unrepeated texts, where a size
    without repeats lets every larger size skip its count."""
    rng = random.Random(11)
    vocabulary = [f"w{i}" * rng.randint(1, 3) for i in range(300)]
    for _ in range(600):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 120))]
        if words and rng.random() < 0.5:  # a copied run of words: repeats up to its length
            start, length = rng.randrange(len(words)), rng.randint(2, 12)
            words += words[start:start + length]
        ngrams = WordNgrams(words)
        top = [ngrams.top_ngram_chars(n) for n in (2, 3, 4)]
        repeated = [ngrams.repeated_ngram_chars(n) for n in range(5, 11)]
        assert top == [top_ngram_chars(words, n) for n in (2, 3, 4)], words
        assert repeated == [repeated_ngram_chars(words, n) for n in range(5, 11)], words
