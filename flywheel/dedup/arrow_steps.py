"""The Python steps of the dedup job, run by Spark on Arrow batches (`mapInArrow`).

`signatures` turns documents into index rows; `score_pairs` gives candidate pairs their Jaccard.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
from pyspark.sql import DataFrame
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from flywheel.dedup.batch_shingles import batch_shingles, in_parts
from flywheel.dedup.minhash import MinHasher, estimated_jaccard
from flywheel.dedup.settings import DedupSettings
from flywheel.dedup.shingles import jaccard, sorted_distinct

INDEX_SCHEMA = StructType([
    StructField("doc_id", StringType()),
    StructField("batch", StringType()),
    StructField("url", StringType()),
    StructField("fetch_time", TimestampType()),
    StructField("text_chars", LongType()),
    StructField("exact_hash", LongType()),
    StructField("signature", ArrayType(LongType())),
    StructField("band_keys", ArrayType(LongType())),
])
# A scored pair: both documents' details, the start of each text, and the Jaccard.
_PAIR_DETAILS = ["a", "b", "url_a", "url_b", "batch_a", "batch_b", "prior_a", "prior_b"]
_SCORED_PAIR_SCHEMA = StructType([
    *[StructField(name, BooleanType() if name.startswith("prior") else StringType()) for name in _PAIR_DETAILS],
    StructField("snippet_a", StringType()), StructField("snippet_b", StringType()),
    StructField("jaccard", DoubleType()), StructField("method", StringType()),
])
_SNIPPET_CHARS = 200


def signatures(docs: DataFrame, batch: str, settings: DedupSettings) -> DataFrame:
    """One index row per document: its hashes, signature and band keys (no text)."""

    def run(batches):
        hasher = MinHasher(settings)
        for chunk in batches:
            texts = [text or "" for text in chunk.column("text").to_pylist()]
            yield pa.RecordBatch.from_arrays(
                [chunk.column("doc_id"), pa.array([batch] * chunk.num_rows, pa.string()),
                 chunk.column("url"), chunk.column("fetch_time"),
                 pa.array([len(text) for text in texts], pa.int64()),
                 *hasher.signature_columns(texts)],
                names=INDEX_SCHEMA.fieldNames())

    return docs.select("doc_id", "url", "fetch_time", "text").mapInArrow(run, INDEX_SCHEMA)


def _shingle_sets(texts: list[str], size: int) -> Iterator[np.ndarray]:
    """Each text's distinct shingle hashes, sorted (what `jaccard` compares)."""
    for part in in_parts(texts):
        batch = batch_shingles(part, size)
        for start, end in itertools.pairwise(batch.offsets.tolist()):
            yield sorted_distinct(batch.hashes[start:end])


def score_pairs(texts: DataFrame, pairs: DataFrame, settings: DedupSettings, estimates: bool) -> DataFrame:
    """Each pair with `jaccard` and `method`: the exact Jaccard where both texts are there (and
    verification is on), else the signatures' estimate (`estimates`: `pairs` has `signature_a`
    and `signature_b`); texts cut to snippets on the way out.

    `texts` (`node`, `text`, `group`) and `pairs` (`_PAIR_DETAILS`, any signatures, `group`) share a
    `group` column that puts every pair with the texts of both its documents, so each text travels
    and is shingled once however many pairs it is in.
    """
    size = settings.shingle_size

    def run(texts: pa.Table, pairs: pa.Table) -> pa.Table:
        nodes, contents = texts.column("node").to_pylist(), [text or "" for text in texts.column("text").to_pylist()]
        shingles = dict(zip(nodes, _shingle_sets(contents, size)))
        snippets = {node: text[:_SNIPPET_CHARS] for node, text in zip(nodes, contents)}
        rows = pairs.select(["a", "b"]).to_pydict()
        scores, methods = [], []
        for row, (a, b) in enumerate(zip(rows["a"], rows["b"])):
            if a in shingles and b in shingles:
                scores.append(jaccard(shingles[a], shingles[b]))
                methods.append("exact")
            elif not estimates:
                raise RuntimeError(f"pair {a} - {b}: a text is missing and no signatures came with the pair")
            else:  # only then are the signatures turned into Python values
                scores.append(estimated_jaccard(*(np.array(pairs.column(f"signature_{side}")[row].as_py())
                                                  for side in "ab")))
                methods.append("signature")
        return pa.Table.from_arrays(
            [*(pairs.column(name) for name in _PAIR_DETAILS),
             *(pa.array([snippets.get(node) for node in rows[side]], pa.string()) for side in ("a", "b")),
             pa.array(scores, pa.float64()), pa.array(methods, pa.string())],
            names=_SCORED_PAIR_SCHEMA.fieldNames())

    return (texts.select("group", "node", "text").groupBy("group")
            .cogroup(pairs.select("group", *_PAIR_DETAILS, *(["signature_a", "signature_b"] if estimates else []))
                     .groupBy("group"))
            .applyInArrow(run, _SCORED_PAIR_SCHEMA))
