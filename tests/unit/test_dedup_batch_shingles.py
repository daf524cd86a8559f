"""The batch shingler against the one-document-at-a-time definitions it replaces in the hot path."""

import random

import numpy as np
import pytest

from flywheel.dedup.batch_shingles import batch_shingles
from flywheel.dedup.minhash import MinHasher
from flywheel.dedup.normalize import normalize_utf8
from flywheel.dedup.settings import DedupSettings
from flywheel.dedup.shingles import shingle_hashes

# Words of 1 to 20 bytes (packed and looked up), numbers, every kind of separator, letters that
# take the byte rules (é, ß, 語) and characters that send a text to the Unicode rules (٣, ◌́).
_PIECES = ["a", "to", "word", "Eightchr", "ninechars", "internationalization", "ÉCOLE", "straße", "語",
           "12", "3.14", "1,000", "2024-11-22", " ", "  ", "\n", "\t", "\x0b", "\x00", ",", "...", "—",
           "\u00a0", "٣", "e\u0301"]


def random_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    texts = ["", " ", "one", "two words", "just four words here", "exactly five words are here"]
    while len(texts) < count:
        pieces = rng.choices(_PIECES, k=rng.randint(0, 80))
        texts.append("".join(piece + rng.choice(["", " "]) for piece in pieces))
    rng.shuffle(texts)
    return texts


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("size", [1, 2, 5])
def test_batch_shingles_equal_each_documents_shingles(seed, size):
    texts = random_texts(seed, 300)
    batch = batch_shingles(texts, size)
    assert batch.normalized == [normalize_utf8(text) for text in texts]
    for doc, text in enumerate(texts):
        hashes = batch.hashes[batch.offsets[doc]:batch.offsets[doc + 1]]
        assert np.array_equal(np.unique(hashes), shingle_hashes(text, size)), repr(text)


def test_repeated_ngrams_are_kept_in_order():
    batch = batch_shingles(["a b a b a b", "c"], 2)
    assert batch.offsets.tolist() == [0, 5, 6]
    assert batch.hashes[:5].tolist() == batch.hashes[[0, 1, 0, 1, 0]].tolist()
    assert batch.hashes[0] != batch.hashes[1]


def test_signature_columns_split_into_parts_equal_one_document_at_a_time(monkeypatch):
    import flywheel.dedup.batch_shingles as batch_shingles_module
    import flywheel.dedup.minhash as minhash

    monkeypatch.setattr(batch_shingles_module, "_PART_CHARACTERS", 500)  # many parts, some of one text
    texts = random_texts(7, 120)
    hasher = MinHasher(DedupSettings())
    exact, signatures, _ = hasher.signature_columns(texts)
    expected = hasher.signatures([shingle_hashes(text, 5) for text in texts])
    assert np.array_equal(np.array(signatures.to_pylist(), dtype=np.int64).view(np.uint64), expected)
    assert exact.to_pylist() == [minhash.exact_hash(text) for text in texts]


def test_after_the_rules_every_byte_up_to_the_space_separates_words():
    """The batch path takes the bytes above the space as word bytes; `bytes.split()` agrees only
    while the rules turn every control character but tab and newline into a space."""
    from flywheel.dedup.normalize import separated_utf8

    for code in range(ord(" ") + 1):
        assert separated_utf8(f"a{chr(code)}b").split() == [b"a", b"b"], code
