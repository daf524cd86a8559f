"""`safety_classifier`: the one safety classifier curation, serving and evaluation share."""

import dagster as dg

from flywheel.datasets import SAFETY_CLASSIFIER
from flywheel.safety.published import publish
from flywheel.safety.settings import SafetySettings
from flywheel.safety.taxonomy import DESCRIPTIONS
from flywheel.safety.training import SafetyReport
from orchestration.metadata import path_value, table
from orchestration.resources import StorageResource
from orchestration.settings import config_class, settings_of


class SafetyClassifierConfig(config_class(SafetySettings)):
    """Labelled set, reference prose, passage scoring, the profanity blend, per-category flag
    thresholds and the fastText settings."""


@dg.asset(key=SAFETY_CLASSIFIER, group_name="safety", kinds={"fasttext"}, code_version="1")
def safety_classifier(context: dg.AssetExecutionContext, config: SafetyClassifierConfig,
                      storage: StorageResource) -> dg.MaterializeResult:
    """Per text, a score in [0, 1] for each category — harassment (and hate), sexual, violence,
    self-harm, illicit, privacy — and `flagged` at each category's threshold (OpenAI's moderation
    shape). fastText on our labelled set (unsafe texts and benign look-alikes per category, plus
    reference prose as benign), blended with alt-profanity-check's abuse model and our PII
    detectors. Measured on a held-out quarter of the labelled set and on held-out reference prose.

    Stored under `models/safety_classifier/<version>/`. `filtered_docs` (the `safety` step), the
    model server's moderation and `model_evaluation`'s red-team scoring all use the current version;
    a new one makes the filtered batches stale."""
    settings = settings_of(config, SafetySettings)
    store = storage.models()
    record, report = publish(store, settings)
    context.log.info(f"Safety classifier {report.version}: held-out recall {report.recall_any:.3f}, "
                     f"false positives {report.false_positive_rate:.3f} on look-alikes, "
                     f"{report.reference_false_positive_rate:.3f} on reference prose")
    return dg.MaterializeResult(data_version=dg.DataVersion(report.version),
                                metadata=_metadata(report, record["model_url"]))


def _metadata(report: SafetyReport, url: str) -> dict:
    per_category = {}
    for m in report.per_category:
        key = m.category.replace("-", "_")
        per_category |= {f"{key}_precision": round(m.precision, 3), f"{key}_recall": round(m.recall, 3),
                         f"{key}_false_positive_rate": round(m.false_positive_rate, 3)}
    return {
        "version": report.version,
        "heldout_recall": round(report.recall_any, 3),
        "heldout_false_positive_rate": round(report.false_positive_rate, 3),
        "reference_false_positive_rate": round(report.reference_false_positive_rate, 3),
        "categories": table([{"category": m.category, "threshold": m.threshold, "precision": round(m.precision, 3),
                              "recall": round(m.recall, 3), "f1": round(m.f1, 3),
                              "false_positive_rate": round(m.false_positive_rate, 3), "unsafe": m.unsafe,
                              "look_alikes": m.benign, "covers": DESCRIPTIONS[m.category]}
                             for m in report.per_category]),
        **per_category,
        "reference_flags": table([{"category": c, "documents": n} for c, n in report.reference_flags.items()]),
        "train_unsafe": report.train_unsafe, "train_benign": report.train_benign,
        "train_reference_passages": report.train_reference_passages,
        "heldout_unsafe": report.heldout_unsafe, "heldout_benign": report.heldout_benign,
        "heldout_reference_documents": report.reference_documents,
        "path": path_value(url),
    }
