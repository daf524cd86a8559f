"""The filter cascade: steps in FineWeb's order, the first failing rule drops a document.

`filter_record_batch` is what Spark calls per Arrow batch (via `mapInArrow`): it adds the verdict
columns to each row, so kept and dropped rows leave the worker together and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, create_model

from flywheel.filtering.base import Drop, FilterDoc, FilterStep, StepSettings
from flywheel.filtering.c4 import C4, C4Settings
from flywheel.filtering.fineweb import FineWeb, FineWebSettings
from flywheel.filtering.gopher_quality import GopherQuality, GopherQualitySettings
from flywheel.filtering.gopher_repetition import GopherRepetition, GopherRepetitionSettings
from flywheel.filtering.language_id import LanguageId, LanguageSettings
from flywheel.filtering.safety import SafetyFilter, SafetyFilterSettings
from flywheel.filtering.url_blocklist import UrlBlocklist, UrlBlocklistSettings
from flywheel.stage_timer import StageTimer

# Stored beside a filtered partition's Parquet files: the settings it was filtered with. Spark and
# pyarrow skip files whose names start with `_` when they read the folder.
SETTINGS_FILE = "_filter_settings.json"

VERDICT_FIELDS = [
    pa.field("language", pa.string()),
    pa.field("language_score", pa.float64()),
    pa.field("kept", pa.bool_()),
    pa.field("reason", pa.string()),  # the first failing rule, `<step>.<rule>`
    pa.field("value", pa.float64()),  # what that rule measured
    pa.field("threshold", pa.float64()),  # the bound it broke
    pa.field("detail", pa.string()),
]


@dataclass(frozen=True)
class RegisteredStep:
    """One filter step: its name (the config key and the `<step>.` prefix of its drop reasons),
    its settings class and the step built from those settings."""

    name: str
    settings: type[StepSettings]
    step: Callable[[Any], FilterStep]


# The cascade, in FineWeb's order, then the safety classifier. Everything else — `FilterSettings`,
# the step list, the Dagster config of `filtered_docs` and the order of its drop table — is derived
# from this tuple, so a new
# filter is its own module plus one line here.
STEPS: tuple[RegisteredStep, ...] = (
    RegisteredStep("url_blocklist", UrlBlocklistSettings, UrlBlocklist),
    RegisteredStep("language", LanguageSettings, LanguageId),
    RegisteredStep("gopher_repetition", GopherRepetitionSettings, GopherRepetition),
    RegisteredStep("gopher_quality", GopherQualitySettings, GopherQuality),
    RegisteredStep("c4", C4Settings, C4),
    RegisteredStep("fineweb", FineWebSettings, FineWeb),
    RegisteredStep("safety", SafetyFilterSettings, SafetyFilter),
)
STEP_NAMES = tuple(entry.name for entry in STEPS)
ARROW_CONVERSION = "arrow conversion"  # the timer's name for Arrow <-> Python objects in a worker

FilterSettings = create_model(
    "FilterSettings", __config__=ConfigDict(frozen=True, extra="forbid"),
    __doc__="All filter steps with their defaults (ANCHORS / datatrove / FineWeb), one field per step.",
    **{entry.name: (entry.settings, entry.settings()) for entry in STEPS})


def build_steps(settings: BaseModel) -> list[FilterStep]:
    """The enabled steps of `settings` (a `FilterSettings`), in cascade order."""
    return [entry.step(getattr(settings, entry.name)) for entry in STEPS if getattr(settings, entry.name).enabled]


def step_order(rule: str) -> int:
    """Position of a drop reason's step (`<step>.<rule>`) in the cascade; unknown steps last."""
    step = rule.split(".", 1)[0]
    return STEP_NAMES.index(step) if step in STEP_NAMES else len(STEP_NAMES)


@cache
def _cached_steps(settings_json: str) -> list[FilterStep]:
    # One set of steps (and loaded models) per worker process and settings.
    return build_steps(FilterSettings.model_validate_json(settings_json))


def run_steps(steps: list[FilterStep], doc: FilterDoc) -> Drop | None:
    for step in steps:
        if drop := step.apply(doc):
            return drop
    return None


def run_steps_on_batch(steps: list[FilterStep], docs: list[FilterDoc],
                       timer: StageTimer | None = None) -> list[Drop | None]:
    """The same verdicts as `run_steps` per document, step by step over the documents still kept,
    so a step with `apply_batch` (a model) scores them in one call. `timer` adds each step's
    seconds under its name (the first step that splits words also pays for tokenizing them)."""
    timer = timer or StageTimer()
    drops: list[Drop | None] = [None] * len(docs)
    for step in steps:
        with timer.stage(step.name):
            kept = [i for i, drop in enumerate(drops) if drop is None]
            batch_apply = getattr(step, "apply_batch", None)
            verdicts = batch_apply([docs[i] for i in kept]) if batch_apply else [step.apply(docs[i]) for i in kept]
            for i, drop in zip(kept, verdicts):
                drops[i] = drop
    return drops


def output_schema(input_schema: pa.Schema) -> pa.Schema:
    return pa.schema(list(input_schema) + VERDICT_FIELDS)


def filter_record_batch(batch: pa.RecordBatch, settings: FilterSettings,
                        timer: StageTimer | None = None) -> pa.RecordBatch:
    """`batch` with the verdict columns; `timer` gets the seconds of each step and of moving the
    batch between Arrow and Python objects (`arrow conversion`)."""
    timer = timer or StageTimer()
    steps = _cached_steps(settings.model_dump_json())
    with timer.stage(ARROW_CONVERSION):
        docs = [FilterDoc(url=url, domain=domain, text=text or "") for url, domain, text in
                zip(batch.column("url").to_pylist(), batch.column("domain").to_pylist(),
                    batch.column("text").to_pylist())]
    drops = run_steps_on_batch(steps, docs, timer)
    with timer.stage(ARROW_CONVERSION):
        return _with_verdicts(batch, docs, drops)


def _with_verdicts(batch: pa.RecordBatch, docs: list[FilterDoc], drops: list[Drop | None]) -> pa.RecordBatch:
    text_index = batch.schema.get_field_index("text")
    columns = list(batch.columns)
    columns[text_index] = pa.array([doc.text for doc in docs], type=batch.schema.field("text").type)
    verdicts = [[doc.language for doc in docs], [doc.language_score for doc in docs],
                [drop is None for drop in drops], [drop.rule if drop else None for drop in drops],
                [None if drop is None or drop.value is None else float(drop.value) for drop in drops],
                [None if drop is None or drop.threshold is None else float(drop.threshold) for drop in drops],
                [drop.detail if drop else None for drop in drops]]
    columns += [pa.array(values, type=field.type) for values, field in zip(verdicts, VERDICT_FIELDS)]
    return pa.RecordBatch.from_arrays(columns, schema=output_schema(batch.schema))
