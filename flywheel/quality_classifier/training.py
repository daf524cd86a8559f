"""Train, evaluate and version a quality classifier: reference text (positives) vs crawl sample."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flywheel.quality_classifier import metrics
from flywheel.quality_classifier.examples import (
    Document,
    TrainingFileCounts,
    is_heldout,
    read_jsonl_documents,
    write_training_file,
)
from flywheel.quality_classifier.model import hq_scores, model_version, train
from flywheel.quality_classifier.settings import ClassifierSettings

MODEL_FILE = "model.bin"


@dataclass(frozen=True)
class ClassifierReport:
    version: str
    counts: TrainingFileCounts
    heldout_hq_documents: int
    heldout_crawl_documents: int
    threshold: float
    threshold_rule: str
    heldout_auc: float
    heldout_at_threshold: metrics.ThresholdMetrics
    external_auc: float | None
    external_documents: int
    heldout_hq_scores: np.ndarray
    crawl_scores: np.ndarray  # every sampled crawl document, train and held-out


def train_classifier(crawl_docs: list[Document], settings: ClassifierSettings, workdir: Path) -> ClassifierReport:
    """Train in `workdir` (the model lands at `workdir / MODEL_FILE`) and evaluate on documents
    held out by a stable hash of their id, so the split never changes for a document."""
    reference = [Document(row["id"], row["text"]) for row in read_jsonl_documents(settings.reference_path)]
    hq_train, hq_heldout = _split(reference, settings.heldout_fraction)
    crawl_train, crawl_heldout = _split(crawl_docs, settings.heldout_fraction)
    training_file = workdir / "train.txt"
    counts = write_training_file(training_file, hq_train, crawl_train, settings.words_per_example,
                                 settings.sample_seed)
    version = model_version(training_file, settings.fasttext, settings.max_words)
    model = train(training_file, settings.fasttext)
    model.save_model(str(workdir / MODEL_FILE))

    def score(docs: list[Document]) -> np.ndarray:
        return hq_scores(model, [d.text for d in docs], settings.max_words)

    heldout_hq, crawl_all = score(hq_heldout), score(crawl_docs)
    heldout_crawl = crawl_all[[is_heldout(d.doc_id, settings.heldout_fraction) for d in crawl_docs]]
    if settings.min_score is not None:
        threshold, rule = settings.min_score, f"fixed min_score {settings.min_score:g}"
    else:
        threshold = float(np.quantile(crawl_all, 1.0 - settings.keep_top_fraction))
        rule = f"top {settings.keep_top_fraction:.0%} of {len(crawl_all)} sampled crawl documents"
    labels = np.r_[np.ones(len(heldout_hq), bool), np.zeros(len(heldout_crawl), bool)]
    scores = np.r_[heldout_hq, heldout_crawl]
    external_auc, external_count = _external_auc(model, settings)
    return ClassifierReport(
        version=version, counts=counts, heldout_hq_documents=len(hq_heldout),
        heldout_crawl_documents=len(crawl_heldout), threshold=threshold, threshold_rule=rule,
        heldout_auc=metrics.roc_auc(labels, scores),
        heldout_at_threshold=metrics.at_threshold(labels, scores, threshold),
        external_auc=external_auc, external_documents=external_count,
        heldout_hq_scores=heldout_hq, crawl_scores=crawl_all)


def _split(docs: list[Document], fraction: float) -> tuple[list[Document], list[Document]]:
    heldout = [d for d in docs if is_heldout(d.doc_id, fraction)]
    if not heldout or len(heldout) == len(docs):
        raise ValueError(f"{len(docs)} documents are too few to hold {fraction:.0%} out for evaluation")
    return [d for d in docs if not is_heldout(d.doc_id, fraction)], heldout


def _external_auc(model, settings: ClassifierSettings) -> tuple[float | None, int]:
    """ROC-AUC on a labelled set the classifier never saw: `ham` is the good class."""
    if settings.external_check_path is None:
        return None, 0
    rows = list(read_jsonl_documents(settings.external_check_path))
    labels = np.array([row.get("label") == "ham" for row in rows])
    scores = hq_scores(model, [row["text"] for row in rows], settings.max_words)
    return metrics.roc_auc(labels, scores), len(rows)
