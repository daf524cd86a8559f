"""The GX suites of the feedback event log and the packed pretraining corpus: a good dataset
passes, a crafted bad one fails the intended expectation."""

import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pyarrow as pa

from flywheel.feedback.events import EVENT_SCHEMA
from flywheel.quality.corpus_suite import pretraining_corpus_suite, sequence_profile
from flywheel.quality.feedback_suites import feedback_events_suite, with_event_flags
from tests.unit.test_quality_suites import failures


def events_frame() -> pd.DataFrame:
    ts = datetime(2026, 11, 1, tzinfo=UTC)
    rows = [{"event_id": "e1", "ts": ts, "kind": "comparison", "prompt": "What is a tuple?",
             "chosen": "An immutable sequence.", "rejected": "A list.", "pii_redactions": 0},
            {"event_id": "e2", "ts": ts, "kind": "rating", "prompt": "Mail [EMAIL] about sets",
             "response": "An unordered collection.", "rating": 1, "pii_redactions": 1}]
    return pa.Table.from_pylist(rows, EVENT_SCHEMA).to_pandas()


def test_feedback_events_suite_passes_clean_events():
    assert failures(with_event_flags(events_frame()), feedback_events_suite()) == set()


def test_feedback_events_suite_catches_duplicates_incomplete_events_and_leftover_pii():
    bad = pd.concat([events_frame(), events_frame().iloc[[0]]], ignore_index=True)  # e1 twice
    bad.loc[1, "rating"] = None  # a rating without its value
    bad.loc[2, "prompt"] = "write to ada@example.com"  # personal data that escaped scrubbing
    failed = failures(with_event_flags(bad), feedback_events_suite())
    assert failed == {("expect_column_values_to_be_unique", "event_id"),
                      ("expect_column_values_to_be_in_set", "event_complete"),
                      ("expect_column_values_to_be_in_set", "pii_left")}


def write_corpus(root, train: np.ndarray, validation: np.ndarray, sequence_length: int = 4) -> str:
    splits = {}
    for split, rows in (("train", train), ("validation", validation)):
        (root / split).mkdir(parents=True)
        np.save(root / split / "shard-00000.npy", rows)
        splits[split] = {"shards": ["shard-00000.npy"], "sequences": len(rows)}
    (root / "manifest.json").write_text(json.dumps({"sequence_length": sequence_length, "splits": splits}))
    return str(root)


def test_corpus_suite_passes_a_clean_corpus(tmp_path):
    corpus = write_corpus(tmp_path, np.array([[1, 2, 3, 0], [4, 5, 6, 0]], dtype=np.uint16),
                          np.array([[7, 8, 9, 0]], dtype=np.uint16))
    frame, sampled = sequence_profile(corpus)
    assert len(frame) == 3 and not sampled
    assert failures(frame, pretraining_corpus_suite(4, vocab_size=10)) == set()


def test_corpus_suite_catches_leaked_validation_and_out_of_vocabulary_tokens(tmp_path):
    corpus = write_corpus(tmp_path, np.array([[1, 2, 3, 0], [4, 5, 60, 0]], dtype=np.uint16),
                          np.array([[1, 2, 3, 0]], dtype=np.uint16))
    frame, _ = sequence_profile(corpus)
    assert failures(frame, pretraining_corpus_suite(4, vocab_size=10)) == {
        ("expect_column_values_to_be_between", "max_token"),
        ("expect_column_values_to_be_in_set", "validation_in_train")}
    assert failures(frame, pretraining_corpus_suite(8, vocab_size=100)) == {
        ("expect_column_values_to_be_between", "length"),
        ("expect_column_values_to_be_in_set", "validation_in_train")}


def test_large_corpora_are_profiled_on_a_sample(tmp_path):
    corpus = write_corpus(tmp_path, np.arange(4000, dtype=np.uint16).reshape(1000, 4),
                          np.arange(400, dtype=np.uint16).reshape(100, 4) + 5000)
    frame, sampled = sequence_profile(corpus, max_sequences=110)
    assert sampled and 50 < len(frame) < 200 and set(frame["split"]) == {"train", "validation"}
