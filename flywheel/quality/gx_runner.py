"""Run a GX 1.x expectation suite on a pandas DataFrame and summarize every expectation.

GX runs in an in-memory (ephemeral) context with progress bars and usage statistics off; one
context per process is reused, since creating it costs more than validating a partition.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from typing import Any

import pandas as pd

FAILING_ROWS_SHOWN = 5


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str  # GX's type name, e.g. `expect_column_values_to_be_unique`
    column: str | None
    success: bool
    observed_value: Any
    unexpected_count: int | None
    failing_values: list  # a few of the values that broke it


def expectations():
    """`great_expectations.expectations`, imported on first use: GX takes ~10 s to import, which
    Dagster would otherwise pay every time it loads the code location."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    # GX imports pyspark.sql.connect, which calls sys.exit(0) when `__main__` has neither a spec
    # nor a file (it takes that for a doctest run) -- as in the step processes of runs the Dagster
    # daemon launches. Give such a `__main__` a file name for the import only: left in place, it
    # breaks every later spawn pool of the process (spawn re-imports `__main__` from that file).
    main = sys.modules["__main__"]
    borrowed_file = getattr(main, "__spec__", None) is None and not hasattr(main, "__file__")
    if borrowed_file:
        main.__file__ = "<dagster step process>"
    try:
        import great_expectations as gx
    finally:
        if borrowed_file:
            del main.__file__
    return gx.expectations


@functools.cache
def _batch_definition():
    expectations()  # analytics off before the first import
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(),
                               progress_bars=ProgressBarsConfig(globally=False), analytics_enabled=False)
    context = gx.get_context(mode="ephemeral", project_config=config)
    asset = context.data_sources.add_pandas("flywheel").add_dataframe_asset("partition")
    return asset.add_batch_definition_whole_dataframe("whole_partition")


def validate(frame: pd.DataFrame, expectations: list, suite_name: str) -> list[ExpectationOutcome]:
    """Every expectation's outcome on `frame` (expectations: `gx.expectations.*` objects)."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=suite_name, expectations=[e.copy() for e in expectations])
    result = _batch_definition().get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": FAILING_ROWS_SHOWN})
    outcomes = []
    for item in result.results:
        details = item.result or {}
        outcomes.append(ExpectationOutcome(
            expectation=item.expectation_config.type,
            column=item.expectation_config.kwargs.get("column"),
            success=bool(item.success),
            observed_value=details.get("observed_value"),
            unexpected_count=details.get("unexpected_count"),
            failing_values=list(details.get("partial_unexpected_list") or [])[:FAILING_ROWS_SHOWN]))
    return outcomes


def outcome_rows(outcomes: list[ExpectationOutcome]) -> list[dict]:
    """One row per expectation for a results table: passed, observed value, failing examples."""
    return [{"expectation": o.expectation, "column": o.column or "", "passed": o.success,
             "observed": "" if o.observed_value is None else str(o.observed_value)[:120],
             "unexpected": o.unexpected_count, "failing_values": ", ".join(str(v)[:60] for v in o.failing_values)}
            for o in outcomes]
