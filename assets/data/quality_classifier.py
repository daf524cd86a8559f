"""`quality_classifier`: the fastText model that scores documents for quality, the DCLM way."""

import tempfile
from pathlib import Path

import dagster as dg
import numpy as np

from flywheel.datasets import FILTERED_DOCS, QUALITY_CLASSIFIER
from flywheel.quality_classifier.examples import Document, sample_ids
from flywheel.quality_classifier.settings import ClassifierSettings
from flywheel.quality_classifier.training import MODEL_FILE, ClassifierReport, train_classifier
from orchestration import plots
from orchestration.metadata import path_value
from orchestration.resources import StorageResource
from orchestration.settings import config_class, settings_of


class QualityClassifierConfig(config_class(ClassifierSettings)):
    """Reference corpus, crawl sample size, fastText settings (DCLM: defaults plus word bigrams)
    and the keep threshold rule."""


@dg.asset(
    key=QUALITY_CLASSIFIER, group_name="quality", kinds={"fasttext"}, deps=[FILTERED_DOCS],
    code_version="1",
)
def quality_classifier(context: dg.AssetExecutionContext, config: QualityClassifierConfig,
                       storage: StorageResource) -> dg.MaterializeResult:
    """fastText classifier (word unigrams + bigrams) of reference prose (positives) against a
    random sample of `filtered_docs` from every batch (negatives), evaluated on held-out documents
    and on an external ham/spam set it never saw. Stored under
    `models/quality_classifier/<version>/`, the version a hash of its training data and settings;
    a new version makes `quality_scored_docs` stale so a backfill re-scores the batches."""
    settings = settings_of(config, ClassifierSettings)
    crawl_docs = _crawl_sample(storage, settings)
    with tempfile.TemporaryDirectory() as workdir:
        report = train_classifier(crawl_docs, settings, Path(workdir))
        store = storage.models()
        reused = store.has_version(QUALITY_CLASSIFIER, report.version)
        path = store.publish(Path(workdir), QUALITY_CLASSIFIER, report.version)
    store.set_current(QUALITY_CLASSIFIER, report.version, {
        "model_url": store.url(f"{path}/{MODEL_FILE}"), "threshold": report.threshold,
        "threshold_rule": report.threshold_rule, "max_words": settings.max_words,
        "settings": settings.model_dump()})
    context.log.info(f"Quality classifier {report.version} ({'unchanged' if reused else 'new'}): "
                     f"held-out ROC-AUC {report.heldout_auc:.3f}, external {report.external_auc}")
    return dg.MaterializeResult(data_version=dg.DataVersion(report.version),
                                metadata=_metadata(report, store.url(path)))


def _crawl_sample(storage: StorageResource, settings: ClassifierSettings) -> list[Document]:
    """A seeded sample of `filtered_docs` over all its partitions, read in two passes (ids, then
    the texts of the chosen ones) so memory holds only the sample."""
    lake = storage.lake()
    batches = lake.partitions(FILTERED_DOCS)
    if not batches:
        raise dg.Failure("filtered_docs has no partitions yet; curate a crawl batch first")
    ids = (doc_id for batch in batches for record_batch in lake.iter_batches(FILTERED_DOCS, batch, ["doc_id"])
           for doc_id in record_batch.column("doc_id").to_pylist())
    chosen = sample_ids(ids, settings.negative_documents, settings.sample_seed)
    docs = {}
    for batch in batches:
        for record_batch in lake.iter_batches(FILTERED_DOCS, batch, ["doc_id", "text"]):
            for doc_id, text in zip(*record_batch.to_pydict().values()):
                if doc_id in chosen:
                    docs[doc_id] = Document(doc_id, text)  # a doc recrawled in two batches counts once
    return list(docs.values())


def _metadata(report: ClassifierReport, path: str) -> dict:
    at = report.heldout_at_threshold
    return {
        "version": report.version,
        "heldout_roc_auc": round(report.heldout_auc, 4),
        "external_roc_auc": round(report.external_auc, 4) if report.external_auc is not None else None,
        "external_documents": report.external_documents,
        "threshold": round(report.threshold, 6),
        "threshold_rule": report.threshold_rule,
        "heldout_precision": round(at.precision, 4),
        "heldout_recall": round(at.recall, 4),
        "heldout_f1": round(at.f1, 4),
        "train_examples_reference": report.counts.hq_examples,
        "train_examples_crawl": report.counts.crawl_examples,
        "train_documents_reference": report.counts.hq_documents,
        "train_documents_crawl": report.counts.crawl_documents,
        "heldout_documents_reference": report.heldout_hq_documents,
        "heldout_documents_crawl": report.heldout_crawl_documents,
        "score_histogram": _histogram_plot(report),
        "path": path_value(path),
    }


def _histogram_plot(report: ClassifierReport) -> dg.MarkdownMetadataValue:
    fig = plots.figure()
    axes = fig.add_subplot()
    bins = np.linspace(0.0, 1.0, 41)
    axes.hist(report.crawl_scores, bins=bins, alpha=0.6, label="crawl sample (filtered_docs)")
    axes.hist(report.heldout_hq_scores, bins=bins, alpha=0.6, label="held-out reference")
    axes.axvline(report.threshold, color="black", linestyle="--", label=f"keep threshold {report.threshold:.3f}")
    axes.set_xlabel("quality score (P(reference))")
    axes.set_ylabel("documents")
    axes.legend(fontsize=8)
    return plots.as_markdown(fig)
