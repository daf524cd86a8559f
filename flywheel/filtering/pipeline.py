"""The filter cascade: steps in FineWeb's order, the first failing rule drops a document.

`filter_record_batch` is what Spark calls per Arrow batch (via `mapInArrow`): it adds the verdict
columns to each row, so kept and dropped rows leave the worker together and nothing is lost.
"""

from __future__ import annotations

from functools import cache

import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from flywheel.filtering.base import Drop, FilterDoc, FilterStep
from flywheel.filtering.c4 import C4, C4Settings
from flywheel.filtering.fineweb import FineWeb, FineWebSettings
from flywheel.filtering.gopher_quality import GopherQuality, GopherQualitySettings
from flywheel.filtering.gopher_repetition import GopherRepetition, GopherRepetitionSettings
from flywheel.filtering.language_id import LanguageId, LanguageSettings
from flywheel.filtering.url_blocklist import UrlBlocklist, UrlBlocklistSettings

VERDICT_FIELDS = [
    pa.field("language", pa.string()),
    pa.field("language_score", pa.float64()),
    pa.field("kept", pa.bool_()),
    pa.field("reason", pa.string()),  # the first failing rule, `<step>.<rule>`
    pa.field("value", pa.float64()),  # what that rule measured
    pa.field("threshold", pa.float64()),  # the bound it broke
    pa.field("detail", pa.string()),
]


class FilterSettings(BaseModel):
    """All filter steps with their defaults (ANCHORS / datatrove / FineWeb)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    url_blocklist: UrlBlocklistSettings = UrlBlocklistSettings()
    language: LanguageSettings = LanguageSettings()
    gopher_repetition: GopherRepetitionSettings = GopherRepetitionSettings()
    gopher_quality: GopherQualitySettings = GopherQualitySettings()
    c4: C4Settings = C4Settings()
    fineweb: FineWebSettings = FineWebSettings()


def build_steps(settings: FilterSettings) -> list[FilterStep]:
    candidates = [
        (settings.url_blocklist, UrlBlocklist), (settings.language, LanguageId),
        (settings.gopher_repetition, GopherRepetition), (settings.gopher_quality, GopherQuality),
        (settings.c4, C4), (settings.fineweb, FineWeb),
    ]
    return [step(step_settings) for step_settings, step in candidates if step_settings.enabled]


@cache
def _cached_steps(settings_json: str) -> list[FilterStep]:
    # One set of steps (and loaded models) per worker process and settings.
    return build_steps(FilterSettings.model_validate_json(settings_json))


def run_steps(steps: list[FilterStep], doc: FilterDoc) -> Drop | None:
    for step in steps:
        if drop := step.apply(doc):
            return drop
    return None


def output_schema(input_schema: pa.Schema) -> pa.Schema:
    return pa.schema(list(input_schema) + VERDICT_FIELDS)


def filter_record_batch(batch: pa.RecordBatch, settings: FilterSettings) -> pa.RecordBatch:
    steps = _cached_steps(settings.model_dump_json())
    urls, domains = batch.column("url").to_pylist(), batch.column("domain").to_pylist()
    texts = batch.column("text").to_pylist()
    out_text, language, score, kept, reason, value, threshold, detail = ([] for _ in range(8))
    for url, domain, text in zip(urls, domains, texts):
        doc = FilterDoc(url=url, domain=domain, text=text or "")
        drop = run_steps(steps, doc)
        out_text.append(doc.text)
        language.append(doc.language)
        score.append(doc.language_score)
        kept.append(drop is None)
        reason.append(drop.rule if drop else None)
        value.append(None if drop is None or drop.value is None else float(drop.value))
        threshold.append(None if drop is None or drop.threshold is None else float(drop.threshold))
        detail.append(drop.detail if drop else None)
    text_index = batch.schema.get_field_index("text")
    columns = list(batch.columns)
    columns[text_index] = pa.array(out_text, type=batch.schema.field("text").type)
    verdicts = [language, score, kept, reason, value, threshold, detail]
    columns += [pa.array(values, type=field.type) for values, field in zip(verdicts, VERDICT_FIELDS)]
    return pa.RecordBatch.from_arrays(columns, schema=output_schema(batch.schema))
