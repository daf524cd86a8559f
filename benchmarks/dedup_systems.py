"""Flywheel's Spark dedup, datatrove's 4-stage MinHash pipeline and datasketch's MinHashLSH, each
run on the same documents and returning which documents it put together (for the accuracy and
throughput benchmarks)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flywheel.dedup.settings import DedupSettings

FETCH_TIME = datetime(2026, 1, 1, tzinfo=timezone.utc)
# pyarrow's default row group holds a whole file, here up to 25,000 texts (~300 MB), which a
# Parquet reader loads at once; Spark's own writes cut row groups at 128 MB.
_ROW_GROUP_DOCUMENTS = 2_000


def write_docs(texts: list[str], folder: Path, files: int = 4) -> list[str]:
    """Texts as Parquet documents with doc_id `i` (their position); returns the ids."""
    write_doc_stream(iter(texts), len(texts), folder, files)
    return [f"{i:08d}" for i in range(len(texts))]


def write_doc_stream(texts: Iterator[str], count: int, folder: Path, files: int) -> None:
    """`write_docs` of the first `count` texts of a stream, holding one file's texts at a time."""
    folder.mkdir(parents=True)
    step = max(1, -(-count // files))
    for k, first in enumerate(range(0, count, step)):
        chunk = list(islice(texts, min(step, count - first)))
        ids = [f"{i:08d}" for i in range(first, first + len(chunk))]
        pq.write_table(pa.table({
            "doc_id": ids, "url": [f"https://eval.example/{i}" for i in ids],
            "fetch_time": pa.array([FETCH_TIME] * len(chunk), pa.timestamp("us", tz="UTC")), "text": chunk,
        }), folder / f"part-{k:03d}.parquet", row_group_size=_ROW_GROUP_DOCUMENTS)


def flywheel_clusters(spark, docs_dir: Path, out_dir: Path, settings: DedupSettings) -> dict[int, str]:
    """doc position -> cluster id, from a fresh Flywheel dedup (no earlier batches)."""
    return flywheel_dedup(spark, docs_dir, out_dir, settings)[0]


def flywheel_dedup(spark, docs_dir: Path, out_dir: Path, settings: DedupSettings):
    """(doc position -> cluster id, the run's `DedupReport`) of a fresh Flywheel dedup."""
    from flywheel.dedup.spark_job import DedupInputs, DedupOutputs, run_dedup

    outputs = DedupOutputs(*(str(out_dir / name) for name in ("kept", "clusters", "index")))
    report = run_dedup(spark, DedupInputs("eval", str(docs_dir), [], {}), outputs, settings)
    clusters = pq.read_table(outputs.clusters_url, columns=["doc_id", "cluster_id"]).to_pylist()
    return {int(row["doc_id"]): row["cluster_id"] for row in clusters}, report


def datasketch_clusters(docs_dir: Path, out_dir: Path, settings: DedupSettings, verify: bool) -> dict[int, int]:
    """doc position -> cluster id from the script a user would write first: datasketch `MinHash`
    and `MinHashLSH` in one process over the same shingles, permutations and bands, union-find over
    the LSH candidates (with `verify`, only those at the threshold by exact shingle Jaccard),
    writing the kept documents to Parquet."""
    from datasketch import MinHash, MinHashLSH

    from flywheel.dedup.shingles import jaccard, shingle_hashes
    from flywheel.dedup.union_find import smallest_member_labels

    table = pq.read_table(docs_dir)
    texts = table.column("text").to_pylist()
    shingles = [shingle_hashes(text, settings.shingle_size) for text in texts]
    lsh = MinHashLSH(num_perm=settings.num_perm, params=settings.banding())
    sketches = []
    for i, values in enumerate(shingles):
        sketch = MinHash(num_perm=settings.num_perm, seed=settings.seed, scheme="affine64", hashfunc=_same)
        sketch.update_batch(values)
        lsh.insert(i, sketch)
        sketches.append(sketch)
    edges = ((i, j) for i, sketch in enumerate(sketches) for j in lsh.query(sketch)
             if j > i and (not verify or jaccard(shingles[i], shingles[j]) >= settings.threshold))
    components = smallest_member_labels(edges)
    labels = [components.get(i, i) for i in range(len(texts))]
    kept = [labels[i] == i for i in range(len(texts))]
    out_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(table.filter(pa.array(kept)), out_dir / "kept.parquet")
    return dict(enumerate(labels))


def _same(value):
    return value


def datatrove_clusters(docs_dir: Path, out_dir: Path, workers: int, n_grams: int = 5,
                       bands: int = 14, rows: int = 8) -> dict[int, object]:
    """doc position -> cluster id from datatrove's signature, buckets, cluster and filter stages."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
        MinhashDedupSignature,
    )
    from datatrove.pipeline.readers import ParquetReader
    from datatrove.pipeline.writers import ParquetWriter

    config = MinhashConfig(n_grams=n_grams, num_buckets=bands, hashes_per_bucket=rows)
    files = len(list(docs_dir.glob("*.parquet")))

    def reader():
        return ParquetReader(str(docs_dir), text_key="text", id_key="doc_id")

    stages = [
        ([reader(), MinhashDedupSignature(str(out_dir / "signatures"), config=config)], files),
        ([MinhashDedupBuckets(str(out_dir / "signatures"), str(out_dir / "buckets"), config=config)], bands),
        ([MinhashDedupCluster(str(out_dir / "buckets"), str(out_dir / "remove_ids"), config=config,
                              save_cluster_id=True)], 1),
        ([reader(), MinhashDedupFilter(str(out_dir / "remove_ids"), load_cluster_ids=True,
                                       exclusion_writer=ParquetWriter(str(out_dir / "removed"))),
          ParquetWriter(str(out_dir / "kept"))], files),
    ]
    for k, (pipeline, tasks) in enumerate(stages):
        LocalPipelineExecutor(pipeline=pipeline, tasks=tasks, workers=min(workers, tasks),
                              logging_dir=str(out_dir / f"logs-{k}")).run()
    labels = {}
    for path in [*(out_dir / "kept").glob("*.parquet"), *(out_dir / "removed").glob("*.parquet")]:
        for doc in pq.read_table(path, columns=["id", "metadata"]).to_pylist():
            cluster = doc["metadata"]["minhash_cluster_id"]
            labels[int(doc["id"])] = cluster if cluster != -1 else f"single-{doc['id']}"
    return labels


def datasketch_pairs(texts: list[str], settings: DedupSettings) -> set[tuple[int, int]]:
    """Pairs that a plain `MinHashLSH(threshold, num_perm)` query returns (no clustering, no check)."""
    from datasketch import MinHash, MinHashLSH

    from flywheel.dedup.minhash import MinHasher

    hasher = MinHasher(settings)
    lsh = MinHashLSH(threshold=settings.threshold, num_perm=settings.num_perm)
    sketches = [MinHash(hashvalues=hasher.signature(t), scheme="affine64") for t in texts]
    for i, sketch in enumerate(sketches):
        lsh.insert(i, sketch)
    return {(min(i, j), max(i, j)) for i, sketch in enumerate(sketches) for j in lsh.query(sketch) if j != i}
