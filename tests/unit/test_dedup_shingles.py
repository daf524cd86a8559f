"""Normalization, shingle hashes and exact Jaccard against plain string definitions."""

import random

import pytest

from flywheel.dedup.normalize import normalize_text, normalized_words
from flywheel.dedup.shingles import jaccard, shingle_hashes

PROSE = (
    "The Python Software Foundation is the organization behind Python. It holds the intellectual "
    "property rights behind Python, runs the developer conferences and raises funds. Python is "
    "distributed under an open source licence that makes it freely usable and distributable, even "
    "for commercial use. The licence is administered by the foundation, which was formed in 2001 "
    "to promote, protect and advance the language and to support its international community."
)


def string_shingles(text: str, size: int) -> set[str]:
    words = normalized_words(text)
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def string_jaccard(a: str, b: str, size: int = 5) -> float:
    left, right = string_shingles(a, size), string_shingles(b, size)
    return len(left & right) / len(left | right)


def test_normalization_ignores_case_punctuation_numbers_spacing_and_accents():
    assert normalize_text("  Café, 2024-11-22:\n\tHELLO!  world... 3.14 ") == "cafe 0 0 0 hello world 0"
    assert normalize_text("Ünïcödé — déjà vu") == normalize_text("unicode deja vu")
    assert normalized_words("...!!!") == []


def test_shingle_hashes_count_distinct_word_ngrams():
    for size in (1, 3, 5):
        assert shingle_hashes(PROSE, size).size == len(string_shingles(PROSE, size))
    repeated = "one two three four five " * 20
    assert shingle_hashes(repeated, 5).size == 5  # five distinct rotations of the sentence


def test_short_and_empty_documents():
    assert shingle_hashes("just three words", 5).size == 1
    assert shingle_hashes("Just three, words!", 5).tolist() == shingle_hashes("just three words", 5).tolist()
    assert shingle_hashes("", 5).size == 0
    assert shingle_hashes("three words here", 5).tolist() != shingle_hashes("three words there", 5).tolist()


def test_word_order_matters_within_a_shingle():
    assert shingle_hashes("a b c d e", 5).tolist() != shingle_hashes("b a c d e", 5).tolist()


@pytest.mark.parametrize("seed", range(5))
def test_jaccard_equals_the_string_set_definition_under_random_edits(seed):
    rng = random.Random(seed)
    words = (PROSE + " " + PROSE.upper()).split()
    edited = list(words)
    for _ in range(rng.randint(1, 12)):
        position = rng.randrange(len(edited))
        action = rng.choice(["insert", "delete", "swap"])
        if action == "insert":
            edited.insert(position, rng.choice(["new", "extra", "words", "2025"]))
        elif action == "delete":
            del edited[position]
        else:
            other = rng.randrange(len(edited))
            edited[position], edited[other] = edited[other], edited[position]
    a, b = " ".join(words), " ".join(edited)
    assert jaccard(shingle_hashes(a, 5), shingle_hashes(b, 5)) == pytest.approx(string_jaccard(a, b))


def test_jaccard_bounds():
    assert jaccard(shingle_hashes(PROSE, 5), shingle_hashes(PROSE.upper(), 5)) == 1.0
    assert jaccard(shingle_hashes(PROSE, 5), shingle_hashes("something else entirely here now", 5)) == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_ascii_fast_path_equals_the_unicode_rules(seed):
    from flywheel.dedup.normalize import _normalize_unicode, normalize_utf8

    rng = random.Random(seed)
    alphabet = [chr(i) for i in range(128)] + ["word", "Word", "12", "3.14", "1,000", " ", "\n"] * 10
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert normalize_utf8(text) == _normalize_unicode(text).encode(), repr(text)


@pytest.mark.parametrize("seed", range(3))
def test_mostly_ascii_texts_take_the_byte_path_with_the_same_result(seed):
    """Letters such as ß or 語 and separators such as a no-break space or « go the fast way; digits
    of other scripts, decimal separators, diacritics and characters that lower-case to a
    combining mark (İ) go the Unicode way: either way the bytes equal the Unicode rules'."""
    from flywheel.dedup.normalize import _normalize_unicode, normalize_utf8

    rng = random.Random(seed)
    non_ascii = ["ß", "語", "ж", "Ж", "ø", "\u00a0", "\u2003", "\u2028", "\x85", "«", "»", "—", "\u201c",
                 "\u2019", "…", "é", "ö", "ñ", "Ç", "e\u0301", "\u0301", "٣", "²", "١٫٥", "،", "İ", "K", "ﬁ", "Å",
                 "한", "\u037e", "\u0344", "\u05b7", "\u0903", "\u00ad", "\u200b", "😀"]
    alphabet = [chr(i) for i in range(128)] + ["word", "12", "3.14", " "] * 10 + non_ascii * 2
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert normalize_utf8(text) == _normalize_unicode(text).encode(), repr(text)


def test_every_character_of_the_basic_plane_normalizes_as_the_unicode_rules_say():
    """Each character between letters, between digits and alone: its stand-in (or the Unicode
    path) gives what the Unicode rules give."""
    from flywheel.dedup.normalize import _normalize_unicode, normalize_utf8

    for code in range(0x80, 0x10000):
        if 0xD800 <= code < 0xE000:
            continue
        c = chr(code)
        text = f"a{c}b 1{c}2 {c} {c}{c}x{c}"
        assert normalize_utf8(text) == _normalize_unicode(text).encode(), hex(code)
