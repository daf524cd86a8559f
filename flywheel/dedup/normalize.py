"""Text normalization before hashing, the way datatrove's `simplify_text` does it.

Lower case, numbers to `0`, punctuation to spaces, whitespace collapsed, diacritics removed, so
that copies differing only in formatting, casing, dates or accents hash the same.

Hashing works on the UTF-8 bytes of the result. The Unicode rules (`_normalize_unicode`) are slow
regexes over every character, yet web pages are ASCII or nearly so, and for those the same rules
run on bytes (a 128-entry translation table and a bytes regex), 4-7x faster. A text takes the
byte path when each of its non-ASCII characters has a stand-in that the byte rules treat as the
Unicode rules treat the character: a space for a separator, the character itself for a plain
letter, the base letters for a precomposed letter (`é` -> `e`). Texts with other characters
(digits of other scripts, loose combining marks) take the Unicode path. A unit test holds both
paths to the same bytes.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import regex

from flywheel.filtering.punctuation import PUNCTUATION

# Digits in any script (`\d` is Unicode's Nd class for str patterns), with an optional decimal part.
_DECIMAL_SEPARATORS = "،٫⎖⎗⎘"
_NUMBERS = re.compile(r"\d+([.,%s]\d+)?" % _DECIMAL_SEPARATORS)
# Runs of punctuation and whitespace become one space (one regex pass instead of two).
_SEPARATORS = re.compile("[" + "".join(re.escape(c) for c in PUNCTUATION) + r"\s]+")
_COMBINING_MARKS = regex.compile(r"\p{Mn}+")

_ASCII_NUMBERS = re.compile(rb"[0-9]+([.,][0-9]+)?")
# ASCII punctuation and control characters to spaces; `bytes.split()` then drops the whitespace.
# Bytes from 128 up are left alone: in UTF-8 they are parts of non-ASCII characters.
_ASCII_SEPARATORS = bytes(ord(" ") if i < 128 and chr(i) in PUNCTUATION else i for i in range(256))
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def normalize_text(text: str) -> str:
    return normalize_utf8(text).decode()


def normalize_utf8(text: str) -> bytes:
    """`normalize_text` as UTF-8 bytes, what exact hashes and shingles are computed from."""
    separated = separated_utf8(text)
    if separated is None:
        return _normalize_unicode(text).encode()
    return b" ".join(separated.split())


def separated_utf8(text: str) -> bytes | None:
    """The text with every rule applied but the last: its words are `.split()`'s (ASCII whitespace
    between them, not yet collapsed to single spaces). None for a text that only the Unicode rules
    normalize correctly."""
    lowered = text.lower()
    if lowered.isascii():
        return _byte_rules(lowered.encode("ascii"))
    for character in set(_NON_ASCII.findall(lowered)):
        stand_in = _find_stand_in(character)
        if stand_in is None:
            return None
        if stand_in != character:
            lowered = lowered.replace(character, stand_in)
    return _byte_rules(lowered.encode())


def _byte_rules(lowered: bytes) -> bytes:
    return _ASCII_NUMBERS.sub(b"0", lowered).translate(_ASCII_SEPARATORS)


@functools.cache  # keyed by character: at most the Unicode repertoire
def _find_stand_in(character: str) -> str | None:
    """What the Unicode rules make of a non-ASCII (lower-case) character wherever it stands, if
    that does not depend on its neighbours: a separator becomes a space, a letter stays or loses
    its diacritics. Digits and decimal separators join numbers, loose marks attach to their
    neighbours: those have no stand-in (numbers come first: a digit that is punctuation too, as
    `１` is, still becomes `0`)."""
    if character in _DECIMAL_SEPARATORS or character.isdecimal():
        return None
    if character in PUNCTUATION or character.isspace():
        return " "
    stripped = _COMBINING_MARKS.sub("", unicodedata.normalize("NFD", character))
    if stripped and all(_is_plain_letter(letter) for letter in stripped):
        return stripped
    return None


def _is_plain_letter(character: str) -> bool:
    """A character that every rule leaves as it is, and that no neighbour changes."""
    if character.isascii():
        return character.isalpha()
    return not (character in _DECIMAL_SEPARATORS or character.isdecimal() or character in PUNCTUATION
                or character.isspace() or unicodedata.combining(character)
                or _COMBINING_MARKS.search(character)
                or unicodedata.normalize("NFD", character) != character)


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
