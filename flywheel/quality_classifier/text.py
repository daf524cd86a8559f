"""The one text normalization the classifier sees, at training and at prediction time.

fastText splits on whitespace only and treats a newline as the end of an example, so text is put
on one line, lower-cased, and punctuation is split off words ("model." and "model" are one word).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+|[^\w\s]")


def fasttext_line(text: str, max_words: int | None = None) -> str:
    """`text` as one line of space-separated lower-case tokens, at most `max_words` of them."""
    tokens = _TOKEN.findall(text.lower())
    if max_words is not None:
        tokens = tokens[:max_words]
    return " ".join(tokens)


def passages(text: str, words_per_passage: int) -> list[str]:
    """Cut a document into consecutive passages of `words_per_passage` words (the last may be
    shorter), so long documents give several training examples instead of one."""
    words = text.split()
    return [" ".join(words[i:i + words_per_passage]) for i in range(0, len(words), words_per_passage)]
