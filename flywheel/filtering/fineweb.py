"""FineWeb's own quality rules (Penedo et al. 2024), as in datatrove's FineWebQualityFilter."""

from __future__ import annotations

from pydantic import Field

from flywheel.filtering.base import Drop, FilterDoc, StepSettings, above, below
from flywheel.filtering.gopher_repetition import duplicates
from flywheel.filtering.punctuation import TERMINAL_PUNCTUATION
from flywheel.filtering.words import spacy_words

_STOP_CHARS = tuple(TERMINAL_PUNCTUATION)


class FineWebSettings(StepSettings):
    """FineWeb's own rules (Penedo et al. 2024): punctuation, short lines, repeated lines, line breaks."""

    min_line_punct_ratio: float | None = Field(
        default=0.12, description="Smallest share of lines that end in terminal punctuation.")
    max_short_line_ratio: float | None = Field(
        default=0.67, description="Largest share of lines of at most `short_line_length` characters.")
    short_line_length: int = Field(default=30, description="Characters up to which a line counts as short.")
    max_dup_line_char_ratio: float | None = Field(
        default=0.01, description="Largest share of characters in lines that repeat an earlier line.")
    max_newline_word_ratio: float | None = Field(
        default=0.3, description="Largest ratio of line breaks to words (lists of fragments).")


class FineWeb:
    name = "fineweb"

    def __init__(self, settings: FineWebSettings) -> None:
        self.s = settings

    def apply(self, doc: FilterDoc) -> Drop | None:
        s, text = self.s, doc.text
        lines = [line for line in text.split("\n") if line.strip()]
        if not lines:
            return Drop("fineweb.empty", 0, None, "no non-blank lines")
        if drop := below("fineweb.min_line_punct_ratio",
                         sum(line.endswith(_STOP_CHARS) for line in lines) / len(lines),
                         s.min_line_punct_ratio, "share of lines ending in punctuation"):
            return drop
        if drop := above("fineweb.max_short_line_ratio",
                         sum(len(line) <= s.short_line_length for line in lines) / len(lines),
                         s.max_short_line_ratio, f"share of lines of <= {s.short_line_length} characters"):
            return drop
        if drop := above("fineweb.max_dup_line_char_ratio",
                         duplicates(lines)[1] / len(text.replace("\n", "")), s.max_dup_line_char_ratio,
                         "share of characters in repeated lines"):
            return drop
        words = spacy_words().words(text)
        return above("fineweb.max_newline_word_ratio", text.count("\n") / len(words),
                     s.max_newline_word_ratio, "newlines per word")
