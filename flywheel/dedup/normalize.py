"""Text normalization before hashing, the way datatrove's `simplify_text` does it.

Lower case, numbers to `0`, punctuation to spaces, whitespace collapsed, diacritics removed, so
that copies differing only in formatting, casing, dates or accents hash the same.

Hashing works on the UTF-8 bytes of the result. Most web pages are ASCII, and for them the same
rules run on bytes (a 256-entry translation table and a bytes regex), about twice as fast as the
Unicode path; both give the same bytes for an ASCII text (a unit test holds them to it).
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

_ASCII_NUMBERS = re.compile(rb"[0-9]+([.,][0-9]+)?")
# ASCII punctuation and control characters to spaces; `bytes.split()` then drops the whitespace.
_ASCII_SEPARATORS = bytes(ord(" ") if chr(i) in PUNCTUATION else i for i in range(256))


def normalize_text(text: str) -> str:
    return normalize_utf8(text).decode()


def normalize_utf8(text: str) -> bytes:
    """`normalize_text` as UTF-8 bytes, what exact hashes and shingles are computed from."""
    if text.isascii():
        numbers_as_zero = _ASCII_NUMBERS.sub(b"0", text.lower().encode("ascii"))
        return b" ".join(numbers_as_zero.translate(_ASCII_SEPARATORS).split())
    return _normalize_unicode(text).encode()


def _normalize_unicode(text: str) -> str:
    text = _NUMBERS.sub("0", text.lower())
    text = _SEPARATORS.sub(" ", text).strip()
    if not text.isascii():
        text = _COMBINING_MARKS.sub("", unicodedata.normalize("NFD", text))
    return text.strip()


def normalized_words(text: str) -> list[str]:
    return [word.decode() for word in words_of_normalized(normalize_utf8(text))]


def words_of_normalized(normalized: bytes) -> list[bytes]:
    return normalized.split(b" ") if normalized else []
