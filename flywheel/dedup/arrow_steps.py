"""The Python steps of the dedup job, run by Spark on Arrow batches (`mapInArrow`).

`signatures` turns documents into index rows; `score_pairs` gives candidate pairs their Jaccard.
"""

from __future__ import annotations

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

from flywheel.dedup.minhash import MinHasher, estimated_jaccard
from flywheel.dedup.settings import DedupSettings
from flywheel.dedup.shingles import jaccard, shingle_hashes

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
    StructField("text_a", StringType()), StructField("text_b", StringType()),
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


def score_pairs(pairs: DataFrame, settings: DedupSettings) -> DataFrame:
    """Each pair with `jaccard` and `method`: the exact Jaccard where both texts are there and
    verification is on, else the signatures' estimate. Texts are cut to snippets on the way out."""
    verify, size = settings.verify_candidates, settings.shingle_size

    def run(batches):
        for chunk in batches:
            shingles: dict[str, np.ndarray] = {}  # a document in several pairs is shingled once

            def shingles_of(node: str, text: str) -> np.ndarray:
                if node not in shingles:
                    shingles[node] = shingle_hashes(text, size)
                return shingles[node]

            rows = chunk.select(["a", "b", "text_a", "text_b", "signature_a", "signature_b"]).to_pydict()
            scores, methods = [], []
            for a, b, text_a, text_b, sig_a, sig_b in zip(*rows.values()):
                if verify and text_a is not None and text_b is not None:
                    scores.append(jaccard(shingles_of(a, text_a), shingles_of(b, text_b)))
                    methods.append("exact")
                else:
                    scores.append(estimated_jaccard(np.array(sig_a), np.array(sig_b)))
                    methods.append("signature")
            snippets = [pa.array([t[:_SNIPPET_CHARS] if t is not None else None for t in rows[c]], pa.string())
                        for c in ("text_a", "text_b")]
            yield pa.RecordBatch.from_arrays(
                [*(chunk.column(name) for name in _PAIR_DETAILS), *snippets,
                 pa.array(scores, pa.float64()), pa.array(methods, pa.string())],
                names=_SCORED_PAIR_SCHEMA.fieldNames())

    return pairs.select(*_PAIR_DETAILS, "text_a", "text_b", "signature_a", "signature_b").mapInArrow(
        run, _SCORED_PAIR_SCHEMA)
