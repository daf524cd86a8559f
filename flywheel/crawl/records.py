"""The row types that crawl ingestion produces, and their Parquet schemas."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum

import pyarrow as pa


class RejectReason(StrEnum):
    """Why a record or a file did not become a document. One reason per reject row."""

    UNSUPPORTED_FILE = "unsupported_file"
    UNREADABLE_FILE = "unreadable_file"
    TRUNCATED_GZIP = "truncated_gzip"
    CORRUPT_GZIP = "corrupt_gzip"
    MALFORMED_RECORD = "malformed_record"
    INVALID_URL = "invalid_url"
    INVALID_JSON = "invalid_json"
    MISSING_FIELD = "missing_field"
    INVALID_FIELD_TYPE = "invalid_field_type"
    HTTP_ERROR_STATUS = "http_error_status"
    NON_HTML_PAYLOAD = "non_html_payload"
    UNDECODABLE_BYTES = "undecodable_bytes"
    DOCUMENT_TOO_LARGE = "document_too_large"
    EMPTY_DOCUMENT = "empty_document"
    DUPLICATE_RECORD = "duplicate_record"


@dataclass(frozen=True)
class FetchedRecord:
    """One fetched item as a reader found it, before any content checks."""

    url: str
    fetch_time: datetime | None
    content_type: str | None
    http_status: int | None
    payload: bytes
    payload_bytes: int  # the full size, even where `payload` was cut at the size limit
    is_html: bool  # False where the payload is extracted text already (WET, JSONL `text`)
    source_format: str
    record_locator: str


@dataclass(frozen=True)
class CrawlDocument:
    doc_id: str
    url: str
    domain: str
    fetch_time: datetime | None
    title: str | None
    text: str
    text_chars: int
    content_type: str | None
    content_bytes: int
    source_file: str
    source_format: str
    record_locator: str


@dataclass(frozen=True)
class Rejection:
    source_file: str
    source_format: str
    record_locator: str
    url: str | None
    reason: RejectReason
    detail: str
    content_type: str | None = None
    content_bytes: int | None = None
    snippet: str | None = None


@dataclass(frozen=True)
class SkippedRecord:
    """A WARC record that carries no document (warcinfo, request, metadata...): counted, not kept."""

    record_type: str


DOCUMENT_SCHEMA = pa.schema([
    ("doc_id", pa.string()),
    ("url", pa.string()),
    ("domain", pa.string()),
    ("fetch_time", pa.timestamp("us", tz="UTC")),
    ("title", pa.string()),
    ("text", pa.large_string()),
    ("text_chars", pa.int64()),
    ("content_type", pa.string()),
    ("content_bytes", pa.int64()),
    ("source_file", pa.string()),
    ("source_format", pa.string()),
    ("record_locator", pa.string()),
])

REJECTION_SCHEMA = pa.schema([
    ("source_file", pa.string()),
    ("source_format", pa.string()),
    ("record_locator", pa.string()),
    ("url", pa.string()),
    ("reason", pa.string()),
    ("detail", pa.string()),
    ("content_type", pa.string()),
    ("content_bytes", pa.int64()),
    ("snippet", pa.string()),
])


def document_id(url: str, text: str) -> str:
    """Stable id of a document: the same URL with the same content always gets the same id."""
    digest = hashlib.sha256()
    digest.update(url.encode("utf-8"))
    digest.update(b"\0")
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()[:32]


def documents_table(documents: list[CrawlDocument]) -> pa.Table:
    return pa.Table.from_pylist([asdict(d) for d in documents], schema=DOCUMENT_SCHEMA)


def rejections_table(rejections: list[Rejection]) -> pa.Table:
    rows = [{**asdict(r), "reason": str(r.reason)} for r in rejections]
    return pa.Table.from_pylist(rows, schema=REJECTION_SCHEMA)
