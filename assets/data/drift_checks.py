"""Great-expectations asset checks on every curation dataset, per `crawl_batch` partition.

`integrity` (blocking, ERROR): schema, ids, text bounds, value ranges and, after dedup,
no duplicate text left — a failure stops downstream assets in the same run.
`drift` (WARN): mean text length, kept share and language mix against the previous
partition, within `DriftBounds`.
"""

import posixpath
import time
import warnings

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import Field

from flywheel.datasets import (
    CURATED_FROM,
    CURATION_DATASETS,
    DEDUPLICATED_DOCS,
    FILTERED_DOCS,
    QUALITY_SCORED_DOCS,
    RAW_CRAWL,
)
from flywheel.filtering.language_id import LanguageSettings
from flywheel.filtering.pipeline import SETTINGS_FILE, FilterSettings
from flywheel.lake import Lake
from flywheel.quality.drift import DriftBounds, compare, profile
from flywheel.quality.suites import (
    deduplicated_docs_suite,
    filtered_docs_suite,
    quality_scored_docs_suite,
    raw_crawl_suite,
    with_text_hash,
)
from orchestration.gx_checks import check_result
from orchestration.metadata import table
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import StorageResource
from orchestration.settings import config_class, settings_of


class QualityConfig(dg.Config):
    languages: list[str] | None = Field(
        default=None, description="Languages the filtered datasets may contain; default: the `languages` "
                                  "`filtered_docs` was run with (stored with each partition).")
    min_language_score: float | None = Field(
        default=None, description="Lowest language score allowed; default: the `min_score` `filtered_docs` "
                                  "was run with.")
    max_rows: int = Field(default=200_000, description="Partitions with more rows are validated on a "
                          "seeded random sample of this many rows (uniqueness then holds for the sample).")

    def language_bounds(self, lake: Lake, batch: str) -> tuple[list[str], float]:
        """(languages, min score) to validate a batch's filtered datasets against."""
        used = _language_settings(lake, batch)
        return (used.languages if self.languages is None else self.languages,
                used.min_score if self.min_language_score is None else self.min_language_score)


def _language_settings(lake: Lake, batch: str) -> LanguageSettings:
    """The language step settings a `filtered_docs` partition was filtered with (the defaults for
    a partition written before the settings were stored with it)."""
    path = posixpath.join(lake.partition_path(FILTERED_DOCS, batch), SETTINGS_FILE)
    if not lake.fs.exists(path):
        return LanguageSettings()
    return FilterSettings.model_validate_json(lake.fs.cat_file(path)).language


DriftConfig = config_class(DriftBounds)


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


def _partitioned_check(**kwargs):
    """`dg.asset_check` per crawl batch. Partitioned checks are a Dagster preview feature; its
    warning would print on every load of the code location (the CLI included), so it is silenced
    here, where the choice was made."""
    def decorate(check):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dg.PreviewWarning)
            return dg.asset_check(partitions_def=crawl_batch_partitions, **kwargs)(check)

    return decorate


def _integrity_check(dataset: str, suite, prepare=lambda frame: frame) -> dg.AssetChecksDefinition:
    @_partitioned_check(asset=dataset, name="integrity", blocking=True,
                        description=f"GX suite on each `{dataset}` partition: schema, non-null unique ids, "
                                    "text bounds and value ranges. Blocking: a failure stops downstream assets.")
    def check(context: dg.AssetCheckExecutionContext, config: QualityConfig,
              storage: StorageResource) -> dg.AssetCheckResult:
        started = time.perf_counter()
        frame, sampled = _load(storage, dataset, context.partition_key, config.max_rows)
        languages, min_score = config.language_bounds(storage.lake(), context.partition_key)
        return check_result(prepare(frame), suite(languages, min_score), f"{dataset}_integrity", started,
                            sampled=sampled)

    return check


def _previous_partition(context: dg.AssetCheckExecutionContext, storage: StorageResource, dataset: str) -> str | None:
    batches = context.instance.get_dynamic_partitions(crawl_batch_partitions.name)
    earlier = batches[: batches.index(context.partition_key)] if context.partition_key in batches else []
    lake = storage.lake()
    return next((b for b in reversed(earlier) if lake.has_partition(dataset, b)), None)


def _drift_check(dataset: str) -> dg.AssetChecksDefinition:
    @_partitioned_check(asset=dataset, name="drift", blocking=False,
                        description=f"Mean text length, kept share and language mix of a `{dataset}` partition "
                                    "against the previous batch's. A warning: look before it reaches training.")
    def check(context: dg.AssetCheckExecutionContext, config: DriftConfig,
              storage: StorageResource) -> dg.AssetCheckResult:
        lake = storage.lake()
        previous = _previous_partition(context, storage, dataset)
        if previous is None:
            return dg.AssetCheckResult(passed=True, severity=dg.AssetCheckSeverity.WARN,
                                       description="first partition: nothing to compare with")
        upstream = CURATED_FROM.get(dataset)

        def profile_of(batch: str):
            columns = ["text"] if dataset == RAW_CRAWL else ["text", "language"]
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
    _integrity_check(RAW_CRAWL, lambda languages, min_score: raw_crawl_suite()),
    _integrity_check(FILTERED_DOCS, filtered_docs_suite),
    _integrity_check(DEDUPLICATED_DOCS, deduplicated_docs_suite, prepare=with_text_hash),
    _integrity_check(QUALITY_SCORED_DOCS, quality_scored_docs_suite, prepare=with_text_hash),
    *[_drift_check(dataset) for dataset in CURATION_DATASETS],
]
