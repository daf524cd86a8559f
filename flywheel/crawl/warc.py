"""Read WARC and WET files record by record with warcio, tolerating damaged files.

Gzip is decompressed by Python's `gzip` module rather than warcio's own reader because warcio
silently stops at a truncated gzip stream; `gzip` raises `EOFError` there, so the cut-off record
becomes a reject instead of a half page. Digests are checked where the file carries them.
"""

from __future__ import annotations

import gzip
import io
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


class _GzipTailReader(io.RawIOBase):
    """Decompresses gzip and reports a truncated stream instead of raising.

    `gzip.GzipFile` raises `EOFError` at a cut-off stream, and a buffered read that hits it loses
    the bytes it had already decompressed, so complete records just before the cut would vanish.
    This reader hands over everything up to the cut, then ends the stream and sets `truncation`.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._gzip = gzip.GzipFile(fileobj=raw, mode="rb")
        self.truncation: EOFError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.truncation is not None:
            return 0
        try:
            data = self._gzip.read1(len(buffer))
        except EOFError as error:
            self.truncation = error
            return 0
        buffer[: len(data)] = data
        return len(data)


def read_warc(raw: BinaryIO, *, gzipped: bool, source_file: str, source_format: str,
              max_payload_bytes: int) -> Iterator[FetchedRecord | Rejection | SkippedRecord]:
    stream = _GzipTailReader(raw) if gzipped else raw
    records = ArchiveIterator(stream, check_digests=True, arc2warc=False)

    def reject(reason: RejectReason, detail: str, locator: str | None = None, url: str | None = None,
               fetched: FetchedRecord | None = None) -> Rejection:
        return Rejection(
            source_file=source_file, source_format=source_format,
            record_locator=locator or f"offset {records.offset} (uncompressed)", url=url,
            reason=reason, detail=detail,
            content_type=fetched.content_type if fetched else None,
            content_bytes=fetched.payload_bytes if fetched else None)

    def checked(record) -> FetchedRecord | Rejection | SkippedRecord:
        fetched = _fetched_record(record, source_format, max_payload_bytes,
                                  fallback_locator=f"offset {records.offset}")
        if isinstance(fetched, SkippedRecord):
            return fetched
        if record.format != "warc":
            return reject(RejectReason.MALFORMED_RECORD,
                          f"not a WARC record (header parses only as {record.format})",
                          fetched.record_locator, fetched.url or None)
        missing = getattr(record.raw_stream, "limit", 0)  # bytes of Content-Length never read
        if missing:
            reason, why = ((RejectReason.TRUNCATED_GZIP, "cut off where the gzip stream ends")
                           if truncation() else (RejectReason.MALFORMED_RECORD, "file ends inside it"))
            return reject(reason, f"record {missing} bytes shorter than its Content-Length: {why}",
                          fetched.record_locator, fetched.url, fetched)
        if record.digest_checker.passed is False:
            return reject(RejectReason.MALFORMED_RECORD,
                          "; ".join(record.digest_checker.problems) or "digest mismatch",
                          fetched.record_locator, fetched.url, fetched)
        return fetched

    def truncation() -> EOFError | None:
        return getattr(stream, "truncation", None)

    cut_record_reported = False
    try:
        for record in records:
            item = checked(record)
            cut_record_reported |= getattr(item, "reason", None) == RejectReason.TRUNCATED_GZIP
            yield item
    except (gzip.BadGzipFile, zlib.error) as error:
        yield reject(RejectReason.CORRUPT_GZIP, f"rest of file unreadable: {type(error).__name__}: {error}")
        return
    except ArchiveLoadFailed as error:
        if not truncation():
            yield reject(RejectReason.MALFORMED_RECORD, f"rest of file unreadable: {error}")
            return
    if truncation() and not cut_record_reported:
        yield reject(RejectReason.TRUNCATED_GZIP, f"rest of file unreadable: {truncation()}")


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
