"""Run the filter cascade over a Parquet dataset with Spark, writing kept and dropped rows.

The cascade runs inside `mapInArrow`: each Python worker receives Arrow batches, loads the
language model and tokenizer once, and returns every row with its verdict. Kept and dropped rows
are then written from the same cached result, so each document is filtered exactly once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from pyspark import Accumulator, AccumulatorParam, StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from flywheel.filtering.pipeline import VERDICT_FIELDS, FilterSettings, filter_record_batch
from flywheel.spark_files import ship
from flywheel.spark_session import spread_over_cores
from flywheel.stage_timer import StageTimer

KEPT_EXTRA_COLUMNS = ["language", "language_score"]
REJECTED_EXTRA_COLUMNS = ["language", "language_score", "reason", "value", "threshold", "detail"]


@dataclass
class FilterReport:
    rows_in: int
    kept: int
    drops_by_rule: dict[str, int]
    languages: dict[str, int]  # identified language of every document that reached language id
    examples: list[dict]  # a few dropped rows per rule
    # Driver wall-clock seconds per stage: filtering (read, cascade, cache), writing, report.
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # Seconds inside the workers per filter step and for Arrow <-> Python conversion, summed over
    # every task (with N cores busy, about N times the filtering stage's wall-clock share).
    worker_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def dropped(self) -> int:
        return self.rows_in - self.kept


class _SecondsSum(AccumulatorParam):
    """Adds up the workers' {stage: seconds} dicts."""

    def zero(self, value: dict) -> dict:
        return {}

    def addInPlace(self, total: dict, more: dict) -> dict:
        for name, seconds in more.items():
            total[name] = total.get(name, 0.0) + seconds
        return total


def apply_filters(frame: DataFrame, settings: FilterSettings, worker_seconds: Accumulator) -> DataFrame:
    """`frame` plus the verdict columns (`kept`, `reason`, `value`, ...), text rewritten by C4;
    `worker_seconds` (an accumulator of `_SecondsSum`) gets each step's seconds."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema

    verdict_fields = from_arrow_schema(pa.schema(VERDICT_FIELDS)).fields
    result_schema = StructType(frame.schema.fields + verdict_fields)

    def run(batches):
        for batch in batches:
            timer = StageTimer()
            verdicts = filter_record_batch(batch, settings, timer)
            worker_seconds.add(timer.seconds)
            yield verdicts

    return frame.mapInArrow(run, result_schema)


def run_filtering(spark: SparkSession, input_url: str, kept_url: str, rejected_url: str,
                  settings: FilterSettings, examples_per_rule: int = 3) -> FilterReport:
    timer = StageTimer()
    worker_seconds = spark.sparkContext.accumulator({}, _SecondsSum())
    source = spark.read.parquet(input_url)
    input_columns = source.columns
    verdicts = apply_filters(spread_over_cores(source), with_shipped_files(spark, settings), worker_seconds).persist(
        StorageLevel.MEMORY_AND_DISK)
    try:
        with timer.stage("filtering"):
            verdicts.count()  # the cascade runs here, once; the writes and counts read the cached rows
        with timer.stage("writing kept"):
            verdicts.filter("kept").select(*input_columns, *KEPT_EXTRA_COLUMNS).write.mode("overwrite").parquet(
                kept_url)
        with timer.stage("writing rejected"):
            verdicts.filter("NOT kept").select(*input_columns, *REJECTED_EXTRA_COLUMNS).write.mode(
                "overwrite").parquet(rejected_url)
        with timer.stage("report"):
            report = _report(verdicts, examples_per_rule)
    finally:
        verdicts.unpersist()
    return replace(report, stage_seconds=timer.seconds,
                   worker_seconds=dict(sorted(worker_seconds.value.items(), key=lambda kv: -kv[1])))


def with_shipped_files(spark: SparkSession, settings: FilterSettings) -> FilterSettings:
    """`settings` with the files that the enabled steps read (language model, blocklist) shipped
    to the executors, so that a cluster's workers need no copy of the driver's files."""
    language, blocklist = settings.language, settings.url_blocklist
    if language.enabled:
        language = language.model_copy(update={"model_file": ship(spark, language.model_file)})
    if blocklist.enabled and blocklist.blocklist_file:
        blocklist = blocklist.model_copy(update={"blocklist_file": ship(spark, blocklist.blocklist_file)})
    return settings.model_copy(update={"language": language, "url_blocklist": blocklist})


def _report(verdicts: DataFrame, examples_per_rule: int) -> FilterReport:
    by_reason: Counter[str | None] = Counter()
    languages: Counter[str] = Counter()
    # One job for both tallies: rows by (reason, language).
    for row in verdicts.groupBy("reason", "language").count().collect():
        by_reason[row["reason"]] += row["count"]
        if row["language"] is not None:
            languages[row["language"]] += row["count"]
    rank = Window.partitionBy("reason").orderBy("doc_id")
    # The text is cut before the window, so the shuffle carries 300 characters per dropped row.
    examples = (verdicts.filter("NOT kept")
                .select("reason", "doc_id", "url", "value", "threshold", "detail",
                        F.substring("text", 1, 300).alias("text"))
                .withColumn("rank", F.row_number().over(rank))
                .filter(F.col("rank") <= examples_per_rule)
                .select("reason", "url", "value", "threshold", "detail", "text")
                .orderBy("reason", "url").collect())
    kept_rows = by_reason.pop(None, 0)
    return FilterReport(rows_in=kept_rows + sum(by_reason.values()), kept=kept_rows,
                        drops_by_rule=dict(sorted(by_reason.items(), key=lambda kv: -kv[1])),
                        languages=dict(sorted(languages.items(), key=lambda kv: -kv[1])),
                        examples=[row.asDict() for row in examples])
