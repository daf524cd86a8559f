"""Read WARC and WET files record by record with warcio, tolerating damaged files.

Gzip is decompressed by Python's `gzip` module rather than warcio's own reader because warcio
silently stops at a truncated gzip stream; `gzip` raises `EOFError` there, so the cut-off record
becomes a reject instead of a half page. Digests are checked where the file carries them.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from flywheel.crawl.records import FetchedRecord, Rejection, RejectReason, SkippedRecord

# Record types that carry a page: `response`/`resource` hold raw bytes (HTML expected),
# `conversion` holds text extracted by the crawler (WET files).
_HTML_RECORD_TYPES = frozenset({"response", "resource"})
_TEXT_RECORD_TYPES = frozenset({"conversion"})


def parse_warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def read_warc(raw: BinaryIO, *, gzipped: bool, source_file: str, source_format: str,
              max_payload_bytes: int) -> Iterator[FetchedRecord | Rejection | SkippedRecord]:
    stream = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
    records = ArchiveIterator(stream, check_digests=True, arc2warc=False)

    def file_error(reason: RejectReason, error: Exception) -> Rejection:
        return Rejection(source_file=source_file, source_format=source_format,
                         record_locator=f"offset {records.offset} (uncompressed)", url=None,
                         reason=reason, detail=f"rest of file unreadable: {type(error).__name__}: {error}")

    try:
        for record in records:
            fetched = _fetched_record(record, source_format, max_payload_bytes,
                                      fallback_locator=f"offset {records.offset}")
            if isinstance(fetched, SkippedRecord):
                yield fetched
            elif not (record.rec_headers.protocol or "").startswith("WARC/"):
                yield Rejection(
                    source_file=source_file, source_format=source_format,
                    record_locator=fetched.record_locator, url=fetched.url,
                    reason=RejectReason.MALFORMED_RECORD,
                    detail=f"record header starts with {record.rec_headers.protocol!r}, not WARC/")
            elif record.digest_checker.passed is False:
                yield Rejection(
                    source_file=source_file, source_format=source_format,
                    record_locator=fetched.record_locator, url=fetched.url,
                    reason=RejectReason.MALFORMED_RECORD,
                    detail="; ".join(record.digest_checker.problems) or "digest mismatch",
                    content_type=fetched.content_type, content_bytes=fetched.payload_bytes)
            else:
                yield fetched
    except EOFError as error:
        yield file_error(RejectReason.TRUNCATED_GZIP, error)
    except (gzip.BadGzipFile, zlib.error) as error:
        yield file_error(RejectReason.CORRUPT_GZIP, error)
    except ArchiveLoadFailed as error:
        yield file_error(RejectReason.MALFORMED_RECORD, error)


def _fetched_record(record, source_format: str, max_payload_bytes: int,
                    fallback_locator: str) -> FetchedRecord | SkippedRecord:
    record_type = record.rec_type
    if record_type not in _HTML_RECORD_TYPES | _TEXT_RECORD_TYPES:
        return SkippedRecord(record_type=record_type or "unknown")
    headers = record.rec_headers
    content = record.content_stream()
    payload = content.read(max_payload_bytes + 1)
    payload_bytes = len(payload)
    if payload_bytes > max_payload_bytes:
        # Count the rest without holding it: a huge record must not exhaust memory.
        while chunk := content.read(1 << 20):
            payload_bytes += len(chunk)
        payload = payload[:max_payload_bytes]
    else:
        content.read()  # reach the end so warcio verifies the digests

    http_status = None
    content_type = headers.get_header("Content-Type")
    if record.http_headers is not None and record_type == "response":
        status_code = record.http_headers.get_statuscode()
        http_status = int(status_code) if status_code and status_code.isdigit() else None
        content_type = record.http_headers.get_header("Content-Type")
    return FetchedRecord(
        url=headers.get_header("WARC-Target-URI") or "",
        fetch_time=parse_warc_date(headers.get_header("WARC-Date")),
        content_type=content_type,
        http_status=http_status,
        payload=payload,
        payload_bytes=payload_bytes,
        is_html=record_type in _HTML_RECORD_TYPES,
        source_format=source_format,
        record_locator=headers.get_header("WARC-Record-ID") or fallback_locator,
    )
