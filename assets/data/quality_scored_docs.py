"""`quality_scored_docs`: every deduplicated document scored by the current quality classifier."""

import dagster as dg
from pydantic import Field

from flywheel.datasets import DEDUPLICATED_DOCS, QUALITY_CLASSIFIER, QUALITY_SCORED_DOCS, QUALITY_SCORED_DOCS_REJECTED
from flywheel.quality.suites import quality_scored_docs_suite, with_text_hash
from flywheel.quality_classifier.spark_job import ClassifierRef, ScoringReport, run_scoring
from orchestration.audit import (
    INTEGRITY,
    IntegrityConfig,
    audit,
    filtered_language_settings,
    integrity_spec,
    publish_if_passed,
)
from orchestration.inputs import require_partition
from orchestration.metadata import clip, kept_metadata, partition_path_value, table
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import SparkResource, StorageResource


class QualityScoredDocsConfig(dg.Config):
    min_score: float | None = Field(
        default=None, ge=0.0, le=1.0,
        description="A fixed keep threshold for this run instead of the classifier's "
                    "(percentile-based by default: see quality_classifier's `threshold_rule`).")
    examples: int = Field(default=3, ge=0, le=20, description="Best and worst documents shown.")
    integrity: IntegrityConfig = IntegrityConfig()


@dg.asset(
    key=QUALITY_SCORED_DOCS, group_name="quality", kinds={"spark", "parquet", "fasttext"},
    deps=[DEDUPLICATED_DOCS, QUALITY_CLASSIFIER], partitions_def=crawl_batch_partitions,
    code_version="1", output_required=False,
    # A new classifier version (or a newer deduplicated batch) re-scores the batch: `quality_rescoring`.
    automation_condition=dg.AutomationCondition.eager(),
    check_specs=[integrity_spec(QUALITY_SCORED_DOCS, "schema, non-null unique `doc_id`, text bounds, languages, "
                                                     "no duplicate normalized text, `quality_score` in [0, 1], one "
                                                     "classifier version")],
)
def quality_scored_docs(context: dg.AssetExecutionContext, config: QualityScoredDocsConfig,
                        storage: StorageResource, spark: SparkResource):
    """`deduplicated_docs` plus `quality_score` (probability of reference-like prose, in [0, 1])
    and `quality_classifier_version`; only documents at or above the keep threshold. The others
    go to `lake/quality_scored_docs_rejected/<batch>/` with their score and a reason.

    Not materialized (the run still succeeds) until a `quality_classifier` exists; when a new
    classifier version lands, these partitions show as stale and `quality_rescoring` re-scores
    them (eager automation condition; or backfill them by hand). The
    scored partition is published only if its integrity check passes."""
    batch = context.partition_key
    lake = storage.lake()
    current = storage.models().current(QUALITY_CLASSIFIER)
    if current is None:
        context.log.warning(f"No quality_classifier yet: batch {batch!r} is not scored. Materialize "
                            "quality_classifier, then this partition.")
        yield dg.AssetCheckResult(check_name=INTEGRITY, passed=True,
                                  description="nothing staged: no quality_classifier yet, so nothing was scored")
        return
    docs_path = require_partition(lake, DEDUPLICATED_DOCS, batch)
    threshold = config.min_score if config.min_score is not None else current["threshold"]
    classifier = ClassifierRef(model_url=current["model_url"], version=current["version"],
                               threshold=threshold, max_words=current["max_words"])
    with lake.stage(QUALITY_SCORED_DOCS, batch) as kept, lake.stage(QUALITY_SCORED_DOCS_REJECTED, batch) as rejected:
        report = run_scoring(spark.get_session(), lake.url(docs_path),
                             classifier, lake.url(kept.path), lake.url(rejected.path), config.examples)
    suite = quality_scored_docs_suite(*config.integrity.language_bounds(filtered_language_settings(lake, batch)))
    check = audit(lake, kept, suite, config.integrity.max_rows, prepare=with_text_hash)
    yield from publish_if_passed(lake, check, rejected, kept)
    context.log.info(f"Kept {report.kept} of {report.rows_in} documents at quality_score >= "
                     f"{threshold:.4f} (classifier {classifier.version})")
    yield dg.MaterializeResult(metadata=_metadata(report, classifier, current, config.min_score, lake, batch))


def _metadata(report: ScoringReport, classifier: ClassifierRef, current: dict, min_score: float | None,
              lake, batch: str) -> dict:
    def examples(rows: list[dict]) -> dg.TableMetadataValue:
        return table([{**r, "quality_score": round(r["quality_score"], 4), "text": clip(r["text"], 120)}
                      for r in rows], ["quality_score", "url", "text"])

    return {
        **kept_metadata(report.rows_in, report.kept),
        "threshold": round(classifier.threshold, 6),
        "threshold_rule": current["threshold_rule"] if min_score is None else "fixed min_score (run config)",
        "quality_classifier_version": classifier.version,
        "score_histogram": table([{**h, "score_from": round(h["score_from"], 2), "score_to": round(h["score_to"], 2)}
                                  for h in report.histogram if h["kept"] or h["rejected"]],
                                 ["score_from", "score_to", "kept", "rejected"]),
        "best_documents": examples(report.best),
        "worst_documents": examples(report.worst),
        "path": partition_path_value(lake, QUALITY_SCORED_DOCS, batch),
        "rejected_path": partition_path_value(lake, QUALITY_SCORED_DOCS_REJECTED, batch),
    }
