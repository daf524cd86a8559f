"""The Parquet lake: `<root>/<dataset>/<partition>/part-*.parquet`, replaced atomically.

The root is an fsspec URL (a local path by default), so object storage can be configured later.
A partition is written into `<root>/.staging/<uuid>/` and then renamed into place, so readers see
the old partition or the new one, never a half-written one. On a local file system the rename is
atomic; on object stores fsspec's move is a copy, so a reader can see a missing partition (never
a mixed one) for the moment of the swap.
"""

from __future__ import annotations

import contextlib
import posixpath
import uuid
from collections.abc import Iterator

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq


class Lake:
    def __init__(self, root_url: str) -> None:
        self.root_url = root_url
        self.fs, self.root = fsspec.core.url_to_fs(root_url)

    def dataset_path(self, dataset: str) -> str:
        return posixpath.join(self.root, dataset)

    def partition_path(self, dataset: str, partition: str) -> str:
        return posixpath.join(self.root, dataset, partition)

    def url(self, path: str) -> str:
        """A URL for `path` that other engines (Spark, pyarrow) understand."""
        return self.fs.unstrip_protocol(path)

    def partitions(self, dataset: str) -> list[str]:
        """Names of the dataset's published partitions, sorted."""
        path = self.dataset_path(dataset)
        if not self.fs.isdir(path):
            return []
        return sorted(posixpath.basename(p.rstrip("/")) for p in self.fs.ls(path, detail=False)
                      if self.fs.isdir(p))

    def has_partition(self, dataset: str, partition: str) -> bool:
        return self.fs.isdir(self.partition_path(dataset, partition))

    @contextlib.contextmanager
    def staging_dir(self) -> Iterator[str]:
        """A fresh folder on the lake's file system; removed if the block fails."""
        path = posixpath.join(self.root, ".staging", uuid.uuid4().hex)
        self.fs.makedirs(path, exist_ok=True)
        try:
            yield path
        finally:
            if self.fs.exists(path):
                self.fs.rm(path, recursive=True)

    def publish(self, staged_path: str, dataset: str, partition: str) -> str:
        """Move a staged folder into place as `dataset/partition`, replacing what was there."""
        final = self.partition_path(dataset, partition)
        self.fs.makedirs(posixpath.dirname(final), exist_ok=True)
        retired = None
        if self.fs.exists(final):
            retired = posixpath.join(self.root, ".retired", f"{dataset}-{partition}-{uuid.uuid4().hex}")
            self.fs.makedirs(posixpath.dirname(retired), exist_ok=True)
            self.fs.mv(final, retired, recursive=True)
        self.fs.mv(staged_path, final, recursive=True)
        if retired is not None:
            self.fs.rm(retired, recursive=True)
        return final

    def _parquet_files(self, dataset: str, partition: str) -> list[str]:
        path = self.partition_path(dataset, partition)
        return sorted(f for f in self.fs.ls(path, detail=False) if f.endswith(".parquet"))

    def read_partition(self, dataset: str, partition: str, columns: list[str] | None = None) -> pa.Table:
        tables = [pq.read_table(f, columns=columns, filesystem=self.fs)
                  for f in self._parquet_files(dataset, partition)]
        return pa.concat_tables(tables) if tables else pa.table({})

    def iter_batches(self, dataset: str, partition: str, columns: list[str] | None = None,
                     batch_size: int = 4096) -> Iterator[pa.RecordBatch]:
        """A partition's rows in record batches, one file at a time (memory stays bounded)."""
        for part in self._parquet_files(dataset, partition):
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

    def row_count(self, dataset: str, partition: str) -> int:
        """Rows of a partition, from the Parquet footers only."""
        return sum(pq.read_metadata(f, filesystem=self.fs).num_rows for f in self._parquet_files(dataset, partition))

    def partition_bytes(self, dataset: str, partition: str) -> int:
        return int(self.fs.du(self.partition_path(dataset, partition)))
