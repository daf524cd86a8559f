"""MinHash signatures, band keys, exact hashes and the dedup settings."""

import random

import numpy as np
import pytest
from pydantic import ValidationError

from flywheel.dedup.minhash import MinHasher, estimated_jaccard, exact_hash
from flywheel.dedup.settings import DedupSettings
from flywheel.dedup.shingles import jaccard, shingle_hashes
from tests.unit.test_dedup_shingles import PROSE

TEXT = " ".join(f"{PROSE} Section {i} covers topic number {i * 7} in detail." for i in range(12))


def edited(text: str, edits: int, seed: int) -> str:
    rng = random.Random(seed)
    words = text.split()
    for _ in range(edits):
        words[rng.randrange(len(words))] = f"edit{rng.randrange(10_000)}"
    return " ".join(words)


def test_identical_normalized_texts_share_signature_band_keys_and_exact_hash():
    hasher = MinHasher(DedupSettings())
    a, b = TEXT, TEXT.upper().replace(".", " .")
    assert exact_hash(a) == exact_hash(b)
    assert np.array_equal(hasher.signature(a), hasher.signature(b))
    assert np.array_equal(hasher.band_keys(hasher.signature(a)), hasher.band_keys(hasher.signature(b)))
    assert exact_hash(a) != exact_hash(edited(a, 1, 0))


def test_signature_estimates_jaccard():
    hasher = MinHasher(DedupSettings(num_perm=256, bands=32, rows=8))
    errors = []
    for seed, edits in enumerate([2, 5, 10, 20, 40, 80]):
        other = edited(TEXT, edits, seed)
        truth = jaccard(shingle_hashes(TEXT, 5), shingle_hashes(other, 5))
        errors.append(estimated_jaccard(hasher.signature(TEXT), hasher.signature(other)) - truth)
    # The estimator's standard deviation is sqrt(J(1-J)/k) <= 0.031 for k=256.
    assert max(abs(e) for e in errors) < 0.1
    assert abs(float(np.mean(errors))) < 0.04


def test_band_keys_agree_exactly_where_bands_agree():
    settings = DedupSettings()
    hasher = MinHasher(settings)
    a, b = hasher.signature(TEXT), hasher.signature(edited(TEXT, 3, 1))
    same_band = (a[:112].reshape(14, 8) == b[:112].reshape(14, 8)).all(axis=1)
    assert np.array_equal(hasher.band_keys(a) == hasher.band_keys(b), same_band)
    assert same_band.any()


def test_signature_columns_are_arrow_lists_of_the_configured_width():
    hasher = MinHasher(DedupSettings())
    hashes, signatures, keys = hasher.signature_columns([TEXT, "", "short text"])
    assert len(hashes) == 3
    assert [len(s) for s in signatures.to_pylist()] == [112] * 3
    assert [len(k) for k in keys.to_pylist()] == [14] * 3


def test_default_banding_and_candidate_probability():
    settings = DedupSettings()
    assert settings.banding() == (14, 8)
    assert settings.candidate_probability(0.8) == pytest.approx(0.924, abs=0.001)
    assert settings.candidate_probability(0.5) < 0.06
    assert DedupSettings(bands=None, rows=None).banding() == (9, 12)  # datasketch's optimum for 0.8


def test_settings_reject_inconsistent_banding():
    with pytest.raises(ValidationError, match="needs more than num_perm"):
        DedupSettings(bands=20, rows=8)
    with pytest.raises(ValidationError, match="both bands and rows"):
        DedupSettings(bands=14, rows=None)


def datasketch_signature(shingles: np.ndarray, settings: DedupSettings) -> np.ndarray:
    from datasketch import MinHash

    sketch = MinHash(num_perm=settings.num_perm, seed=settings.seed, scheme="affine64", hashfunc=lambda v: v)
    sketch.update_batch(shingles)
    return sketch.digest()


def test_batch_signatures_equal_datasketch_value_for_value(monkeypatch):
    import flywheel.dedup.minhash as minhash

    settings = DedupSettings(seed=7)
    texts = [TEXT, "", "short text", edited(TEXT, 30, 2), "...!!!", PROSE, TEXT[:900]]
    shingle_sets = [shingle_hashes(text, settings.shingle_size) for text in texts]
    expected = np.array([datasketch_signature(s, settings) for s in shingle_sets])
    # Small chunks, so documents are split over several vectorized passes.
    monkeypatch.setattr(minhash, "_CHUNK_HASHES", 100)
    assert np.array_equal(MinHasher(settings).signatures(shingle_sets), expected)
    assert (expected[1] == minhash.EMPTY).all()


def test_hashes_are_stable_across_versions():
    """Earlier batches' index rows hold these values: a change here orphans every stored index."""
    text = "Hello, World! It is 2024-11-22; price $3,000.50 (approx).\x00\x7f end"
    assert exact_hash(text) == 4762996417984833278
    assert exact_hash("Ünïcödé — déjà vu, 3.14 mal \x1c\x0b Zeile\tzwei.") == 7708723843289787396
    assert MinHasher(DedupSettings()).signature(text)[:3].tolist() == [
        747005072574639626, 723734021423859451, 1583064922065689039]
    assert shingle_hashes(text, 2)[:2].tolist() == [2921266295092899400, 4165810046572088921]
