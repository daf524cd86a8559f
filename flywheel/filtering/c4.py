"""C4 line and document rules (Raffel et al. 2020), as in datatrove's C4QualityFilter.

Lines failing a line rule are removed from the text; a document fails if it mentions "lorem
ipsum" or a curly bracket, or keeps fewer than `min_sentences` sentences.
"""

from __future__ import annotations

import re

from pydantic import Field

from flywheel.filtering.base import Drop, FilterDoc, StepSettings, below
from flywheel.filtering.words import spacy_words

_CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
END_PUNCTUATION = (".", "?", "!", '"', "'")
POLICY_PHRASES = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
                  "use cookies")


class C4Settings(StepSettings):
    """C4 (Raffel et al. 2020) rules: boilerplate lines removed, then documents without enough text dropped."""

    remove_citations: bool = Field(
        default=True, description="Remove Wikipedia-style citation markers such as [1] or [citation needed].")
    # FineWeb runs C4 without the terminal-punctuation line rule; it removes most of code/docs pages.
    drop_lines_without_terminal_punct: bool = Field(
        default=False, description="Remove lines that do not end in terminal punctuation (C4 does; FineWeb does "
                                   "not: it removes most code and documentation pages).")
    min_words_per_line: int | None = Field(default=3, description="Remove lines with fewer words.")
    max_word_length: int | None = Field(default=1000, description="Remove lines with a longer word (characters).")
    drop_lorem_ipsum: bool = Field(default=True, description="Drop documents that mention lorem ipsum.")
    drop_javascript_lines: bool = Field(
        default=True, description="Remove lines that mention javascript (\"enable javascript\" notices).")
    drop_curly_bracket: bool = Field(default=True, description="Drop documents with a curly bracket (code, templates).")
    drop_policy_lines: bool = Field(
        default=True, description="Remove lines about cookies, privacy policies and terms of use.")
    min_sentences: int | None = Field(
        default=5, description="Drop documents left with fewer sentences after the line rules.")


class C4:
    name = "c4"

    def __init__(self, settings: C4Settings) -> None:
        self.s = settings

    def apply(self, doc: FilterDoc) -> Drop | None:
        s = self.s
        sentences = 0
        kept_lines = []
        for line in doc.text.splitlines():
            line = line.strip()
            words = line.split()
            if s.max_word_length is not None and any(len(w) > s.max_word_length for w in words):
                continue
            if s.remove_citations:
                line = _CITATION.sub("", line)
            if s.drop_lines_without_terminal_punct and (
                    not line.endswith(END_PUNCTUATION) or line.endswith("...")):
                continue
            if s.min_words_per_line is not None and len(words) < s.min_words_per_line:
                continue
            lowered = line.lower()
            if s.drop_lorem_ipsum and "lorem ipsum" in lowered:
                return Drop("c4.lorem_ipsum", None, None, f"line mentions lorem ipsum: {line[:80]!r}")
            if s.drop_javascript_lines and "javascript" in lowered:
                continue
            if s.drop_curly_bracket and "{" in line:
                return Drop("c4.curly_bracket", None, None, f"line has a curly bracket: {line[:80]!r}")
            if s.drop_policy_lines and any(p in lowered for p in POLICY_PHRASES):
                continue
            if s.min_sentences is not None:
                sentences += spacy_words().count_sentences(line)
            kept_lines.append(line)
        if drop := below("c4.min_sentences", sentences, s.min_sentences, "sentences in kept lines"):
            return drop
        doc.text = "\n".join(kept_lines).strip()
        return None
