"""The result of a GX suite as a Dagster asset check: every expectation with its observed value,
unexpected count and failing values, shown on the check's page."""

import time

import dagster as dg
import pandas as pd

from flywheel.quality.gx_runner import outcome_rows, validate
from orchestration.metadata import table


def check_result(frame: pd.DataFrame, suite: list, name: str, started: float, asset_key: str | None = None,
                 check_name: str | None = None, **metadata) -> dg.AssetCheckResult:
    """Validate `frame` with `suite` (blocking ERROR severity) and report every expectation. An op
    checking several assets names the one (`asset_key`, `check_name`) this result is for."""
    outcomes = validate(frame, suite, name)
    failed = [o for o in outcomes if not o.success]
    return dg.AssetCheckResult(
        asset_key=asset_key, check_name=check_name, passed=not failed, severity=dg.AssetCheckSeverity.ERROR,
        description="all expectations met" if not failed else
        "failed: " + ", ".join(f"{o.expectation}({o.column or ''})" for o in failed),
        metadata={**metadata, "rows_validated": len(frame), "expectations": table(outcome_rows(outcomes)),
                  "failed_expectations": len(failed), "seconds": round(time.perf_counter() - started, 2)})
