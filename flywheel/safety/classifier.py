"""The safety classifier: per text, a score in [0, 1] for every category, and the OpenAI
moderation shape (`flagged`, `categories`, `category_scores`).

Three real signals, combined per category:
- our fastText model (softmax over the categories and `safe`, trained on the bundled labelled
  set: `training.py`), scored passage by passage; a category's score is its highest passage's;
- alt-profanity-check's shipped abuse model, blended into `harassment` (`profanity_weight`): it
  adds evidence, but alone it cannot flag ("I hate Mondays" is profane to it, not harassment);
- the PII detectors that scrub feedback, for `privacy`: a payment card or IBAN scores 1; contact
  details (a third for each email, phone number or IP address, 15% of the blend) add to the model's score,
  but alone never flag: benign pages (mailing lists, documentation) are full of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import fsspec
import numpy as np

from flywheel.fasttext_model import load_model
from flywheel.feedback.pii import scrub
from flywheel.quality_classifier.text import fasttext_line
from flywheel.safety.settings import CategoryThresholds, SafetySettings
from flywheel.safety.taxonomy import CATEGORIES, fasttext_label

MODEL_FILE = "model.bin"
SETTINGS_FILE = "safety.json"
FINANCIAL_PII = ("CARD", "IBAN")
CONTACT_PII_SCORE = 1 / 3


@dataclass(frozen=True)
class SafetyResult:
    category_scores: dict[str, float]
    categories: dict[str, bool]

    @property
    def flagged(self) -> bool:
        return any(self.categories.values())

    def flagged_categories(self) -> list[str]:
        return [c for c in CATEGORIES if self.categories[c]]

    def top(self) -> tuple[str, float]:
        """The highest-scoring category (of the flagged ones, if any)."""
        pool = self.flagged_categories() or list(CATEGORIES)
        best = max(pool, key=lambda c: self.category_scores[c])
        return best, self.category_scores[best]

    def as_openai(self) -> dict:
        return {"flagged": self.flagged, "categories": dict(self.categories),
                "category_scores": {c: round(s, 6) for c, s in self.category_scores.items()}}


def as_text(value: str | bytes) -> str:
    """Any input as valid Unicode: bytes that are not UTF-8 and lone surrogates become U+FFFD
    (fastText and scikit-learn need encodable text)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        raise TypeError(f"the safety classifier scores text, not {type(value).__name__}")
    return value.encode("utf-8", errors="replace").decode("utf-8")


def passages(text: str, words: int, limit: int) -> list[str]:
    """`text` as windows of `words` words overlapping by half, so any stretch of up to half a
    window lies whole in one, and every window is full length (a short tail is noisy); at most
    `limit`, spread evenly over the text."""
    tokens = text.split()
    if len(tokens) <= words:
        return [" ".join(tokens)]
    starts = list(range(0, len(tokens) - words + 1, max(1, words // 2)))
    if starts[-1] != len(tokens) - words:
        starts.append(len(tokens) - words)
    if len(starts) > limit:
        starts = [starts[int(i)] for i in np.linspace(0, len(starts) - 1, limit)]
    return [" ".join(tokens[i:i + words]) for i in starts]


class SafetyClassifier:
    def __init__(self, model, settings: SafetySettings, version: str = "unversioned") -> None:
        from profanity_check import predict_prob

        self.model, self.settings, self.version = model, settings, version
        self._profanity = predict_prob
        self.labels = [fasttext_label(c) for c in CATEGORIES]

    @classmethod
    def load(cls, folder: str | Path) -> SafetyClassifier:
        """A published classifier: `model.bin` and `safety.json` (its settings and version)."""
        return _load(str(folder))

    def with_thresholds(self, thresholds: CategoryThresholds) -> SafetyClassifier:
        """The same model flagging at other thresholds (curation and serving set their own)."""
        return SafetyClassifier(self.model, self.settings.model_copy(update={"thresholds": thresholds}),
                                self.version)

    def scores(self, texts: list[str | bytes]) -> np.ndarray:
        """Category scores, one row per text, columns in `CATEGORIES` order."""
        texts = [as_text(t) for t in texts]
        s = self.settings
        chunked = [passages(t, s.words_per_passage, s.max_passages) for t in texts]
        flat = [fasttext_line(p) for chunk in chunked for p in chunk]
        owner = np.repeat(np.arange(len(texts)), [len(c) for c in chunked])
        ft = self._fasttext(flat)
        profanity = np.asarray(self._profanity(flat), dtype=np.float64) if flat else np.zeros(0)
        passage_scores = ft.copy()
        harassment = CATEGORIES.index("harassment")
        passage_scores[:, harassment] = (1 - s.profanity_weight) * ft[:, harassment] + s.profanity_weight * profanity
        out = np.zeros((len(texts), len(CATEGORIES)))
        np.maximum.at(out, owner, passage_scores)
        privacy = CATEGORIES.index("privacy")
        # Card numbers are personal data wherever they appear; contact details are common in benign
        # pages (mailing lists, docs), so they only add to what the model says. The PII detectors are
        # the costliest signal on long pages (5x the rest together), so where privacy never flags
        # (curation's default) its score is the model's alone.
        if self.settings.thresholds.privacy is not None:
            pii = np.array([_pii_scores(t) for t in texts]).reshape(len(texts), 2)
            out[:, privacy] = np.maximum.reduce([out[:, privacy], pii[:, 0],
                                                 0.85 * out[:, privacy] + 0.15 * pii[:, 1]])
        empty = np.array([not t.strip() for t in texts], dtype=bool)
        out[empty] = 0.0  # nothing to judge
        return out

    def classify(self, texts: list[str | bytes]) -> list[SafetyResult]:
        results = []
        for row in self.scores(texts):
            scores = {c: float(v) for c, v in zip(CATEGORIES, row)}
            flags = {c: _at_or_above(scores[c], self.settings.thresholds.of(c)) for c in CATEGORIES}
            results.append(SafetyResult(scores, flags))
        return results

    def _fasttext(self, lines: list[str]) -> np.ndarray:
        scores = np.zeros((len(lines), len(CATEGORIES)))
        if not lines:
            return scores
        labels, probabilities = self.model.predict(lines, k=-1, threshold=0.0)
        column = {label: i for i, label in enumerate(self.labels)}
        for row, (names, probs) in enumerate(zip(labels, probabilities)):
            for name, prob in zip(names, probs):
                if name in column:
                    scores[row, column[name]] = prob
        return scores


def _at_or_above(score: float, threshold: float | None) -> bool:
    return threshold is not None and score >= threshold


def _pii_scores(text: str) -> tuple[float, float]:
    """(financial, contact): 1 for any card or IBAN; a third for each email, phone or IP, up to 1."""
    _, found = scrub(text)
    financial = sum(found[k] for k in FINANCIAL_PII)
    return min(1.0, financial), min(1.0, CONTACT_PII_SCORE * (sum(found.values()) - financial))


@cache
def _load(folder: str) -> SafetyClassifier:
    # One load per process and folder: a Spark worker or a server keeps it for every batch.
    with fsspec.open(f"{folder}/{SETTINGS_FILE}", "rt", encoding="utf-8") as handle:
        saved = json.load(handle)
    return SafetyClassifier(load_model(f"{folder}/{MODEL_FILE}"), SafetySettings.model_validate(saved["settings"]),
                            saved["version"])
