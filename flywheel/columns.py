"""What each column of Flywheel's Parquet datasets holds: one glossary entry per column name and
the columns of every dataset in file order.

The UI shows these as each asset's column schema; `tests/integration/test_catalog.py` holds them to
the Parquet files the assets really write, so a new column without an entry here fails a test.
"""

from __future__ import annotations

from typing import NamedTuple

from flywheel.datasets import (
    DEDUP_CLUSTERS,
    DEDUPLICATED_DOCS,
    FEEDBACK_EVENTS,
    FILTERED_DOCS,
    FILTERED_DOCS_REJECTED,
    MINHASH_INDEX,
    QUALITY_SCORED_DOCS,
    RAW_CRAWL,
    RAW_CRAWL_REJECTED,
    REWARD_DATA,
)


class Column(NamedTuple):
    type: str
    description: str


GLOSSARY: dict[str, Column] = {
    # A crawled document.
    "doc_id": Column("string", "SHA-256 of URL and extracted text (32 hex digits): the same page with the "
                               "same content always has the same id; unique within a batch."),
    "url": Column("string", "The page's URL as crawled."),
    "domain": Column("string", "Host name of the URL, lower case."),
    "fetch_time": Column("timestamp", "When the crawler fetched the page (UTC)."),
    "title": Column("string", "The text of the HTML title element, if any."),
    "text": Column("string", "Main text extracted from the HTML (Resiliparse), or the record's plain text."),
    "text_chars": Column("int", "Characters of `text`."),
    "content_type": Column("string", "HTTP Content-Type of the payload."),
    "content_bytes": Column("int", "Bytes of the payload as downloaded."),
    "source_file": Column("string", "Landing-zone file the record came from."),
    "source_format": Column("string", "warc, wet or jsonl."),
    "record_locator": Column("string", "Where in the source file: WARC record offset or JSONL line number."),
    # Curation verdicts.
    "language": Column("string", "fastText lid.176 language code of the text."),
    "language_score": Column("float", "fastText's probability of `language`, 0..1."),
    "reason": Column("string", "Why the row was dropped: the first failing rule (`<step>.<rule>`) or the "
                               "ingestion error."),
    "value": Column("float", "What the failing rule measured (a share, a count, a score)."),
    "threshold": Column("float", "The bound the value broke."),
    "detail": Column("string", "Human-readable explanation of the drop."),
    "snippet": Column("string", "The start of the rejected payload, for inspection."),
    "cluster_size": Column("int", "Documents in this document's near-duplicate cluster (1: unique)."),
    "quality_score": Column("float", "fastText quality classifier's probability that the text is reference-"
                                     "quality prose, 0..1."),
    "quality_classifier_version": Column("string", "Version of the quality classifier that scored the row."),
    # Deduplication.
    "cluster_id": Column("string", "Near-duplicate cluster (connected component of verified pairs)."),
    "kept": Column("bool", "Whether this document is the cluster's kept representative."),
    "duplicate_of": Column("string", "The kept document this one duplicates (null when kept)."),
    "duplicate_of_batch": Column("string", "Crawl batch of `duplicate_of` (an earlier batch for cross-batch "
                                           "duplicates)."),
    "duplicate_kind": Column("string", "exact or near (null when kept)."),
    "batch": Column("string", "Crawl batch the document was curated in."),
    "exact_hash": Column("int", "64-bit hash of the normalized text (exact duplicates share it)."),
    "signature": Column("list<int>", "MinHash signature over word 5-gram shingles."),
    "band_keys": Column("list<int>", "One hash per LSH band of the signature (candidate pairs share one)."),
    # Feedback.
    "event_id": Column("string", "The event's id, unique in the log (given by the server or derived from "
                                 "the line)."),
    "ts": Column("timestamp", "When the user gave the feedback (UTC)."),
    "kind": Column("string", "comparison (chosen vs rejected) or rating (thumbs on one response)."),
    "prompt": Column("string", "The user's prompt, personal data scrubbed."),
    "chosen": Column("string", "The preferred answer, personal data scrubbed."),
    "rejected": Column("string", "The other answer, personal data scrubbed."),
    "response": Column("string", "The rated answer (ratings only), personal data scrubbed."),
    "rating": Column("int", "+1 or -1 (ratings only)."),
    "model_version": Column("string", "The model version that answered (`model:version`), if known."),
    "rejected_model_version": Column(
        "string", "A comparison's rejected answer's model version, if known (`model_version` is then the chosen's)."),
    "user_id": Column("string", "Pseudonymous user id from the client, if given."),
    "conversation": Column("string", "Earlier turns as a JSON list, personal data scrubbed."),
    "pii_redactions": Column("int", "Personal-data strings the scrubber replaced in this event."),
    "source_line": Column("int", "Line of the landing file the event came from."),
    "ingest_id": Column("string", "The ingestion that stored the event."),
    "pair_id": Column("string", "Hash of the normalized prompt, chosen and rejected: one row per distinct pair."),
    "source": Column("string", "What the pair was built from: `comparison`, or `rating` (a thumbs-up and a "
                             "thumbs-down answer to one prompt)."),
    "event_ids": Column("list<string>", "The feedback events the pair was built from."),
}

_DOCUMENT = ["doc_id", "url", "domain", "fetch_time", "title", "text", "text_chars", "content_type",
             "content_bytes", "source_file", "source_format", "record_locator"]
_LANGUAGE = ["language", "language_score"]
_DROP = ["reason", "value", "threshold", "detail"]

DATASET_COLUMNS: dict[str, list[str]] = {
    RAW_CRAWL: _DOCUMENT,
    RAW_CRAWL_REJECTED: ["source_file", "source_format", "record_locator", "url", "reason", "detail",
                         "content_type", "content_bytes", "snippet"],
    FILTERED_DOCS: _DOCUMENT + _LANGUAGE,
    FILTERED_DOCS_REJECTED: _DOCUMENT + _LANGUAGE + _DROP,
    DEDUPLICATED_DOCS: _DOCUMENT + _LANGUAGE + ["cluster_size"],
    DEDUP_CLUSTERS: ["doc_id", "cluster_id", "kept", "duplicate_of", "duplicate_of_batch", "duplicate_kind",
                     "cluster_size"],
    MINHASH_INDEX: ["doc_id", "batch", "url", "fetch_time", "text_chars", "exact_hash", "signature", "band_keys"],
    QUALITY_SCORED_DOCS: _DOCUMENT + _LANGUAGE + ["cluster_size", "quality_score", "quality_classifier_version"],
    FEEDBACK_EVENTS: ["event_id", "ts", "kind", "prompt", "chosen", "rejected", "response", "rating",
                      "model_version", "rejected_model_version", "user_id", "conversation", "pii_redactions",
                      "source_file", "source_line", "ingest_id"],
    REWARD_DATA: ["pair_id", "prompt", "chosen", "rejected", "source", "event_ids"],
}


def dataset_columns(dataset: str) -> list[tuple[str, Column]]:
    """The dataset's columns in file order, each with its glossary entry."""
    return [(name, GLOSSARY[name]) for name in DATASET_COLUMNS[dataset]]
