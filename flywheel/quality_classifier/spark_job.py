"""Score one batch of documents in Spark and split it at the keep threshold.

The model is loaded once per Python worker (`load_model` is cached per process and Spark reuses
its workers) and applied to whole Arrow record batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StringType, StructField, StructType

from flywheel.fasttext_model import load_model
from flywheel.quality_classifier.model import hq_scores
from flywheel.spark_session import spread_over_cores

HISTOGRAM_BINS = 20


@dataclass(frozen=True)
class ClassifierRef:
    model_url: str
    version: str
    threshold: float
    max_words: int | None


@dataclass(frozen=True)
class ScoringReport:
    rows_in: int
    kept: int
    histogram: list[dict]  # {"score_from", "score_to", "kept", "rejected"}
    best: list[dict]  # highest-scoring documents: url, quality_score, text
    worst: list[dict]


def score_documents(frame: DataFrame, classifier: ClassifierRef) -> DataFrame:
    """`frame` plus `quality_score` and `quality_classifier_version`."""
    schema = StructType([*frame.schema.fields, StructField("quality_score", DoubleType(), False),
                         StructField("quality_classifier_version", StringType(), False)])

    def score_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        model = load_model(classifier.model_url)
        for batch in batches:
            scores = hq_scores(model, batch.column("text").to_pylist(), classifier.max_words)
            versions = pa.array([classifier.version] * batch.num_rows, pa.string())
            yield batch.append_column("quality_score", pa.array(scores, pa.float64())) \
                .append_column("quality_classifier_version", versions)

    return spread_over_cores(frame).mapInArrow(score_batches, schema)


def run_scoring(spark: SparkSession, docs_url: str, classifier: ClassifierRef, kept_url: str,
                rejected_url: str, examples: int = 3) -> ScoringReport:
    """Write documents scoring >= the threshold to `kept_url`, the others with a `reason` to
    `rejected_url`; both Parquet."""
    scored = score_documents(spark.read.parquet(docs_url), classifier).persist()
    try:
        keep = F.col("quality_score") >= F.lit(classifier.threshold)
        scored.filter(keep).write.mode("overwrite").parquet(kept_url)
        reason = F.format_string(f"quality_score %.4f < threshold {classifier.threshold:.4f}", "quality_score")
        scored.filter(~keep).withColumn("reason", reason).write.mode("overwrite").parquet(rejected_url)
        return _report(scored, keep, examples)
    finally:
        scored.unpersist()


def _report(scored: DataFrame, keep, examples: int) -> ScoringReport:
    bins = scored.groupBy(
        F.least(F.floor(F.col("quality_score") * HISTOGRAM_BINS), F.lit(HISTOGRAM_BINS - 1)).alias("bin"),
        keep.alias("kept")).count().collect()
    histogram = [{"score_from": b / HISTOGRAM_BINS, "score_to": (b + 1) / HISTOGRAM_BINS,
                  "kept": 0, "rejected": 0} for b in range(HISTOGRAM_BINS)]
    for row in bins:
        histogram[int(row["bin"])]["kept" if row["kept"] else "rejected"] += row["count"]
    columns = ["url", "quality_score", F.substring("text", 1, 200).alias("text")]
    best = [r.asDict() for r in scored.orderBy(F.desc("quality_score")).select(*columns).limit(examples).collect()]
    worst = [r.asDict() for r in scored.orderBy("quality_score").select(*columns).limit(examples).collect()]
    rows_in = sum(h["kept"] + h["rejected"] for h in histogram)
    return ScoringReport(rows_in=rows_in, kept=sum(h["kept"] for h in histogram), histogram=histogram,
                         best=best, worst=worst)
