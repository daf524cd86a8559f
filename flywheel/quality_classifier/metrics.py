"""Binary classification metrics on scores, in NumPy (no scikit-learn dependency)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a random positive outranks a random negative
    (ties count half), by the Mann-Whitney U statistic."""
    labels = np.asarray(labels, dtype=bool)
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if positives == 0 or negatives == 0:
        raise ValueError("ROC-AUC needs at least one positive and one negative example")
    _, tie_group, tie_sizes = np.unique(np.asarray(scores, dtype=float), return_inverse=True,
                                        return_counts=True)
    ranks = (np.cumsum(tie_sizes) - (tie_sizes - 1) / 2)[tie_group]  # 1-based, ties averaged
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


@dataclass(frozen=True)
class ThresholdMetrics:
    threshold: float
    precision: float
    recall: float
    f1: float


def at_threshold(labels: np.ndarray, scores: np.ndarray, threshold: float) -> ThresholdMetrics:
    """Precision, recall and F1 of calling `score >= threshold` positive."""
    labels = np.asarray(labels, dtype=bool)
    predicted = np.asarray(scores) >= threshold
    true_positives = int((predicted & labels).sum())
    precision = true_positives / int(predicted.sum()) if predicted.any() else 0.0
    recall = true_positives / int(labels.sum()) if labels.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ThresholdMetrics(threshold, precision, recall, f1)
