"""Distribution drift of a partition against the previous one: length, kept share, language mix.

Drift is a warning, not an error: a new crawl source can legitimately change the mix, but a data
engineer should look before it reaches training.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field


class DriftBounds(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mean_length_ratio: float = Field(default=2.0, gt=1.0, description="Mean text length may grow or "
                                     "shrink by at most this factor against the previous partition.")
    kept_share_change: float = Field(default=0.25, ge=0.0, le=1.0, description="Largest change of the "
                                     "share of upstream rows kept (absolute).")
    language_share_change: float = Field(default=0.2, ge=0.0, le=1.0, description="Largest change of "
                                         "any language's share of rows (absolute).")


@dataclass(frozen=True)
class PartitionProfile:
    rows: int
    mean_text_chars: float
    kept_share: float | None  # rows / rows of the upstream partition, where there is one
    language_shares: dict[str, float]


@dataclass(frozen=True)
class DriftOutcome:
    metric: str
    previous: float
    current: float
    bound: str
    ok: bool


def profile(batches: Iterable[pa.RecordBatch], upstream_rows: int | None = None) -> PartitionProfile:
    """Profile a partition from its record batches (`text`, and `language` where it has one),
    one batch at a time, so a large partition is never held in memory whole."""
    rows, chars, languages = 0, 0, Counter()
    for batch in batches:
        rows += batch.num_rows
        chars += pc.sum(pc.utf8_length(pc.fill_null(batch.column("text"), ""))).as_py() or 0
        if "language" in batch.schema.names:
            languages.update(lang for lang in batch.column("language").to_pylist())
    return PartitionProfile(rows=rows, mean_text_chars=chars / rows if rows else 0.0,
                            kept_share=rows / upstream_rows if upstream_rows else None,
                            language_shares={str(k): n / rows for k, n in languages.items()})


def compare(current: PartitionProfile, previous: PartitionProfile, bounds: DriftBounds) -> list[DriftOutcome]:
    outcomes = []
    if previous.mean_text_chars and current.mean_text_chars:
        ratio = current.mean_text_chars / previous.mean_text_chars
        outcomes.append(DriftOutcome(
            "mean_text_chars", round(previous.mean_text_chars, 1), round(current.mean_text_chars, 1),
            f"ratio within 1/{bounds.mean_length_ratio:g}..{bounds.mean_length_ratio:g}",
            1 / bounds.mean_length_ratio <= ratio <= bounds.mean_length_ratio))
    if current.kept_share is not None and previous.kept_share is not None:
        outcomes.append(DriftOutcome(
            "kept_share", round(previous.kept_share, 4), round(current.kept_share, 4),
            f"change <= {bounds.kept_share_change:g}",
            abs(current.kept_share - previous.kept_share) <= bounds.kept_share_change))
    for language in sorted(set(current.language_shares) | set(previous.language_shares)):
        before, now = previous.language_shares.get(language, 0.0), current.language_shares.get(language, 0.0)
        outcomes.append(DriftOutcome(
            f"language_share[{language}]", round(before, 4), round(now, 4),
            f"change <= {bounds.language_share_change:g}", abs(now - before) <= bounds.language_share_change))
    return outcomes
