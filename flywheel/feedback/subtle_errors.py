"""A subtly wrong version of a correct answer: one fact changed, everything else as it was.

The answer stays fluent, on topic and about as long as the right one, so neither length nor
"looks like documentation" separates the two: only reading what it says does. One word of a pair
of opposites or of easily confused terms is swapped (`mutable` -> `immutable`, `list` -> `tuple`,
`before` -> `after`), or a number is changed.
"""

from __future__ import annotations

import random
import re

# Each word and the one it is swapped for (both directions).
_CONFUSABLE = [
    ("mutable", "immutable"), ("list", "tuple"), ("function", "method"), ("class", "instance"),
    ("key", "value"), ("local", "global"), ("true", "false"), ("before", "after"), ("first", "last"),
    ("always", "never"), ("input", "output"), ("read", "write"), ("start", "end"), ("positional", "keyword"),
    ("synchronous", "asynchronous"), ("can", "cannot"), ("more", "fewer"), ("larger", "smaller"),
    ("increase", "decrease"), ("minimum", "maximum"), ("import", "export"), ("subclass", "superclass"),
    ("ascending", "descending"), ("left", "right"), ("lower", "upper"), ("module", "package"),
    ("iterator", "iterable"), ("string", "bytes"), ("integer", "float"), ("argument", "parameter"),
    ("server", "client"), ("encode", "decode"), ("inside", "outside"), ("required", "optional"),
]
SWAPS = {**dict(_CONFUSABLE), **{b: a for a, b in _CONFUSABLE}}
_WORD_OR_NUMBER = re.compile(r"\b(?:" + "|".join(sorted(SWAPS, key=len, reverse=True)) + r"|\d+)\b", re.IGNORECASE)


def subtly_wrong(answer: str, rng: random.Random) -> str | None:
    """The answer with one confusable word swapped or one number changed; None when it has neither."""
    matches = list(_WORD_OR_NUMBER.finditer(answer))
    if not matches:
        return None
    match = rng.choice(matches)
    word = match.group()
    if word.isdigit():
        replacement = str(int(word) + rng.choice([1, 2, 10]))
    else:
        replacement = SWAPS[word.lower()]
        if word[0].isupper():
            replacement = replacement[0].upper() + replacement[1:]
    return answer[:match.start()] + replacement + answer[match.end():]
