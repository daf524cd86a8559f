"""Read JSONL crawl files: one object per line with `url` and `text` (or `html`).

Optional fields: `fetch_time` (ISO 8601) and `content_type`. Each bad line becomes a reject with
its line number; the lines around it are still read.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from functools import partial
from typing import BinaryIO

from flywheel.crawl.records import FetchedRecord, Rejection, RejectReason


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _rejection(source_file: str, line_number: int, reason: RejectReason, detail: str,
               url: str | None = None, snippet: bytes = b"", size: int | None = None) -> Rejection:
    return Rejection(source_file=source_file, source_format="jsonl",
                     record_locator=f"line {line_number}", url=url, reason=reason, detail=detail,
                     content_bytes=size, snippet=snippet[:200].decode("utf-8", errors="replace"))


def read_jsonl(raw: BinaryIO, *, gzipped: bool, source_file: str,
               max_payload_bytes: int) -> Iterator[FetchedRecord | Rejection]:
    stream = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
    line_number = 0
    try:
        while line := stream.readline(max_payload_bytes + 1):
            line_number += 1
            if len(line) > max_payload_bytes and not line.endswith(b"\n"):
                size = len(line)
                while line and not line.endswith(b"\n"):  # skip the rest without holding it
                    line = stream.readline(1 << 20)
                    size += len(line)
                yield _rejection(source_file, line_number, RejectReason.DOCUMENT_TOO_LARGE,
                                 f"line of {size} bytes > limit {max_payload_bytes}", size=size)
                continue
            if line.strip():
                yield _parse_line(line, partial(_rejection, source_file, line_number),
                                  f"line {line_number}")
    except EOFError as error:
        yield _rejection(source_file, line_number + 1, RejectReason.TRUNCATED_GZIP,
                         f"rest of file unreadable: {error}")
    except (gzip.BadGzipFile, zlib.error) as error:
        yield _rejection(source_file, line_number + 1, RejectReason.CORRUPT_GZIP,
                         f"rest of file unreadable: {error}")


def _parse_line(line: bytes, reject: Callable[..., Rejection], locator: str) -> FetchedRecord | Rejection:
    try:
        obj = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as error:
        return reject(RejectReason.UNDECODABLE_BYTES, f"line is not UTF-8: {error}", snippet=line)
    except json.JSONDecodeError as error:
        return reject(RejectReason.INVALID_JSON, f"{error.msg} at column {error.colno}", snippet=line)
    if not isinstance(obj, dict):
        return reject(RejectReason.INVALID_JSON, f"line is a JSON {type(obj).__name__}, not an object",
                      snippet=line)

    url = obj.get("url")
    if url is None:
        return reject(RejectReason.MISSING_FIELD, "no `url` field", snippet=line)
    if not isinstance(url, str):
        return reject(RejectReason.INVALID_FIELD_TYPE, f"`url` is {type(url).__name__}, not a string",
                      snippet=line)
    field = "html" if "html" in obj and "text" not in obj else "text"
    body = obj.get(field)
    if body is None:
        return reject(RejectReason.MISSING_FIELD, "neither `text` nor `html` field", url=url, snippet=line)
    if not isinstance(body, str):
        return reject(RejectReason.INVALID_FIELD_TYPE, f"`{field}` is {type(body).__name__}, not a string",
                      url=url, snippet=line)
    fetch_time = None
    if obj.get("fetch_time") is not None:
        try:
            fetch_time = _parse_time(str(obj["fetch_time"]))
        except ValueError:
            return reject(RejectReason.INVALID_FIELD_TYPE,
                          f"`fetch_time` {obj['fetch_time']!r} is not ISO 8601", url=url, snippet=line)

    payload = body.encode("utf-8")
    default_type = "text/html; charset=utf-8" if field == "html" else "text/plain; charset=utf-8"
    content_type = obj.get("content_type") if isinstance(obj.get("content_type"), str) else default_type
    return FetchedRecord(url=url, fetch_time=fetch_time, content_type=content_type, http_status=None,
                         payload=payload, payload_bytes=len(payload), is_html=field == "html",
                         source_format="jsonl", record_locator=locator)
