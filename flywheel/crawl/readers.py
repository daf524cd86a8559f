"""Pick the reader for a crawl file by its name, and open it through fsspec."""

from __future__ import annotations

from collections.abc import Iterator

import fsspec

from flywheel.crawl.jsonl import read_jsonl
from flywheel.crawl.records import FetchedRecord, Rejection, RejectReason, SkippedRecord
from flywheel.crawl.warc import read_warc

# Longest suffix first: `.warc.wet.gz` must not be taken for `.warc.gz`.
_FORMATS: list[tuple[str, str, bool]] = [
    (".warc.wet.gz", "wet", True),
    (".wet.gz", "wet", True),
    (".warc.wet", "wet", False),
    (".warc.gz", "warc", True),
    (".warc", "warc", False),
    (".jsonl.gz", "jsonl", True),
    (".jsonl", "jsonl", False),
]


def file_format(name: str) -> tuple[str, bool] | None:
    """(`warc` | `wet` | `jsonl`, gzipped) for a supported file name, else None."""
    lowered = name.lower()
    for suffix, fmt, gzipped in _FORMATS:
        if lowered.endswith(suffix):
            return fmt, gzipped
    return None


def is_ignored(name: str) -> bool:
    """Hidden and marker files (`.part`, `_SUCCESS`) are never crawl data."""
    return name.startswith((".", "_"))


def read_crawl_file(url: str, source_file: str,
                    max_payload_bytes: int) -> Iterator[FetchedRecord | Rejection | SkippedRecord]:
    detected = file_format(source_file)
    if detected is None:
        yield Rejection(source_file=source_file, source_format="unknown", record_locator="file",
                        url=None, reason=RejectReason.UNSUPPORTED_FILE,
                        detail="not a .warc, .warc.gz, .warc.wet.gz, .jsonl or .jsonl.gz file")
        return
    fmt, gzipped = detected
    try:
        handle = fsspec.open(url, "rb").open()
    except OSError as error:
        yield Rejection(source_file=source_file, source_format=fmt, record_locator="file", url=None,
                        reason=RejectReason.UNREADABLE_FILE, detail=f"{type(error).__name__}: {error}")
        return
    with handle:
        if fmt == "jsonl":
            yield from read_jsonl(handle, gzipped=gzipped, source_file=source_file,
                                  max_payload_bytes=max_payload_bytes)
        else:
            yield from read_warc(handle, gzipped=gzipped, source_file=source_file, source_format=fmt,
                                 max_payload_bytes=max_payload_bytes)
