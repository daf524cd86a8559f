"""Word and sentence splitting that gives exactly spaCy's English tokens, fast.

The Gopher, C4 and FineWeb rules count words the way datatrove does: spaCy's blank English
tokenizer (`strip_strings` removes whitespace tokens) and its rule-based sentencizer. spaCy splits
text at whitespace and tokenizes each whitespace-free chunk on its own, so a chunk always yields the
same tokens; this module tokenizes each distinct chunk once with spaCy and then reuses the answer.
Web text has a small working vocabulary, so almost every chunk after the first few thousand
documents is a dictionary lookup instead of a trip through spaCy's Doc machinery. A new chunk that
is a plain ASCII word (letters, possibly followed by digits: `IPv6`, `ext2`) or number, alone or
in brackets or quotes (`(see`, `[1]`, `"word"`), with one trailing `, ; : ! ?` (or `.` after a
lowercase letter or digit), is split without spaCy: its rules split such a chunk only at those
characters, unless a part of it is one of its special cases (`cannot`, `Jan.`, `8)`), which goes
through spaCy.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from functools import cache
from itertools import chain

_CHUNKS = re.compile(r"\S+")
# A word (letters, then possibly digits: spaCy splits digits followed by letters, as in `10km`, but
# not letters followed by digits) or a number, possibly in an opening and a closing bracket or
# quote, and the punctuation spaCy's English suffix rules split off it (`.` only after a lowercase
# letter or digit: `US.`, `A.` and `x).` follow other rules). Each group is one token.
_PLAIN_CHUNK = re.compile(r'([(\["]?)([A-Za-z]+[0-9]*|[0-9]+)([)\]"]?)([,;:!?]|(?<=[a-z0-9])\.)?')
MAX_CACHED_CHUNKS = 1_000_000  # bounded memory per worker process


def _import_spacy():
    """spaCy, without the torch import its `thinc` does when torch is installed: ~1.7 s and ~180 MB
    in every Spark Python worker that filters, for models a tokenizer never loads. torch is hidden
    for spaCy's import only (thinc then records that it has none), so the process can still import
    it afterwards; where torch is already imported, nothing changes."""
    if "torch" in sys.modules:
        import spacy
        return spacy
    sys.modules["torch"] = None  # makes `import torch` raise ImportError
    try:
        import spacy
    finally:
        del sys.modules["torch"]
    return spacy


class SpacyWords:
    def __init__(self, language: str = "en") -> None:
        spacy = _import_spacy()
        from spacy.lang.lex_attrs import is_punct
        from spacy.pipeline import Sentencizer

        self._nlp = spacy.blank(language)
        # Splitting reads no lexical attribute, so spaCy need not compute its ~20 (shape, norm,
        # like_num, ...) for every new token string: a third of its time on new chunks.
        self._nlp.vocab.lex_attr_getters = {}
        # Chunks spaCy tokenizes by a rule of their own; only English's suffix rules are mirrored.
        self._special_cases = frozenset(self._nlp.tokenizer.rules) if language == "en" else None
        self._tokens: dict[str, tuple[str, ...]] = {}
        self._is_punct: dict[str, bool] = {}
        self._punct_rule = is_punct  # the function behind spaCy's `is_punct` attribute
        # Several rules in a row ask for the words of the same text.
        self._last_text: str | None = None
        self._last_words: list[str] = []
        self._sentence_punct = frozenset(Sentencizer.default_punct_chars)

    def chunk_tokens(self, chunk: str) -> tuple[str, ...]:
        tokens = self._tokens.get(chunk)
        if tokens is None:
            self._learn([chunk])
            tokens = self._tokens[chunk]
        return tokens

    def words(self, text: str) -> list[str]:
        """spaCy's non-whitespace tokens of `text` (datatrove's `split_into_words`). Do not modify."""
        if text is self._last_text:
            return self._last_words
        chunks = text.split()
        cache = self._tokens
        if len(cache) > MAX_CACHED_CHUNKS:
            cache.clear()  # before looking up, so every chunk of this text is (re)learned below
        missing = set(chunks).difference(cache)
        if missing:
            self._learn(list(missing))
        words = list(chain.from_iterable(map(cache.__getitem__, chunks)))
        self._last_text, self._last_words = text, words
        return words

    def _learn(self, chunks: list[str]) -> None:
        """Tokenize many new chunks: plain ones directly, the others in one spaCy call (one Doc, not
        one per chunk)."""
        if self._special_cases is not None:
            chunks = [chunk for chunk in chunks if not self._learn_plain(chunk)]
            if not chunks:
                return
        starts, position = [], 0
        for chunk in chunks:
            starts.append(position)
            position += len(chunk) + 2
        tokens: list[list[str]] = [[] for _ in chunks]
        # A line break between chunks keeps spaCy's multi-token special cases from matching across
        # them, as when each chunk is tokenized alone; the break itself becomes a space token.
        for token in self._nlp.tokenizer(" \n".join(chunks)):
            text = token.text
            if not text.isspace():  # spaCy's `is_space`, which is no longer computed
                tokens[bisect_right(starts, token.idx) - 1].append(text)
        for chunk, chunk_tokens in zip(chunks, tokens):
            self._tokens[chunk] = tuple(chunk_tokens)

    def _learn_plain(self, chunk: str) -> bool:
        match = _PLAIN_CHUNK.fullmatch(chunk)
        if match is None:
            return False
        tokens = tuple(group for group in match.groups() if group)
        # spaCy stops splitting where what is left is a special case (`8)`, `cannot`, `(:`).
        if any("".join(tokens[start:end]) in self._special_cases
               for start in range(len(tokens)) for end in range(start + 1, len(tokens) + 1)):
            return False
        self._tokens[chunk] = tokens
        return True

    def count_sentences(self, line: str) -> int:
        """How many sentences spaCy's sentencizer finds in `line` (datatrove's C4 count)."""
        tokens: list[str] = []
        previous_end = None
        for match in _CHUNKS.finditer(line):
            # spaCy turns every whitespace gap except a single space into a token of its own.
            if previous_end is not None and line[previous_end:match.start()] != " ":
                tokens.append(" ")
            tokens.extend(self.chunk_tokens(match.group()))
            previous_end = match.end()
        if not tokens:
            return 0
        sentences, seen_period = 1, False
        for token in tokens:
            ends_sentence = token in self._sentence_punct
            if seen_period and not ends_sentence and not self._punct(token):
                sentences += 1
                seen_period = False
            elif ends_sentence:
                seen_period = True
        return sentences

    def _punct(self, token: str) -> bool:
        punct = self._is_punct.get(token)
        if punct is None:
            punct = self._is_punct[token] = self._punct_rule(token)
        return punct


@cache
def spacy_words(language: str = "en") -> SpacyWords:
    """One tokenizer (and cache) per process and language."""
    return SpacyWords(language)
