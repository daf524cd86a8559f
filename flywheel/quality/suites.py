"""Expectation suites of the curation datasets, as code next to the schemas they check.

Each suite guards what would poison training if it were wrong: the schema, ids, text bounds,
value ranges, and after deduplication that no exact duplicate text is left. A failed suite is a
blocking error (see `assets/data/quality_checks.py`).
"""

from __future__ import annotations

import pandas as pd

from flywheel.crawl.documents import IngestLimits
from flywheel.crawl.records import DOCUMENT_SCHEMA
from flywheel.dedup.minhash import exact_hash
from flywheel.quality.gx_runner import expectations

RAW_COLUMNS = DOCUMENT_SCHEMA.names
FILTERED_COLUMNS = [*RAW_COLUMNS, "language", "language_score"]
DEDUPLICATED_COLUMNS = [*FILTERED_COLUMNS, "cluster_size"]
QUALITY_SCORED_COLUMNS = [*DEDUPLICATED_COLUMNS, "quality_score", "quality_classifier_version"]
NORMALIZED_TEXT_HASH = "normalized_text_hash"  # derived before validation, see `with_text_hash`


def _documents(columns: list[str], max_text_chars: int) -> list:
    E = expectations()
    return [
        E.ExpectTableColumnsToMatchSet(column_set=columns, exact_match=True),
        E.ExpectColumnValuesToNotBeNull(column="doc_id"),
        E.ExpectColumnValuesToBeUnique(column="doc_id"),
        E.ExpectColumnValuesToNotBeNull(column="url"),
        E.ExpectColumnValuesToNotBeNull(column="text"),
        E.ExpectColumnValueLengthsToBeBetween(column="text", min_value=1, max_value=max_text_chars),
        E.ExpectColumnValuesToBeBetween(column="content_bytes", min_value=0),
    ]


def raw_crawl_suite(limits: IngestLimits = IngestLimits()) -> list:
    return _documents(RAW_COLUMNS, limits.max_text_chars)


def _language(languages: list[str], min_language_score: float) -> list:
    """`languages` empty means the filter kept every language: only the score is bounded."""
    E = expectations()
    suite = [E.ExpectColumnValuesToBeBetween(column="language_score", min_value=min_language_score, max_value=1.0)]
    if languages:
        suite.append(E.ExpectColumnValuesToBeInSet(column="language", value_set=languages))
    return suite


def filtered_docs_suite(languages: list[str], min_language_score: float,
                        limits: IngestLimits = IngestLimits()) -> list:
    return [*_documents(FILTERED_COLUMNS, limits.max_text_chars), *_language(languages, min_language_score)]


def deduplicated_docs_suite(languages: list[str], min_language_score: float,
                            limits: IngestLimits = IngestLimits()) -> list:
    E = expectations()
    return [
        *_documents([*DEDUPLICATED_COLUMNS, NORMALIZED_TEXT_HASH], limits.max_text_chars),
        *_language(languages, min_language_score),
        E.ExpectColumnValuesToBeBetween(column="cluster_size", min_value=1),
        # No two kept documents have the same normalized text.
        E.ExpectColumnValuesToBeUnique(column=NORMALIZED_TEXT_HASH),
    ]


def quality_scored_docs_suite(languages: list[str], min_language_score: float,
                              limits: IngestLimits = IngestLimits()) -> list:
    E = expectations()
    return [
        *_documents([*QUALITY_SCORED_COLUMNS, NORMALIZED_TEXT_HASH], limits.max_text_chars),
        *_language(languages, min_language_score),
        E.ExpectColumnValuesToBeUnique(column=NORMALIZED_TEXT_HASH),
        E.ExpectColumnValuesToNotBeNull(column="quality_score"),
        E.ExpectColumnValuesToBeBetween(column="quality_score", min_value=0.0, max_value=1.0),
        E.ExpectColumnValuesToNotBeNull(column="quality_classifier_version"),
        # Two versions in one partition would mean a batch half re-scored.
        E.ExpectColumnUniqueValueCountToBeBetween(column="quality_classifier_version", min_value=0, max_value=1),
    ]


def with_text_hash(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` plus the hash of each normalized text, the key that must be unique after dedup."""
    return frame.assign(**{NORMALIZED_TEXT_HASH: [exact_hash(t or "") for t in frame["text"]]})
