"""The Parquet lake: every partition is a set of immutable versions and one pointer.

    <root>/<dataset>/<partition>/_CURRENT          {"version": ..., "history": [...]} (the published one)
    <root>/<dataset>/<partition>/<version>/part-*.parquet

Writers stage a new version folder (`stage`), fill and validate it, and publish it by replacing
the pointer file in one atomic operation (`publish`): a rename on a local file system, a single
PUT on object storage. Readers resolve the pointer once (`partition_path`), so they see the old
version or the new one, never a half-written, missing or mixed partition. Concurrent publishers
of one partition each write their own version folder; the last pointer wins and both folders stay
intact. A version that was never published (a failed check, a crashed writer) is never read.
Superseded versions are garbage-collected after `keep_versions` publications; unpublished
versions older than `stale_staged_after` seconds are removed as a crashed writer's leftovers.

Spark, pyarrow and DuckDB read a published partition from the folder `partition_path` returns
(or, by hand, `<partition>/<version from _CURRENT>/`); every file in it belongs to that version.
"""

from __future__ import annotations

import contextlib
import json
import posixpath
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from flywheel.batch_names import validate_batch_name

POINTER = "_CURRENT"
HISTORY_KEPT = 32  # previously published versions the pointer remembers (for garbage collection)


@dataclass(frozen=True)
class StagedVersion:
    """A version folder being written: not read by anything until `Lake.publish(staged)`."""

    dataset: str
    partition: str
    version: str
    path: str


class Lake:
    def __init__(self, root_url: str, keep_versions: int = 2, stale_staged_after: float = 24 * 3600) -> None:
        self.root_url = root_url
        self.fs, self.root = fsspec.core.url_to_fs(root_url)
        self.keep_versions = keep_versions
        self.stale_staged_after = stale_staged_after

    def dataset_path(self, dataset: str) -> str:
        return posixpath.join(self.root, dataset)

    def url(self, path: str) -> str:
        """A URL for `path` that other engines (Spark, pyarrow) understand."""
        return self.fs.unstrip_protocol(path)

    def _partition_dir(self, dataset: str, partition: str) -> str:
        validate_batch_name(partition)  # a key from the UI is checked as a batch name is
        return posixpath.join(self.root, dataset, partition)

    def _pointer(self, dataset: str, partition: str) -> dict | None:
        path = posixpath.join(self._partition_dir(dataset, partition), POINTER)
        try:
            return json.loads(self.fs.cat_file(path))
        except FileNotFoundError:
            return None

    def current_version(self, dataset: str, partition: str) -> str | None:
        pointer = self._pointer(dataset, partition)
        return pointer["version"] if pointer else None

    def partition_path(self, dataset: str, partition: str) -> str:
        """The folder of the published version of a partition."""
        version = self.current_version(dataset, partition)
        if version is None:
            raise FileNotFoundError(f"{dataset} has no published partition {partition!r}")
        return posixpath.join(self._partition_dir(dataset, partition), version)

    def partitions(self, dataset: str) -> list[str]:
        """Names of the dataset's published partitions, sorted."""
        path = self.dataset_path(dataset)
        if not self.fs.isdir(path):
            return []
        return sorted(posixpath.basename(p.rstrip("/")) for p in self.fs.ls(path, detail=False)
                      if self.fs.exists(posixpath.join(p, POINTER)))

    def has_partition(self, dataset: str, partition: str) -> bool:
        return self._pointer(dataset, partition) is not None

    @contextlib.contextmanager
    def stage(self, dataset: str, partition: str) -> Iterator[StagedVersion]:
        """A new, empty version folder of the partition for the block to write. It is removed if the
        block raises; otherwise it stays, unpublished, until `publish` (or a failed check keeps it
        for inspection until garbage collection)."""
        version = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"
        path = posixpath.join(self._partition_dir(dataset, partition), version)
        self.fs.makedirs(path, exist_ok=True)
        try:
            yield StagedVersion(dataset, partition, version, path)
        except BaseException:
            if self.fs.exists(path):
                self.fs.rm(path, recursive=True)
            raise

    def publish(self, staged: StagedVersion) -> str:
        """Point the partition at a staged version (one atomic replace of the pointer file), then
        garbage-collect superseded versions. Returns the published folder."""
        pointer = self._pointer(staged.dataset, staged.partition) or {"history": []}
        history = [staged.version] + [v for v in [pointer.get("version"), *pointer["history"]] if v]
        record = {"version": staged.version, "published_at": datetime.now(UTC).isoformat(),
                  "history": history[1:HISTORY_KEPT]}
        directory = self._partition_dir(staged.dataset, staged.partition)
        tmp = posixpath.join(directory, f".{POINTER}.{uuid.uuid4().hex}.tmp")
        self.fs.pipe_file(tmp, json.dumps(record, indent=2).encode())
        self.fs.mv(tmp, posixpath.join(directory, POINTER))
        self._collect_garbage(staged.dataset, staged.partition, keep=set(history[: self.keep_versions]))
        return staged.path

    def remove_partition(self, dataset: str, partition: str) -> None:
        """Unpublish a partition (the pointer first, so no reader resolves a folder being removed)."""
        directory = self._partition_dir(dataset, partition)
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(posixpath.join(directory, POINTER))
        if self.fs.exists(directory):
            self.fs.rm(directory, recursive=True)

    def _collect_garbage(self, dataset: str, partition: str, keep: set[str]) -> None:
        """Remove superseded versions beyond `keep`, and unpublished ones older than the stale age
        (a younger unpublished version may be another writer's, still being written)."""
        pointer = self._pointer(dataset, partition) or {}
        keep = keep | {pointer.get("version")}
        published = set(pointer.get("history", []))
        now = time.time()
        for entry in self.fs.ls(self._partition_dir(dataset, partition), detail=True):
            name = posixpath.basename(entry["name"].rstrip("/"))
            if entry["type"] != "directory" or name in keep:
                continue
            if name in published or now - _mtime(entry) > self.stale_staged_after:
                with contextlib.suppress(FileNotFoundError):  # a concurrent publisher collected it
                    self.fs.rm(entry["name"], recursive=True)

    # Readers take the published version, or `version` (a staged one, for its audit).

    def _parquet_files(self, dataset: str, partition: str, version: str | None = None) -> list[str]:
        path = (posixpath.join(self._partition_dir(dataset, partition), version) if version
                else self.partition_path(dataset, partition))
        return sorted(f for f in self.fs.ls(path, detail=False) if f.endswith(".parquet"))

    def read_partition(self, dataset: str, partition: str, columns: list[str] | None = None,
                       version: str | None = None) -> pa.Table:
        tables = [pq.read_table(f, columns=columns, filesystem=self.fs)
                  for f in self._parquet_files(dataset, partition, version)]
        return pa.concat_tables(tables) if tables else pa.table({})

    def iter_batches(self, dataset: str, partition: str, columns: list[str] | None = None,
                     batch_size: int = 4096, version: str | None = None) -> Iterator[pa.RecordBatch]:
        """A partition's rows in record batches, one file at a time (memory stays bounded)."""
        for part in self._parquet_files(dataset, partition, version):
            with self.fs.open(part, "rb") as handle:
                yield from pq.ParquetFile(handle).iter_batches(batch_size=batch_size, columns=columns)

    def head(self, dataset: str, partition: str, rows: int, columns: list[str] | None = None) -> pa.Table:
        """The first `rows` rows of a partition, reading no more than needed."""
        batches = []
        for batch in self.iter_batches(dataset, partition, columns, batch_size=rows):
            batches.append(batch)
            rows -= batch.num_rows
            if rows <= 0:
                break
        return pa.Table.from_batches(batches) if batches else pa.table({})

    def row_count(self, dataset: str, partition: str, version: str | None = None) -> int:
        """Rows of a partition, from the Parquet footers only."""
        return sum(pq.read_metadata(f, filesystem=self.fs).num_rows
                   for f in self._parquet_files(dataset, partition, version))

    def partition_bytes(self, dataset: str, partition: str) -> int:
        return int(self.fs.du(self.partition_path(dataset, partition)))


def _mtime(entry: dict) -> float:
    value = entry.get("mtime", entry.get("LastModified", 0))
    return value.timestamp() if hasattr(value, "timestamp") else float(value)
