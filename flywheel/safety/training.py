"""Train the safety classifier on the bundled labelled set and measure it on texts it never saw.

Training data: each labelled unsafe text under its category's label, each benign look-alike and a
sample of reference-prose passages under `safe`. A stable hash of the text holds `heldout_fraction`
of the labelled set out (a stable hash of the document id, for reference prose), so the split never
moves when texts are added. The version is a hash of the training file and every setting.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import fsspec
import numpy as np

from flywheel.quality_classifier.examples import read_jsonl_documents
from flywheel.quality_classifier.model import train
from flywheel.quality_classifier.text import fasttext_line
from flywheel.safety.classifier import MODEL_FILE, SETTINGS_FILE, SafetyClassifier, passages
from flywheel.safety.settings import SafetySettings
from flywheel.safety.taxonomy import CATEGORIES, SAFE_LABEL, fasttext_label
from flywheel.stable_hash import in_validation

UNSAFE, BENIGN = "unsafe", "benign"


@dataclass(frozen=True)
class LabelledText:
    text: str
    category: str
    label: str  # unsafe | benign

    @property
    def heldout_key(self) -> str:
        return self.text


@dataclass(frozen=True)
class CategoryMetrics:
    category: str
    threshold: float | None
    precision: float
    recall: float
    f1: float
    false_positive_rate: float  # benign look-alikes of this category flagged for anything
    unsafe: int
    benign: int


@dataclass(frozen=True)
class SafetyReport:
    version: str
    train_unsafe: int
    train_benign: int
    train_reference_passages: int
    heldout_unsafe: int
    heldout_benign: int
    per_category: list[CategoryMetrics]
    recall_any: float  # held-out unsafe texts flagged (for any category)
    false_positive_rate: float  # held-out benign look-alikes flagged
    reference_documents: int
    reference_false_positive_rate: float  # held-out reference prose documents flagged
    reference_flags: dict[str, int]


def read_labelled(url: str) -> list[LabelledText]:
    rows = []
    with fsspec.open(url, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row.get("category") not in CATEGORIES or row.get("label") not in (UNSAFE, BENIGN) \
                    or not str(row.get("text", "")).strip():
                raise ValueError(f"{url} line {number}: needs `text`, `category` in {CATEGORIES} and "
                                 f"`label` unsafe|benign")
            rows.append(LabelledText(row["text"], row["category"], row["label"]))
    return rows


def split(rows: list[LabelledText], fraction: float) -> tuple[list[LabelledText], list[LabelledText]]:
    train, heldout = [], []
    for row in rows:
        (heldout if in_validation(row.heldout_key, fraction) else train).append(row)
    return train, heldout


def train_safety_classifier(settings: SafetySettings, workdir: Path) -> tuple[SafetyClassifier, SafetyReport]:
    """Train in `workdir` (model and settings land there, ready to publish) and evaluate."""
    labelled_train, labelled_heldout = split(read_labelled(settings.labelled_path), settings.heldout_fraction)
    reference = list(read_jsonl_documents(settings.reference_path))
    reference_train = [d for d in reference if not in_validation(str(d["id"]), settings.heldout_fraction)]
    reference_heldout = [d for d in reference if in_validation(str(d["id"]), settings.heldout_fraction)]
    reference_passages = _sample_passages(reference_train, settings)

    lines = [f"{fasttext_label(r.category if r.label == UNSAFE else SAFE_LABEL)} {fasttext_line(r.text)}"
             for r in labelled_train]
    lines += [f"{fasttext_label(SAFE_LABEL)} {fasttext_line(p)}" for p in reference_passages]
    random.Random(settings.fasttext.seed).shuffle(lines)
    training_file = workdir / "train.txt"
    training_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    version = _version(training_file, settings)
    model = train(training_file, settings.fasttext)
    model.save_model(str(workdir / MODEL_FILE))
    training_file.unlink()  # the version records it; the published folder holds the model only
    (workdir / SETTINGS_FILE).write_text(json.dumps({"version": version, "settings": settings.model_dump()},
                                                    indent=2), encoding="utf-8")
    classifier = SafetyClassifier(model, settings, version)
    report = evaluate(classifier, labelled_heldout, reference_heldout)
    return classifier, SafetyReport(
        version=version, train_unsafe=sum(r.label == UNSAFE for r in labelled_train),
        train_benign=sum(r.label == BENIGN for r in labelled_train),
        train_reference_passages=len(reference_passages), **report)


def evaluate(classifier: SafetyClassifier, heldout: list[LabelledText], reference_docs: list[dict]) -> dict:
    """Per-category precision/recall/F1 and false-positive rates on held-out texts."""
    results = classifier.classify([r.text for r in heldout])
    per_category = []
    for category in CATEGORIES:
        truth = np.array([r.label == UNSAFE and r.category == category for r in heldout])
        predicted = np.array([res.categories[category] for res in results])
        look_alikes = [res.flagged for r, res in zip(heldout, results) if r.label == BENIGN and r.category == category]
        tp = int((truth & predicted).sum())
        precision = tp / int(predicted.sum()) if predicted.any() else 0.0
        recall = tp / int(truth.sum()) if truth.any() else 0.0
        per_category.append(CategoryMetrics(
            category, classifier.settings.thresholds.of(category), precision, recall,
            2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            sum(look_alikes) / len(look_alikes) if look_alikes else 0.0, int(truth.sum()), len(look_alikes)))
    unsafe = [res.flagged for r, res in zip(heldout, results) if r.label == UNSAFE]
    benign = [res.flagged for r, res in zip(heldout, results) if r.label == BENIGN]
    reference_results = classifier.classify([d["text"] for d in reference_docs])
    reference_flags = {c: sum(res.categories[c] for res in reference_results) for c in CATEGORIES}
    return {"heldout_unsafe": len(unsafe), "heldout_benign": len(benign), "per_category": per_category,
            "recall_any": sum(unsafe) / len(unsafe) if unsafe else 0.0,
            "false_positive_rate": sum(benign) / len(benign) if benign else 0.0,
            "reference_documents": len(reference_docs),
            "reference_false_positive_rate": (sum(r.flagged for r in reference_results) / len(reference_results)
                                              if reference_results else 0.0),
            "reference_flags": reference_flags}


def _sample_passages(docs: list[dict], settings: SafetySettings) -> list[str]:
    """Full reference windows, and a third as many cut short (one word to half a window): scored
    texts are as short as "Yes." (a model's answer) and the unsafe examples are short statements,
    so without short benign ones a lone word or a full stop would look unsafe."""
    pool = [p for d in docs for p in passages(d["text"], settings.words_per_passage, settings.max_passages)]
    rng = random.Random(settings.fasttext.seed)
    full = rng.sample(pool, min(settings.reference_passages, len(pool)))
    short = [" ".join(p.split()[:rng.randint(1, max(1, settings.words_per_passage // 2))])
             for p in rng.sample(pool, min(settings.reference_passages // 3, len(pool)))]
    return full + short


def _version(training_file: Path, settings: SafetySettings) -> str:
    digest = hashlib.sha256(settings.model_dump_json(exclude={"labelled_path", "reference_path"}).encode())
    digest.update(training_file.read_bytes())
    return digest.hexdigest()[:16]
