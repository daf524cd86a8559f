"""Drift checks on every curation dataset, per `crawl_batch` partition: mean text length, kept
share and language mix of a published partition against the previous batch's, within
`DriftBounds`. WARN severity: look before it reaches training. (The blocking integrity checks run
inside each asset, on the staged partition before it is published: see `orchestration/audit.py`.)
"""

import warnings

import dagster as dg

from flywheel.datasets import CURATED_FROM, CURATION_DATASETS, RAW_CRAWL
from flywheel.quality.drift import DriftBounds, compare, profile
from orchestration.metadata import table
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import StorageResource
from orchestration.settings import config_class, settings_of

DriftConfig = config_class(DriftBounds)


def _partitioned_check(**kwargs):
    """`dg.asset_check` per crawl batch. Partitioned checks are a Dagster preview feature; its
    warning would print on every load of the code location (the CLI included), so it is silenced
    here, where the choice was made."""
    def decorate(check):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", dg.PreviewWarning)
            return dg.asset_check(partitions_def=crawl_batch_partitions, **kwargs)(check)

    return decorate


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
                      "metrics": table([vars(o) for o in outcomes], ["metric", "previous", "current", "bound", "ok"]),
                      # Each metric's current value as a number too, so a check's history charts it.
                      **{o.metric: float(o.current) for o in outcomes}})

    return check


drift_checks = [_drift_check(dataset) for dataset in CURATION_DATASETS]
