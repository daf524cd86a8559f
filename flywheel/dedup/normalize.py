"""Text normalization before hashing, the way datatrove's `simplify_text` does it.

Lower case, numbers to `0`, punctuation to spaces, whitespace collapsed, diacritics removed, so
that copies differing only in formatting, casing, dates or accents hash the same.
"""

from __future__ import annotations

import re
import unicodedata

import regex

from flywheel.filtering.punctuation import PUNCTUATION

# Digits in any script, with an optional decimal part (`3.14`, `٣٫١٤`).
_NUMBERS = regex.compile(r"\p{Nd}+([.,،٫⎖⎗⎘]{1}\p{Nd}+)?")
_PUNCTUATION_TO_SPACE = str.maketrans(PUNCTUATION, " " * len(PUNCTUATION))
_WHITESPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    text = _NUMBERS.sub("0", text.lower())
    text = _WHITESPACE.sub(" ", text.translate(_PUNCTUATION_TO_SPACE)).strip()
    if not text.isascii():  # the decomposition below costs a Python step per character
        text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return text.strip()


def normalized_words(text: str) -> list[str]:
    normalized = normalize_text(text)
    return normalized.split(" ") if normalized else []
