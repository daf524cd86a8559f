"""Gopher repetition rules (Rae et al. 2021, table A1), as in datatrove's GopherRepetitionFilter."""

from __future__ import annotations

import re

from pydantic import Field

from flywheel.filtering.base import Drop, FilterDoc, StepSettings, above
from flywheel.filtering.ngrams import WordNgrams
from flywheel.filtering.words import spacy_words

_PARAGRAPH_BREAK = re.compile(r"\n{2,}")
_LINE_BREAK = re.compile(r"\n+")


class GopherRepetitionSettings(StepSettings):
    """Gopher (Rae et al. 2021) repetition rules: repeated lines, paragraphs and n-grams."""

    max_dup_para_frac: float | None = Field(
        default=0.3, description="Largest share of paragraphs that repeat an earlier paragraph.")
    max_dup_para_char_frac: float | None = Field(
        default=0.2, description="Largest share of characters in repeated paragraphs.")
    max_dup_line_frac: float | None = Field(
        default=0.3, description="Largest share of lines that repeat an earlier line.")
    max_dup_line_char_frac: float | None = Field(
        default=0.2, description="Largest share of characters in repeated lines.")
    max_top_ngram_char_frac: dict[str, float] = Field(
        default={"2": 0.2, "3": 0.18, "4": 0.16}, description="n -> largest share of characters covered by the most "
                                                              "frequent word n-gram.")
    max_dup_ngram_char_frac: dict[str, float] = Field(
        default={"5": 0.15, "6": 0.14, "7": 0.13, "8": 0.12, "9": 0.11, "10": 0.10},
        description="n -> largest share of characters covered by word n-grams that occur more than once.")


def duplicates(items: list[str]) -> tuple[int, int]:
    """(items seen before, characters in them)."""
    seen: set[str] = set()
    count = chars = 0
    for item in items:
        if item in seen:
            count += 1
            chars += len(item)
        else:
            seen.add(item)
    return count, chars


def _by_size(limits: dict[str, float]) -> list[tuple[int, float]]:
    return sorted((int(n), limit) for n, limit in limits.items())


class GopherRepetition:
    name = "gopher_repetition"

    def __init__(self, settings: GopherRepetitionSettings) -> None:
        self.s = settings

    def apply(self, doc: FilterDoc) -> Drop | None:
        s, text = self.s, doc.text
        if not text:
            return Drop("gopher_repetition.empty", 0, None, "empty text")
        for kind, parts, max_frac, max_char_frac in (
                ("para", _PARAGRAPH_BREAK.split(text.strip()), s.max_dup_para_frac, s.max_dup_para_char_frac),
                ("line", _LINE_BREAK.split(text), s.max_dup_line_frac, s.max_dup_line_char_frac)):
            dup_count, dup_chars = duplicates(parts)
            what = "paragraphs" if kind == "para" else "lines"
            if drop := above(f"gopher_repetition.max_dup_{kind}_frac", dup_count / len(parts),
                             max_frac, f"share of repeated {what}"):
                return drop
            if drop := above(f"gopher_repetition.max_dup_{kind}_char_frac", dup_chars / len(text),
                             max_char_frac, f"share of characters in repeated {what}"):
                return drop
        ngrams = WordNgrams(spacy_words().words(text))
        for n, limit in _by_size(s.max_top_ngram_char_frac):
            if drop := above(f"gopher_repetition.max_top_{n}gram_char_frac",
                             ngrams.top_ngram_chars(n) / len(text), limit,
                             f"share of characters in the top {n}-gram"):
                return drop
        for n, limit in _by_size(s.max_dup_ngram_char_frac):
            if drop := above(f"gopher_repetition.max_dup_{n}gram_char_frac",
                             ngrams.repeated_ngram_chars(n) / len(text), limit,
                             f"share of characters in repeated {n}-grams"):
                return drop
        return None
