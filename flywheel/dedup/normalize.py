"""Text normalization before hashing, the way datatrove's `simplify_text` does it.

Lower case, numbers to `0`, punctuation to spaces, whitespace collapsed, diacritics removed, so
that copies differing only in formatting, casing, dates or accents hash the same.
"""

from __future__ import annotations

import re
import unicodedata

import regex

from flywheel.filtering.punctuation import PUNCTUATION

# Digits in any script (`\d` is Unicode's Nd class for str patterns), with an optional decimal part.
_NUMBERS = re.compile(r"\d+([.,،٫⎖⎗⎘]\d+)?")
# Runs of punctuation and whitespace become one space (one regex pass instead of two).
_SEPARATORS = re.compile("[" + "".join(re.escape(c) for c in PUNCTUATION) + r"\s]+")
_COMBINING_MARKS = regex.compile(r"\p{Mn}+")


def normalize_text(text: str) -> str:
    text = _NUMBERS.sub("0", text.lower())
    text = _SEPARATORS.sub(" ", text).strip()
    if not text.isascii():
        text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFD", text))
    return text.strip()


def normalized_words(text: str) -> list[str]:
    return words_of_normalized(normalize_text(text))


def words_of_normalized(normalized: str) -> list[str]:
    return normalized.split(" ") if normalized else []
