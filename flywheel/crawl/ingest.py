"""Ingest one crawl batch: every file read in parallel, one Parquet part per file.

Each file is read by one worker, which streams its documents and rejects into
`<docs_dir>/part-<n>.parquet` and `<rejects_dir>/part-<n>.parquet`, so memory stays bounded by a
row group, not by the batch. The workers are a local process pool, or Spark tasks (one per file)
on whatever executors the session has: on a cluster, the files and the staged folders are on
storage every executor reaches at the same path. A final pass drops repeated records (same URL
and content, hence the same `doc_id`) so `doc_id` is unique within the batch; the repeats become
rejects too.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from flywheel.crawl.documents import IngestLimits, build_document
from flywheel.crawl.readers import file_format, read_crawl_file
from flywheel.crawl.records import (
    DOCUMENT_SCHEMA,
    REJECTION_SCHEMA,
    CrawlDocument,
    Rejection,
    RejectReason,
    SkippedRecord,
    documents_table,
    rejections_table,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ROWS_PER_FLUSH = 1_000


@dataclass(frozen=True)
class CrawlFile:
    url: str  # where to read it (fsspec URL)
    name: str  # path relative to the batch folder; recorded as `source_file`
    size_bytes: int


@dataclass
class FileReport:
    source_file: str
    source_format: str
    input_bytes: int
    documents: int = 0
    rejections: Counter = field(default_factory=Counter)
    skipped_records: Counter = field(default_factory=Counter)


@dataclass
class BatchReport:
    files: list[FileReport]
    repeated_records: int

    @property
    def documents(self) -> int:
        return sum(f.documents for f in self.files) - self.repeated_records

    @property
    def input_bytes(self) -> int:
        return sum(f.input_bytes for f in self.files)

    @property
    def rejections_by_reason(self) -> Counter:
        total = sum((f.rejections for f in self.files), Counter())
        if self.repeated_records:
            total[str(RejectReason.DUPLICATE_RECORD)] += self.repeated_records
        return total

    @property
    def skipped_records(self) -> Counter:
        return sum((f.skipped_records for f in self.files), Counter())


class _PartWriter:
    """Buffers rows and writes them to one Parquet file in row groups of ROWS_PER_FLUSH."""

    def __init__(self, fs, path: str, schema: pa.Schema, to_table) -> None:
        self._writer = pq.ParquetWriter(path, schema, filesystem=fs, compression="zstd")
        self._to_table = to_table
        self._rows: list = []

    def add(self, row) -> None:
        self._rows.append(row)
        if len(self._rows) >= ROWS_PER_FLUSH:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._to_table(self._rows))
            self._rows = []

    def close(self) -> None:
        self.flush()
        self._writer.close()


def ingest_file(crawl_file: CrawlFile, docs_url: str, rejects_url: str, limits: IngestLimits) -> FileReport:
    """Read one file; write its documents and rejects to the given Parquet URLs."""
    detected = file_format(crawl_file.name)
    report = FileReport(crawl_file.name, detected[0] if detected else "unknown", crawl_file.size_bytes)
    fs, docs_path = fsspec.core.url_to_fs(docs_url)
    _, rejects_path = fsspec.core.url_to_fs(rejects_url)
    docs = _PartWriter(fs, docs_path, DOCUMENT_SCHEMA, documents_table)
    rejects = _PartWriter(fs, rejects_path, REJECTION_SCHEMA, rejections_table)
    try:
        for item in read_crawl_file(crawl_file.url, crawl_file.name, limits.max_payload_bytes):
            if isinstance(item, SkippedRecord):
                report.skipped_records[item.record_type] += 1
                continue
            result = item if isinstance(item, Rejection) else build_document(item, crawl_file.name, limits)
            if isinstance(result, CrawlDocument):
                docs.add(result)
                report.documents += 1
            else:
                rejects.add(result)
                report.rejections[str(result.reason)] += 1
    finally:
        docs.close()
        rejects.close()
    return report


def local_readers(files: Iterable[CrawlFile], max_readers: int, min_bytes_per_reader: int) -> int:
    """How many local processes are worth starting for `files`: each has at least
    `min_bytes_per_reader` bytes to read. A spawned reader pays an interpreter's start-up and
    imports (~2 s here) before it reads anything, which is what one process reads of ~4 MB of
    gzipped WARC; below a few of those, reading in this process is faster."""
    files = list(files)
    by_size = sum(f.size_bytes for f in files) // max(1, min_bytes_per_reader)
    return max(1, min(max_readers, len(files), by_size))


def ingest_batch(files: Iterable[CrawlFile], docs_url: str, rejects_url: str, *,
                 limits: IngestLimits, workers: int, spark: SparkSession | None = None) -> BatchReport:
    """Ingest `files` into Parquet parts under the folders `docs_url` and `rejects_url`: in Spark
    tasks when a session is given, else in `workers` local processes."""
    jobs = [(f, f"{docs_url}/part-{i:05d}.parquet", f"{rejects_url}/part-{i:05d}.parquet", limits)
            for i, f in enumerate(files)]
    if spark is not None and jobs:
        # One partition per file, so each file is one task (retried alone if its executor is lost:
        # it rewrites its own two parts). collect() keeps the files' order.
        reports = spark.sparkContext.parallelize(jobs, len(jobs)).map(_ingest_job).collect()
    elif workers <= 1 or len(jobs) <= 1:
        reports = [ingest_file(*job) for job in jobs]
    else:
        # Spawned, not forked: the caller (a Dagster run worker) has threads of its own.
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)),
                                 mp_context=multiprocessing.get_context("spawn")) as pool:
            reports = list(pool.map(ingest_file, *zip(*jobs)))
    repeated = _drop_repeated_documents(docs_url, rejects_url)
    return BatchReport(files=reports, repeated_records=repeated)


def _ingest_job(job: tuple) -> FileReport:
    return ingest_file(*job)


def _drop_repeated_documents(docs_url: str, rejects_url: str) -> int:
    """Keep the first record of each `doc_id` (in file order); reject the later ones."""
    fs, docs_dir = fsspec.core.url_to_fs(docs_url)
    first_seen: dict[str, str] = {}
    repeats: list[Rejection] = []
    for part in sorted(fs.ls(docs_dir, detail=False)):
        ids = pq.read_table(part, columns=["doc_id", "url", "source_file", "source_format",
                                           "record_locator", "content_type", "content_bytes"],
                            filesystem=fs).to_pylist()
        keep = []
        for row in ids:
            origin = f"{row['source_file']} {row['record_locator']}"
            first = first_seen.setdefault(row["doc_id"], origin)
            keep.append(first is origin)
            if first is not origin:
                repeats.append(Rejection(
                    source_file=row["source_file"], source_format=row["source_format"],
                    record_locator=row["record_locator"], url=row["url"],
                    reason=RejectReason.DUPLICATE_RECORD,
                    detail=f"same URL and content as {first}", content_type=row["content_type"],
                    content_bytes=row["content_bytes"]))
        if not all(keep):
            kept = pq.read_table(part, filesystem=fs).filter(pa.array(keep))
            pq.write_table(kept, part, filesystem=fs, compression="zstd")
    if repeats:
        _, rejects_dir = fsspec.core.url_to_fs(rejects_url)
        pq.write_table(rejections_table(repeats), f"{rejects_dir}/part-repeats.parquet",
                       filesystem=fs, compression="zstd")
    return len(repeats)
