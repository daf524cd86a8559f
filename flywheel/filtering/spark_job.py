"""Run the filter cascade over a Parquet dataset with Spark, writing kept and dropped rows.

The cascade runs inside `mapInArrow`: each Python worker receives Arrow batches, loads the
language model and tokenizer once, and returns every row with its verdict. Kept and dropped rows
are then written from the same cached result, so each document is filtered exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StructType

from flywheel.filtering.pipeline import VERDICT_FIELDS, FilterSettings, filter_record_batch
from flywheel.spark_session import spread_over_cores

KEPT_EXTRA_COLUMNS = ["language", "language_score"]
REJECTED_EXTRA_COLUMNS = ["language", "language_score", "reason", "value", "threshold", "detail"]


@dataclass
class FilterReport:
    rows_in: int
    kept: int
    drops_by_rule: dict[str, int]
    languages: dict[str, int]  # identified language of every document that reached language id
    examples: list[dict]  # a few dropped rows per rule

    @property
    def dropped(self) -> int:
        return self.rows_in - self.kept


def apply_filters(frame: DataFrame, settings: FilterSettings) -> DataFrame:
    """`frame` plus the verdict columns (`kept`, `reason`, `value`, ...), text rewritten by C4."""
    import pyarrow as pa
    from pyspark.sql.pandas.types import from_arrow_schema

    verdict_fields = from_arrow_schema(pa.schema(VERDICT_FIELDS)).fields
    result_schema = StructType(frame.schema.fields + verdict_fields)

    def run(batches):
        for batch in batches:
            yield filter_record_batch(batch, settings)

    return frame.mapInArrow(run, result_schema)


def run_filtering(spark: SparkSession, input_url: str, kept_url: str, rejected_url: str,
                  settings: FilterSettings, examples_per_rule: int = 3) -> FilterReport:
    source = spark.read.parquet(input_url)
    input_columns = source.columns
    verdicts = apply_filters(spread_over_cores(source), settings).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        kept = verdicts.filter("kept").select(*input_columns, *KEPT_EXTRA_COLUMNS)
        kept.write.mode("overwrite").parquet(kept_url)
        dropped = verdicts.filter("NOT kept").select(*input_columns, *REJECTED_EXTRA_COLUMNS)
        dropped.write.mode("overwrite").parquet(rejected_url)

        by_reason = {row["reason"]: row["count"] for row in verdicts.groupBy("reason").count().collect()}
        languages = {row["language"]: row["count"] for row in
                     verdicts.filter(F.col("language").isNotNull()).groupBy("language").count().collect()}
        rank = Window.partitionBy("reason").orderBy("doc_id")
        examples = (verdicts.filter("NOT kept")
                    .withColumn("rank", F.row_number().over(rank))
                    .filter(F.col("rank") <= examples_per_rule)
                    .select("reason", "url", "value", "threshold", "detail",
                            F.substring("text", 1, 300).alias("text"))
                    .orderBy("reason", "url").collect())
    finally:
        verdicts.unpersist()
    kept_rows = by_reason.pop(None, 0)
    return FilterReport(rows_in=kept_rows + sum(by_reason.values()), kept=kept_rows,
                        drops_by_rule=dict(sorted(by_reason.items(), key=lambda kv: -kv[1])),
                        languages=dict(sorted(languages.items(), key=lambda kv: -kv[1])),
                        examples=[row.asDict() for row in examples])

