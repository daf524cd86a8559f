"""Great-expectations asset checks on every curation dataset, per `crawl_batch` partition.

`integrity` (blocking, ERROR): schema, ids, text bounds, value ranges and, after dedup,
no duplicate text left — a failure stops downstream assets in the same run.
`drift` (WARN): mean text length, kept share and language mix against the previous
partition, within `DriftBounds`.
"""

import time

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import Field

from flywheel.filtering.language_id import LanguageSettings
from flywheel.quality.drift import DriftBounds, compare, profile
from flywheel.quality.suites import (
    deduplicated_docs_suite, filtered_docs_suite, quality_scored_docs_suite, raw_crawl_suite, with_text_hash)
from orchestration.gx_checks import check_result
from orchestration.metadata import table
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import StorageResource
from orchestration.settings import settings_of

# dataset -> the dataset whose rows it keeps a share of
UPSTREAM = {"filtered_docs": "raw_crawl", "deduplicated_docs": "filtered_docs",
            "quality_scored_docs": "deduplicated_docs"}


class QualityConfig(dg.Config):
    languages: list[str] = Field(default_factory=lambda: list(LanguageSettings().languages),
                                 description="Languages `filtered_docs` may contain.")
    min_language_score: float = Field(default=LanguageSettings().min_score)
    max_rows: int = Field(default=200_000, description="Partitions with more rows are validated on a "
                          "seeded random sample of this many rows (uniqueness then holds for the sample).")


class DriftConfig(dg.Config, DriftBounds):
    pass


def _load(storage: StorageResource, dataset: str, batch: str, max_rows: int) -> tuple[pd.DataFrame, bool]:
    """The whole partition, or above `max_rows` a seeded sample of about that many rows, read
    batch by batch so the full partition never sits in memory."""
    lake = storage.lake()
    total = lake.row_count(dataset, batch)
    if total <= max_rows:
        return lake.read_partition(dataset, batch).to_pandas(), False
    rng = np.random.default_rng(0)
    kept = [b.filter(pa.array(rng.random(b.num_rows) < max_rows / total))
            for b in lake.iter_batches(dataset, batch)]
    return pa.Table.from_batches(kept).to_pandas(), True


def _integrity_check(dataset: str, suite, prepare=lambda frame: frame) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=dataset, name="integrity", blocking=True,
                    partitions_def=crawl_batch_partitions,
                    description=f"GX suite on each `{dataset}` partition: schema, non-null unique ids, "
                                "text bounds and value ranges. Blocking: a failure stops downstream assets.")
    def check(context: dg.AssetCheckExecutionContext, config: QualityConfig,
              storage: StorageResource) -> dg.AssetCheckResult:
        started = time.perf_counter()
        frame, sampled = _load(storage, dataset, context.partition_key, config.max_rows)
        return check_result(prepare(frame), suite(config), f"{dataset}_integrity", started, sampled=sampled)

    return check


def _previous_partition(context: dg.AssetCheckExecutionContext, storage: StorageResource, dataset: str) -> str | None:
    batches = context.instance.get_dynamic_partitions(crawl_batch_partitions.name)
    earlier = batches[: batches.index(context.partition_key)] if context.partition_key in batches else []
    lake = storage.lake()
    return next((b for b in reversed(earlier) if lake.has_partition(dataset, b)), None)


def _drift_check(dataset: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=dataset, name="drift", blocking=False,
                    partitions_def=crawl_batch_partitions,
                    description=f"Mean text length, kept share and language mix of a `{dataset}` partition "
                                "against the previous batch's. A warning: look before it reaches training.")
    def check(context: dg.AssetCheckExecutionContext, config: DriftConfig,
              storage: StorageResource) -> dg.AssetCheckResult:
        lake = storage.lake()
        previous = _previous_partition(context, storage, dataset)
        if previous is None:
            return dg.AssetCheckResult(passed=True, severity=dg.AssetCheckSeverity.WARN,
                                       description="first partition: nothing to compare with")
        upstream = UPSTREAM.get(dataset)

        def profile_of(batch: str):
            columns = ["text"] if dataset == "raw_crawl" else ["text", "language"]
            return profile(lake.iter_batches(dataset, batch, columns),
                           lake.row_count(upstream, batch) if upstream else None)

        outcomes = compare(profile_of(context.partition_key), profile_of(previous),
                           settings_of(config, DriftBounds))
        drifted = [o.metric for o in outcomes if not o.ok]
        return dg.AssetCheckResult(
            passed=not drifted, severity=dg.AssetCheckSeverity.WARN,
            description="within bounds" if not drifted else "drifted: " + ", ".join(drifted),
            metadata={"previous_partition": previous,
                      "metrics": table([vars(o) for o in outcomes], ["metric", "previous", "current", "bound", "ok"])})

    return check


curation_checks = [
    _integrity_check("raw_crawl", lambda config: raw_crawl_suite()),
    _integrity_check("filtered_docs",
                     lambda config: filtered_docs_suite(config.languages, config.min_language_score)),
    _integrity_check("deduplicated_docs",
                     lambda config: deduplicated_docs_suite(config.languages, config.min_language_score),
                     prepare=with_text_hash),
    _integrity_check("quality_scored_docs",
                     lambda config: quality_scored_docs_suite(config.languages, config.min_language_score),
                     prepare=with_text_hash),
    *[_drift_check(dataset) for dataset in ("raw_crawl", "filtered_docs", "deduplicated_docs", "quality_scored_docs")],
]
