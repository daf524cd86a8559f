"""Write, audit, publish: a dataset version is validated while it is still staged, and published
only if its blocking check passed.

An asset stages its new partition version (`Lake.stage`), runs its GX integrity suite on it here,
yields the check result (declared in the asset's `check_specs`), and publishes through
`publish_if_passed`. A failed check publishes nothing: the previous version stays the one every
reader resolves, in this run and every later one, the staged version is kept for inspection
(its path is in the check's metadata), and the step fails so nothing downstream runs.
"""

from __future__ import annotations

import posixpath
import time
from collections.abc import Callable, Iterator

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import Field

from flywheel.datasets import FILTERED_DOCS
from flywheel.filtering.language_id import LanguageSettings
from flywheel.filtering.pipeline import SETTINGS_FILE, FilterSettings
from flywheel.lake import Lake, StagedVersion
from flywheel.versioned_store import VersionedStore
from orchestration.gx_checks import check_result

INTEGRITY = "integrity"


class IntegrityConfig(dg.Config):
    """The blocking GX integrity suite each curation asset runs on its staged partition."""

    languages: list[str] | None = Field(
        default=None, description="Languages the filtered datasets may contain; default: the `languages` "
                                  "`filtered_docs` was run with (stored with each partition).")
    min_language_score: float | None = Field(
        default=None, description="Lowest language score allowed; default: the `min_score` `filtered_docs` "
                                  "was run with.")
    max_rows: int = Field(default=200_000, description="Partitions with more rows are validated on a "
                          "seeded random sample of this many rows (uniqueness then holds for the sample).")

    def language_bounds(self, used: LanguageSettings) -> tuple[list[str], float]:
        """(languages, min score) to validate against: this config's, else the filter's `used` ones."""
        return (used.languages if self.languages is None else self.languages,
                used.min_score if self.min_language_score is None else self.min_language_score)


def filtered_language_settings(lake: Lake, batch: str) -> LanguageSettings:
    """The language step settings the published `filtered_docs` partition of `batch` was filtered
    with, stored beside its files."""
    path = posixpath.join(lake.partition_path(FILTERED_DOCS, batch), SETTINGS_FILE)
    return FilterSettings.model_validate_json(lake.fs.cat_file(path)).language


def integrity_spec(dataset: str, what: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(INTEGRITY, asset=dataset, blocking=True,
                             description=f"GX suite on the staged `{dataset}` partition before it is published: "
                                         f"{what}. Blocking: a failure publishes nothing and stops downstream.")


def load_version(lake: Lake, staged: StagedVersion, max_rows: int) -> tuple[pd.DataFrame, bool]:
    """The whole staged version, or above `max_rows` a seeded sample of about that many rows, read
    batch by batch so the full partition never sits in memory."""
    dataset, partition, version = staged.dataset, staged.partition, staged.version
    total = lake.row_count(dataset, partition, version=version)
    if total <= max_rows:
        return lake.read_partition(dataset, partition, version=version).to_pandas(), False
    rng = np.random.default_rng(0)
    kept = [b.filter(pa.array(rng.random(b.num_rows) < max_rows / total))
            for b in lake.iter_batches(dataset, partition, version=version)]
    return pa.Table.from_batches(kept).to_pandas(), True


def audit(lake: Lake, staged: StagedVersion, suite: list, max_rows: int,
          prepare: Callable[[pd.DataFrame], pd.DataFrame] = lambda frame: frame) -> dg.AssetCheckResult:
    """The integrity check of a staged partition version."""
    started = time.perf_counter()
    frame, sampled = load_version(lake, staged, max_rows)
    return check_result(prepare(frame), suite, f"{staged.dataset}_integrity", started, asset_key=staged.dataset,
                        check_name=INTEGRITY, sampled=sampled, staged_version=staged.version,
                        staged_path=dg.MetadataValue.path(lake.url(staged.path)))


def publish_if_passed(lake: Lake, check: dg.AssetCheckResult, *staged: StagedVersion) -> Iterator[dg.AssetCheckResult]:
    """Yield the check result; publish `staged` (in order) if it passed, else fail the step."""
    yield check
    _fail_unless_passed(check, check.asset_key.to_user_string())
    for version in staged:
        lake.publish(version)


def set_current_if_passed(store: VersionedStore, check: dg.AssetCheckResult, name: str, version: str,
                          record: dict) -> Iterator[dg.AssetCheckResult]:
    """For whole-version datasets: yield the check result; make `version` the current one if it
    passed, else fail the step (the version folder stays, unused, for inspection)."""
    yield check
    _fail_unless_passed(check, name)
    store.set_current(name, version, record)


def _fail_unless_passed(check: dg.AssetCheckResult, name: str) -> None:
    if not check.passed:
        raise dg.Failure(
            f"{name} integrity check failed ({check.description}): nothing was published and readers keep "
            f"the previous version; the staged version is kept at {check.metadata['staged_path'].value} "
            "for inspection")
