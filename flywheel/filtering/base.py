"""What every filter step shares: the document it looks at and the verdict it gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field


class StepSettings(BaseModel):
    """Every step can be switched off; a threshold set to None switches that one rule off."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    enabled: bool = Field(
        default=True, description="Run this step; false skips it (nothing it would drop is dropped).")


@dataclass
class FilterDoc:
    url: str
    domain: str | None
    text: str  # steps may rewrite it (C4's line cleanup)
    language: str | None = None
    language_score: float | None = None


@dataclass(frozen=True)
class Drop:
    """Why a document was dropped: the first failing rule, its measured value and the bound."""

    rule: str  # `<step>.<rule>`, e.g. `gopher_quality.min_stop_words`
    value: float | None
    threshold: float | None
    detail: str


class FilterStep(Protocol):
    name: str

    def apply(self, doc: FilterDoc) -> Drop | None:
        """None keeps the document (possibly rewritten); a Drop removes it."""


def above(rule: str, value: float, threshold: float | None, what: str) -> Drop | None:
    if threshold is not None and value > threshold:
        return Drop(rule, value, threshold, f"{what} {value:.4g} > {threshold:g}")
    return None


def below(rule: str, value: float, threshold: float | None, what: str) -> Drop | None:
    if threshold is not None and value < threshold:
        return Drop(rule, value, threshold, f"{what} {value:.4g} < {threshold:g}")
    return None
