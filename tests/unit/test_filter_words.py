"""The cached tokenizer must give exactly spaCy's tokens and sentence counts."""

import subprocess
import sys

import pytest
import spacy

from flywheel.filtering.words import SpacyWords

TRICKY = [
    "e.g. don't (hello), well-known and/or U.S. cannot http://x.org/a.html. 3.5% ... !!! Mr. a. x=1;",
    "func():  (:  ): tabs\tand\u00a0nbsp, 'quoted' \"double\" — dash–en… ellipsis",
    "Line one.\nLine two!  Two spaces.\tTab? \n\n New para; end",
]


@pytest.fixture(scope="module")
def nlp():
    pipeline = spacy.blank("en")
    pipeline.add_pipe("sentencizer")
    return pipeline


@pytest.mark.parametrize("text", TRICKY)
def test_words_equal_spacy_tokens(nlp, text):
    expected = [t.text.strip() for t in nlp.tokenizer(text) if t.text.strip()]
    words = SpacyWords()
    assert words.words(text) == expected
    assert words.words(text) == expected  # from the cache this time


@pytest.mark.parametrize("line", [
    "One. Two! Three? Four", "Version 3.5 is out. See e.g. the notes.", "No end", "Hi!!! There...  Yes.",
    "Wait. . . done", "“Quoted.” Then more.", "(Aside.) Next",
])
def test_sentence_count_equals_spacy_sentencizer(nlp, line):
    assert SpacyWords().count_sentences(line) == len(list(nlp(line).sents))


def test_cache_bound_never_loses_a_chunk(monkeypatch):
    from flywheel.filtering import words as words_module

    monkeypatch.setattr(words_module, "MAX_CACHED_CHUNKS", 3)
    words = SpacyWords()
    assert words.words("one two three four") == ["one", "two", "three", "four"]
    assert words.words("four five, six") == ["four", "five", ",", "six"]  # cache cleared first


def test_plain_chunks_split_as_spacy_splits_them(nlp):
    """Plain words and numbers are split without spaCy: every special case of spaCy's English
    tokenizer (`cannot`, `dont`, `Jan.`), alone and with each punctuation the shortcut splits off,
    and words whose trailing `.` follows other rules, still give spaCy's own tokens."""
    words = [*nlp.tokenizer.rules, "word", "Word", "WORD", "A", "I", "US", "x", "1", "2024", "a1", "1a"]
    chunks = [word + end for word in words for end in ("", ",", ";", ":", "!", "?", ".", ".,", "!!")]
    expected = [[t.text for t in nlp.tokenizer(chunk) if not t.is_space] for chunk in chunks]
    tokenizer = SpacyWords()
    assert [tokenizer.words(chunk) for chunk in chunks] == expected


def test_bracketed_and_quoted_chunks_split_as_spacy_splits_them(nlp):
    """Words and numbers in brackets or quotes take the shortcut too, unless a part of the chunk is a
    special case (`8)`, `(:`): every special case and a few plain words, in each bracket and
    quote, with and without trailing punctuation."""
    words = [*nlp.tokenizer.rules, "word", "IPv6", "8", "2024", "o", "x"]
    chunks = [opening + word + closing + end for word in words for opening in ("", "(", "[", '"')
              for closing in ("", ")", "]", '"') for end in ("", ",", ".")]
    expected = [[t.text for t in nlp.tokenizer(chunk) if not t.is_space] for chunk in chunks]
    tokenizer = SpacyWords()
    assert [tokenizer.words(chunk) for chunk in chunks] == expected
    assert tokenizer.words('(see "IPv6"), [1]') == ["(", "see", '"', "IPv6", '"', ")", ",", "[", "1", "]"]


def test_the_tokenizer_does_not_import_torch_and_leaves_it_importable():
    """A Spark worker that filters needs no torch (spaCy's thinc imports it if it can: ~1.7 s)."""
    script = ("import sys\nfrom flywheel.filtering.words import spacy_words\n"
              "assert spacy_words().words('Hello, world.') == ['Hello', ',', 'world', '.']\n"
              "assert 'torch' not in sys.modules\nimport torch\nassert torch.zeros(1).sum() == 0\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
