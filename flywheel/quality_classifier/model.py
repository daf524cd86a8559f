"""Training the fastText model and scoring documents with it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from flywheel.quality_classifier.examples import HQ_LABEL
from flywheel.quality_classifier.settings import FastTextParams
from flywheel.quality_classifier.text import fasttext_line

# FastTextParams fields added after versions were published, with their defaults.
ADDED_LATER = {"minn": 0, "maxn": 0}


def model_version(training_file: Path, params: FastTextParams, max_words: int | None) -> str:
    """A hash of the training data and every setting that changes the scores."""
    # Settings added later are left out at their defaults, so existing versions keep their ids.
    added_later = {name for name, default in ADDED_LATER.items() if getattr(params, name) == default}
    digest = hashlib.sha256(params.model_dump_json(exclude=added_later).encode())
    digest.update(f"max_words={max_words}".encode())
    with training_file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def train(training_file: Path, params: FastTextParams):
    import fasttext

    return fasttext.train_supervised(
        input=str(training_file), wordNgrams=params.word_ngrams, dim=params.dim, epoch=params.epoch,
        lr=params.lr, minCount=params.min_count, bucket=params.bucket, thread=params.threads,
        seed=params.seed, minn=params.minn, maxn=params.maxn, verbose=0)


def hq_scores(model, texts: Sequence[str], max_words: int | None = None) -> np.ndarray:
    """Probability of the high-quality label for each text, in [0, 1]."""
    if not texts:
        return np.zeros(0, dtype=np.float64)
    labels, probabilities = model.predict([fasttext_line(t, max_words) for t in texts], k=2)
    return np.array([float(dict(zip(names, probs)).get(HQ_LABEL, 0.0))
                     for names, probs in zip(labels, probabilities)], dtype=np.float64)
