"""Gopher quality rules (Rae et al. 2021, table A1), as in datatrove's GopherQualityFilter."""

from __future__ import annotations

from itertools import compress
from operator import itemgetter

from pydantic import Field

from flywheel.filtering.base import Drop, FilterDoc, StepSettings, above, below
from flywheel.filtering.punctuation import PUNCTUATION_SET
from flywheel.filtering.words import spacy_words

STOP_WORDS = ("the", "be", "to", "of", "and", "that", "have", "with")


class GopherQualitySettings(StepSettings):
    """Gopher (Rae et al. 2021) quality rules: document length, word length, symbols, bullets, stop words."""

    min_doc_words: int | None = Field(default=50, description="Fewest words a document may have.")
    max_doc_words: int | None = Field(default=100_000, description="Most words a document may have.")
    min_avg_word_length: float | None = Field(default=3, description="Smallest mean word length (characters).")
    max_avg_word_length: float | None = Field(default=10, description="Largest mean word length (characters).")
    max_symbol_word_ratio: float | None = Field(
        default=0.1, description="Largest ratio of `#` and ellipsis symbols to words.")
    max_bullet_lines_ratio: float | None = Field(
        default=0.9, description="Largest share of lines that start with a bullet.")
    max_ellipsis_lines_ratio: float | None = Field(
        default=0.3, description="Largest share of lines that end with an ellipsis.")
    min_alpha_words_ratio: float | None = Field(
        default=0.8, description="Smallest share of words that contain a letter.")
    min_stop_words: int | None = Field(
        default=2, description="Fewest distinct stop words (of `stop_words`) a document must contain.")
    stop_words: list[str] = Field(
        default=list(STOP_WORDS), description="The stop words `min_stop_words` counts (Gopher's "
                                              "English list).")


_WORD_FACTS: dict[str, tuple[bool, bool]] = {}


def word_facts(words: list[str]) -> list[tuple[bool, bool]]:
    """For each word: (has a character that is not punctuation, has a letter), memoized per
    distinct word (web text repeats a small vocabulary, so most words are one dict lookup)."""
    if len(_WORD_FACTS) > 1_000_000:
        _WORD_FACTS.clear()
    for word in set(words).difference(_WORD_FACTS):
        _WORD_FACTS[word] = (any(ch not in PUNCTUATION_SET for ch in word), any(ch.isalpha() for ch in word))
    return list(map(_WORD_FACTS.__getitem__, words))


class GopherQuality:
    name = "gopher_quality"

    def __init__(self, settings: GopherQualitySettings) -> None:
        self.s = settings
        self._stop_words = frozenset(settings.stop_words)

    def apply(self, doc: FilterDoc) -> Drop | None:
        s, text = self.s, doc.text
        words = spacy_words().words(text)
        n_words = len(words)
        # Word counts and lengths ignore tokens made only of punctuation.
        facts = word_facts(words)
        content_words = list(compress(words, map(itemgetter(0), facts)))
        n_content = len(content_words)
        if drop := below("gopher_quality.min_doc_words", n_content, s.min_doc_words, "words"):
            return drop
        if drop := above("gopher_quality.max_doc_words", n_content, s.max_doc_words, "words"):
            return drop
        mean_length = sum(map(len, content_words)) / n_content if n_content else 0.0
        if n_content:
            if drop := below("gopher_quality.min_avg_word_length", mean_length, s.min_avg_word_length,
                             "mean word length"):
                return drop
            if drop := above("gopher_quality.max_avg_word_length", mean_length, s.max_avg_word_length,
                             "mean word length"):
                return drop
        if not n_words:
            return Drop("gopher_quality.min_doc_words", 0, s.min_doc_words, "no words")
        if drop := above("gopher_quality.max_hash_word_ratio", text.count("#") / n_words,
                         s.max_symbol_word_ratio, "'#' per word"):
            return drop
        if drop := above("gopher_quality.max_ellipsis_word_ratio",
                         (text.count("...") + text.count("…")) / n_words, s.max_symbol_word_ratio,
                         "ellipses per word"):
            return drop
        lines = text.splitlines()
        bullets = sum(line.lstrip().startswith(("•", "-")) for line in lines)
        if drop := above("gopher_quality.max_bullet_lines_ratio", bullets / len(lines),
                         s.max_bullet_lines_ratio, "share of lines starting with a bullet"):
            return drop
        ellipsis_ends = sum(line.rstrip().endswith(("...", "…")) for line in lines)
        if drop := above("gopher_quality.max_ellipsis_lines_ratio", ellipsis_ends / len(lines),
                         s.max_ellipsis_lines_ratio, "share of lines ending with an ellipsis"):
            return drop
        alpha_words = sum(map(itemgetter(1), facts))
        if drop := below("gopher_quality.min_alpha_words_ratio", alpha_words / n_words,
                         s.min_alpha_words_ratio, "share of words with a letter"):
            return drop
        stop_words = len(self._stop_words.intersection(words))
        return below("gopher_quality.min_stop_words", stop_words, s.min_stop_words, "distinct stop words")
