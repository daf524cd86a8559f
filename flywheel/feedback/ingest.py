"""Exactly-once, append-only ingestion of feedback files into the lake.

Each ingestion that finds something new commits one partition `lake/feedback_events/<ingest_id>/`
holding `events.parquet` (the new events, PII scrubbed) and `files.json` (the ledger: every file
read, by name, size, mtime and SHA-256). Lines that are not valid events go to
`lake/feedback_events_rejected/<ingest_id>/rejected.parquet`, published first; the events
partition is the commit point, so rejects of an ingestion that died before committing are
ignored and removed by the next one. `ingestion()` stages both before committing, so the caller
can audit the new events first: an ingestion that is not committed leaves its files unread.

Exactly once: a file whose bytes were already read (any name) is skipped, an event whose
`event_id` is already stored is counted as a duplicate and not stored again, and a reject of the
same line of the same file is recorded once. Ingestions hold an exclusive lock on the lake, so
two runs at the same time (a sensor run and a manual one) cannot both store an event. The lock is
a local file lock: on object storage run ingestions one at a time (the sensor does).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import posixpath
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.implementations.local import LocalFileSystem

from flywheel.datasets import FEEDBACK_EVENTS, FEEDBACK_EVENTS_REJECTED
from flywheel.feedback.events import EVENT_SCHEMA, TEXT_FIELDS, InvalidEvent, parse_event
from flywheel.feedback.pii import scrub
from flywheel.lake import Lake, StagedVersion

LEDGER = "files.json"
MAX_LINE_BYTES = 1_000_000
EXCERPT_CHARS = 200

REJECT_SCHEMA = pa.schema([
    ("source_file", pa.string()), ("source_line", pa.int64()), ("reason", pa.string()),
    ("excerpt", pa.string()), ("line_sha256", pa.string()), ("ingest_id", pa.string()),
])


@dataclass(frozen=True)
class FeedbackFile:
    url: str
    name: str
    size: int
    mtime: float

    @property
    def signature(self) -> str:
        """Name, size and modification time: changes whenever the file is replaced."""
        return f"{self.name}:{self.size}:{self.mtime}"


@dataclass
class IngestReport:
    ingest_id: str | None = None
    events: int = 0
    duplicates: int = 0
    rejected: int = 0
    files_read: list[dict] = field(default_factory=list)
    files_already_ingested: int = 0
    pii_redactions: Counter = field(default_factory=Counter)
    rejects: list[dict] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)


@dataclass
class PendingIngestion:
    """What one ingestion read, staged but not yet committed."""

    log: FeedbackLog
    report: IngestReport
    events: pa.Table
    reject_rows: list[dict]
    staged: list[StagedVersion] = field(default_factory=list)  # rejects first; the events are the commit point

    @property
    def staged_path(self) -> str | None:
        return self.log.lake.url(self.staged[-1].path) if self.staged else None

    def stage(self) -> None:
        ingest_id = self.report.ingest_id
        if self.reject_rows:
            self.staged.append(self.log._stage(FEEDBACK_EVENTS_REJECTED, ingest_id, {
                "rejected.parquet": pa.Table.from_pylist(self.reject_rows, REJECT_SCHEMA)}))
        self.staged.append(self.log._stage(FEEDBACK_EVENTS, ingest_id, {"events.parquet": self.events},
                                           ledger=self.report.files_read))

    def commit(self) -> None:
        for version in self.staged:
            self.log.lake.publish(version)


class FeedbackLog:
    """The committed feedback events and rejects in a lake."""

    def __init__(self, lake: Lake) -> None:
        self.lake = lake

    def ingest_ids(self) -> list[str]:
        """Committed ingestions, oldest first (ids sort by time)."""
        return self.lake.partitions(FEEDBACK_EVENTS)

    def ledger(self, since: float | None = None) -> list[dict]:
        """Every file an ingestion read; `since` (Unix time) skips ingestions that ended before it."""
        rows = []
        for ingest_id in self.ingest_ids():
            if since is not None and _ingest_time(ingest_id) < since:
                continue
            ledger = posixpath.join(self.lake.partition_path(FEEDBACK_EVENTS, ingest_id), LEDGER)
            with self.lake.fs.open(ledger) as handle:
                rows += json.load(handle)
        return rows

    def events(self, columns: list[str] | None = None) -> pa.Table:
        schema = _event_schema(columns)
        return pa.Table.from_batches(list(self.iter_events(columns)), schema)

    def count(self) -> int:
        """Stored events, from the Parquet footers only."""
        return sum(self.lake.row_count(FEEDBACK_EVENTS, i) for i in self.ingest_ids())

    def iter_events(self, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """Every stored event in record batches, ingestion by ingestion (memory stays bounded)."""
        schema = _event_schema(columns)
        for ingest_id in self.ingest_ids():
            for batch in self.lake.iter_batches(FEEDBACK_EVENTS, ingest_id, schema.names):
                yield _conformed(batch, schema)

    def rejects(self) -> pa.Table:
        committed = set(self.ingest_ids())
        tables = [self.lake.read_partition(FEEDBACK_EVENTS_REJECTED, i)
                  for i in self.lake.partitions(FEEDBACK_EVENTS_REJECTED) if i in committed]
        return pa.concat_tables(tables) if tables else REJECT_SCHEMA.empty_table()

    def ingest(self, files: list[FeedbackFile], read: Callable[[str], bytes] | None = None) -> IngestReport:
        """Store every new valid event of `files` once; see the module docstring."""
        with self.ingestion(files, read) as pending:
            pending.commit()
        return pending.report

    @contextlib.contextmanager
    def ingestion(self, files: list[FeedbackFile],
                  read: Callable[[str], bytes] | None = None) -> Iterator[PendingIngestion]:
        """Read what is new in `files` and stage it, under the lock: the block audits
        `pending.events` and calls `pending.commit()` to publish, or leaves it staged (unread by
        anything) and the files count as not ingested."""
        with self._exclusive():
            self._remove_uncommitted_rejects()
            report, events, reject_rows = self._read_new(files, read or _read_bytes)
            pending = PendingIngestion(self, report, pa.Table.from_pylist(events, EVENT_SCHEMA), reject_rows)
            if report.files_read:
                pending.stage()
            yield pending

    def _read_new(self, files: list[FeedbackFile],
                  read: Callable[[str], bytes]) -> tuple[IngestReport, list[dict], list[dict]]:
        """Parse the new files, then keep the events and rejects not stored yet. Memory holds the new
        files' lines and one stored partition's ids at a time, never the whole history."""
        ledger = self.ledger()
        known_files = {row["sha256"] for row in ledger}
        known_signatures = {row["signature"] for row in ledger}
        report = IngestReport(ingest_id=f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}")
        parsed: list[tuple[FeedbackFile, str, list]] = []  # (file, sha256, [(line, event or (error, raw))])
        for file in files:
            if file.signature in known_signatures:
                report.files_already_ingested += 1
                continue
            data = read(file.url)
            digest = hashlib.sha256(data).hexdigest()
            if digest in known_files:  # the same bytes under another name: recorded, not read again
                report.files_already_ingested += 1
                report.files_read.append({"name": file.name, "signature": file.signature, "sha256": digest,
                                          "size": file.size, "events": 0, "duplicates": 0, "rejected": 0})
                continue
            known_files.add(digest)
            parsed.append((file, digest, [(number, _parse_or_error(raw)) for number, raw in
                                          enumerate(data.split(b"\n"), start=1) if raw.strip()]))
        candidates = {(item["event_id"],) for _, _, lines in parsed for _, item in lines if isinstance(item, dict)}
        known_ids = {event_id for (event_id,) in self._stored(FEEDBACK_EVENTS, ["event_id"], candidates)}
        reject_keys = {(file.name, hashlib.sha256(item[1]).hexdigest())
                       for file, _, lines in parsed for _, item in lines if not isinstance(item, dict)}
        known_rejects = self._stored(FEEDBACK_EVENTS_REJECTED, ["source_file", "line_sha256"], reject_keys)
        events, reject_rows = [], []
        for file, digest, lines in parsed:
            stats = Counter()
            for number, item in lines:
                if not isinstance(item, dict):
                    error, raw = item
                    key = (file.name, hashlib.sha256(raw).hexdigest())
                    if key not in known_rejects:
                        known_rejects.add(key)
                        reject_rows.append(_reject_row(file.name, number, error, raw, key[1], report.ingest_id))
                    stats["rejected"] += 1
                    continue
                if item["event_id"] in known_ids:
                    stats["duplicates"] += 1
                    continue
                known_ids.add(item["event_id"])
                redactions = _scrub_event(item)
                report.pii_redactions.update(redactions)
                report.kinds[item["kind"]] += 1
                events.append({**item, "pii_redactions": sum(redactions.values()), "source_file": file.name,
                               "source_line": number, "ingest_id": report.ingest_id})
                stats["events"] += 1
            report.files_read.append({"name": file.name, "signature": file.signature, "sha256": digest,
                                      "size": file.size, "events": stats["events"],
                                      "duplicates": stats["duplicates"], "rejected": stats["rejected"]})
            report.duplicates += stats["duplicates"]
            report.rejected += stats["rejected"]
        if not report.files_read:
            report.ingest_id = None
        report.events, report.rejects = len(events), reject_rows
        return report, events, reject_rows

    def _stored(self, dataset: str, columns: list[str], candidates: set[tuple]) -> set[tuple]:
        """Which of `candidates` (tuples of `columns`) a committed partition of `dataset` already
        holds, read one partition's columns at a time."""
        found: set[tuple] = set()
        if not candidates:
            return found
        for ingest_id in self.ingest_ids():
            if self.lake.has_partition(dataset, ingest_id):
                table = self.lake.read_partition(dataset, ingest_id, columns)
                found |= candidates.intersection(zip(*(table.column(c).to_pylist() for c in columns)))
        return found

    def _stage(self, dataset: str, ingest_id: str, tables: dict[str, pa.Table],
               ledger: list[dict] | None = None) -> StagedVersion:
        fs = self.lake.fs
        with self.lake.stage(dataset, ingest_id) as staged:
            for name, table in tables.items():
                with fs.open(posixpath.join(staged.path, name), "wb") as handle:
                    pq.write_table(table, handle)
            if ledger is not None:
                with fs.open(posixpath.join(staged.path, LEDGER), "w") as handle:
                    json.dump(ledger, handle, indent=1)
        return staged

    def _remove_uncommitted_rejects(self) -> None:
        committed = set(self.ingest_ids())
        for ingest_id in self.lake.partitions(FEEDBACK_EVENTS_REJECTED):
            if ingest_id not in committed:
                self.lake.remove_partition(FEEDBACK_EVENTS_REJECTED, ingest_id)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        if not isinstance(self.lake.fs, LocalFileSystem):
            yield
            return
        lock_dir = posixpath.join(self.lake.root, ".locks")
        self.lake.fs.makedirs(lock_dir, exist_ok=True)
        with open(posixpath.join(lock_dir, f"{FEEDBACK_EVENTS}.lock"), "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _ingest_time(ingest_id: str) -> float:
    return datetime.strptime(ingest_id.split("-", 1)[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC).timestamp()


def _read_bytes(url: str) -> bytes:
    with fsspec.open(url, "rb") as handle:
        return handle.read()


def _parse_or_error(raw: bytes) -> dict | tuple[str, bytes]:
    try:
        return _parse(raw)
    except InvalidEvent as error:
        return str(error), raw


def _parse(raw: bytes) -> dict:
    if len(raw) > MAX_LINE_BYTES:
        raise InvalidEvent(f"line longer than {MAX_LINE_BYTES} bytes")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidEvent("not UTF-8") from None
    return parse_event(line)


def _scrub_event(event: dict) -> Counter:
    """Scrub every free-text field of `event` in place; returns what was replaced."""
    found = Counter()
    for name in (*TEXT_FIELDS, "user_id", "conversation"):
        if event.get(name):
            event[name], counts = scrub(event[name])
            found.update(counts)
    return found


def _reject_row(file: str, line: int, reason: str, raw: bytes, line_sha: str, ingest_id: str) -> dict:
    excerpt, _ = scrub(raw[: 4 * EXCERPT_CHARS].decode("utf-8", errors="replace")[:EXCERPT_CHARS])
    return {"source_file": file, "source_line": line, "reason": reason, "excerpt": excerpt,
            "line_sha256": line_sha, "ingest_id": ingest_id}


def _event_schema(columns: list[str] | None) -> pa.Schema:
    return pa.schema([EVENT_SCHEMA.field(name) for name in columns or EVENT_SCHEMA.names])


def _conformed(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """A batch of an ingestion written before a column existed (Parquet skips the columns a file
    lacks), with that column null."""
    if batch.schema.names == schema.names:
        return batch
    present = set(batch.schema.names)
    return pa.RecordBatch.from_arrays(
        [batch.column(field.name) if field.name in present else pa.nulls(batch.num_rows, field.type)
         for field in schema], schema=schema)
