"""C4 line and document rules (Raffel et al. 2020), as in datatrove's C4QualityFilter.

Lines failing a line rule are removed from the text; a document fails if it mentions "lorem
ipsum" or a curly bracket, or keeps fewer than `min_sentences` sentences.
"""

from __future__ import annotations

import re

from flywheel.filtering.base import Drop, FilterDoc, StepSettings, below
from flywheel.filtering.words import spacy_words

_CITATION = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
END_PUNCTUATION = (".", "?", "!", '"', "'")
POLICY_PHRASES = ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
                  "use cookies")


class C4Settings(StepSettings):
    remove_citations: bool = True
    # FineWeb runs C4 without the terminal-punctuation line rule; it removes most of code/docs pages.
    drop_lines_without_terminal_punct: bool = False
    min_words_per_line: int | None = 3
    max_word_length: int | None = 1000
    drop_lorem_ipsum: bool = True
    drop_javascript_lines: bool = True
    drop_curly_bracket: bool = True
    drop_policy_lines: bool = True
    min_sentences: int | None = 5


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
