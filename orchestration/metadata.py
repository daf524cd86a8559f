"""Helpers that turn Flywheel's counts and tables into Dagster UI metadata."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg

from flywheel.lake import Lake


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> dg.TableMetadataValue:
    """A list of dicts as a UI table (values that are not scalars are shown as text)."""
    columns = list(columns or (rows[0].keys() if rows else []))

    def scalar(value: Any) -> Any:
        if isinstance(value, float):  # four significant digits: 0.02306, not 0.023059866962305987
            return float(f"{value:.4g}")
        return value if isinstance(value, (str, int, bool)) or value is None else str(value)

    records = [dg.TableRecord({c: scalar(row.get(c)) for c in columns}) for row in rows]
    return dg.MetadataValue.table(records=records, schema=dg.TableSchema(
        columns=[dg.TableColumn(name=c, type=_column_type(rows, c)) for c in columns]))


def _column_type(rows: Sequence[Mapping[str, Any]], column: str) -> str:
    values = [r.get(column) for r in rows if r.get(column) is not None]
    if values and all(isinstance(v, bool) for v in values):
        return "bool"
    if values and all(isinstance(v, int) for v in values):
        return "int"
    if values and all(isinstance(v, (int, float)) for v in values):
        return "float"
    return "string"


def counts_table(counts: Mapping[str, int], key: str, total: int | None = None) -> dg.TableMetadataValue:
    """`{reason: count}` as a table sorted by count, with each row's share of `total`."""
    total = total if total is not None else sum(counts.values())
    rows = [{key: name, "count": int(n), "share": round(n / total, 4) if total else 0.0}
            for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return table(rows, [key, "count", "share"])


def seconds_table(seconds: Mapping[str, float], key: str) -> dg.TableMetadataValue:
    """`{stage: seconds}` as a table, in the order the stages are given."""
    return table([{key: name, "seconds": value} for name, value in seconds.items()], [key, "seconds"])


def path_value(url: str) -> dg.PathMetadataValue:
    """Where a dataset or model lives, shown as a path on the asset page."""
    return dg.MetadataValue.path(url)


def partition_path_value(lake: Lake, dataset: str, partition: str) -> dg.PathMetadataValue:
    return path_value(lake.url(lake.partition_path(dataset, partition)))


def kept_metadata(rows_in: int, kept: int) -> dict[str, Any]:
    """The counts every filtering stage reports: rows in, kept, dropped and the kept share."""
    return {
        "dagster/row_count": kept,
        "rows_in": rows_in,
        "rows_kept": kept,
        "rows_dropped": rows_in - kept,
        "kept_share": round(kept / rows_in, 4) if rows_in else 0.0,
    }


def clip(text: str | None, length: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"
