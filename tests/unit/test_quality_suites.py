"""Each GX suite passes a good frame and fails a crafted bad one on the intended expectation."""

from datetime import datetime, timezone

import pandas as pd
import pyarrow as pa
import pytest

from flywheel.quality.drift import DriftBounds, compare, profile
from flywheel.quality.feedback_suites import preference_pairs_suite, with_pair_flags
from flywheel.quality.gx_runner import validate
from flywheel.quality.suites import (
    deduplicated_docs_suite,
    filtered_docs_suite,
    quality_scored_docs_suite,
    raw_crawl_suite,
    with_text_hash,
)

TEXTS = ["First real document about Python lists.", "Second one, about dictionaries and sets.",
         "Third: the import system explained."]


def raw_frame() -> pd.DataFrame:
    n = len(TEXTS)
    return pd.DataFrame({
        "doc_id": [f"id{i}" for i in range(n)], "url": [f"https://example.org/{i}" for i in range(n)],
        "domain": ["example.org"] * n, "fetch_time": [datetime(2026, 11, 1, tzinfo=timezone.utc)] * n,
        "title": ["t"] * n, "text": TEXTS, "text_chars": [len(t) for t in TEXTS],
        "content_type": ["text/html"] * n, "content_bytes": [100] * n, "source_file": ["f.warc.gz"] * n,
        "source_format": ["warc"] * n, "record_locator": [f"offset:{i}" for i in range(n)]})


def filtered_frame() -> pd.DataFrame:
    return raw_frame().assign(language="en", language_score=[0.9, 0.8, 0.99])


def deduplicated_frame() -> pd.DataFrame:
    return with_text_hash(filtered_frame().assign(cluster_size=[1, 2, 1]))


def scored_frame() -> pd.DataFrame:
    return deduplicated_frame().assign(quality_score=[0.7, 0.55, 0.91], quality_classifier_version="v1")


def failures(frame, suite) -> set[tuple[str, str | None]]:
    return {(o.expectation, o.column) for o in validate(frame, suite, "test") if not o.success}


def test_good_frames_pass_every_suite():
    assert failures(raw_frame(), raw_crawl_suite()) == set()
    assert failures(filtered_frame(), filtered_docs_suite(["en"], 0.65)) == set()
    assert failures(deduplicated_frame(), deduplicated_docs_suite(["en"], 0.65)) == set()
    assert failures(scored_frame(), quality_scored_docs_suite(["en"], 0.65)) == set()


@pytest.mark.parametrize("corrupt, expected", [
    (lambda f: f.assign(quality_score=[0.7, 1.2, 0.9]), ("expect_column_values_to_be_between", "quality_score")),
    (lambda f: f.assign(quality_score=[0.7, None, 0.9]), ("expect_column_values_to_not_be_null", "quality_score")),
    (lambda f: f.assign(quality_classifier_version=["v1", "v2", "v1"]),
     ("expect_column_unique_value_count_to_be_between", "quality_classifier_version")),
    (lambda f: f.drop(columns=["quality_classifier_version"]), ("expect_table_columns_to_match_set", None)),
])
def test_quality_scored_docs_suite_catches(corrupt, expected):
    assert expected in failures(corrupt(scored_frame()), quality_scored_docs_suite(["en"], 0.65))


@pytest.mark.parametrize("corrupt, expected", [
    (lambda f: f.assign(doc_id=["id0", "id0", "id2"]), ("expect_column_values_to_be_unique", "doc_id")),
    (lambda f: f.assign(doc_id=["id0", None, "id2"]), ("expect_column_values_to_not_be_null", "doc_id")),
    (lambda f: f.assign(text=["", "b", "c"]), ("expect_column_value_lengths_to_be_between", "text")),
    (lambda f: f.drop(columns=["url"]), ("expect_table_columns_to_match_set", None)),
    (lambda f: f.assign(extra=1), ("expect_table_columns_to_match_set", None)),
    (lambda f: f.assign(content_bytes=[100, -1, 5]), ("expect_column_values_to_be_between", "content_bytes")),
])
def test_raw_crawl_suite_catches(corrupt, expected):
    assert expected in failures(corrupt(raw_frame()), raw_crawl_suite())


def test_filtered_docs_suite_catches_wrong_language_and_scores():
    suite = filtered_docs_suite(["en"], 0.65)
    assert ("expect_column_values_to_be_in_set", "language") in failures(
        filtered_frame().assign(language=["en", "de", "en"]), suite)
    assert ("expect_column_values_to_be_between", "language_score") in failures(
        filtered_frame().assign(language_score=[0.9, 0.2, 1.0]), suite)
    # No language list: every language is allowed, the score is still bounded.
    assert failures(filtered_frame().assign(language="de"), filtered_docs_suite([], 0.65)) == set()


def test_deduplicated_docs_suite_catches_duplicate_text_left():
    frame = filtered_frame().assign(cluster_size=1)
    frame.loc[2, "text"] = TEXTS[0].upper() + "  "  # the same text once normalized
    outcome = {(o.expectation, o.column): o for o in validate(with_text_hash(frame),
                                                             deduplicated_docs_suite(["en"], 0.65), "t")}
    unique_text = outcome[("expect_column_values_to_be_unique", "normalized_text_hash")]
    assert not unique_text.success and unique_text.unexpected_count == 2 and unique_text.failing_values


def batches(frame: pd.DataFrame) -> list[pa.RecordBatch]:
    return pa.Table.from_pandas(frame[["text", "language"]]).to_batches(max_chunksize=2)


def test_drift_compares_length_kept_share_and_language_mix():
    bounds = DriftBounds()
    previous = profile(batches(filtered_frame()), upstream_rows=6)
    assert previous.rows == 3 and previous.mean_text_chars == sum(map(len, TEXTS)) / 3
    same = compare(profile(batches(filtered_frame()), upstream_rows=6), previous, bounds)
    assert same and all(o.ok for o in same)
    shifted = filtered_frame().assign(text=[t * 5 for t in TEXTS], language=["en", "de", "de"])
    outcomes = {o.metric: o for o in compare(profile(batches(shifted), upstream_rows=30), previous, bounds)}
    assert not outcomes["mean_text_chars"].ok
    assert not outcomes["kept_share"].ok  # 3/30 against 3/6
    assert not outcomes["language_share[de]"].ok and not outcomes["language_share[en]"].ok


def preference_frames():
    train = pd.DataFrame({"prompt": ["What is a list?", "Explain dicts."],
                          "chosen": ["An ordered, mutable sequence.", "A mapping of keys to values."],
                          "rejected": ["A kind of fish.", "Nothing useful."]})
    held_out = pd.DataFrame({"prompt": ["What is a set?"], "chosen": ["An unordered collection."],
                             "rejected": ["A table."]})
    return train, held_out


def test_preference_suite_passes_clean_pairs():
    train, held_out = preference_frames()
    assert failures(with_pair_flags(train, held_out), preference_pairs_suite()) == set()


def test_preference_suite_catches_empty_identical_and_leaked_pairs():
    train, held_out = preference_frames()
    bad = pd.concat([train, held_out.assign(prompt="  What is a set? ")], ignore_index=True)  # leaked
    bad.loc[0, "rejected"] = bad.loc[0, "chosen"]  # chosen == rejected
    bad.loc[1, "prompt"] = ""  # empty prompt
    failed = failures(with_pair_flags(bad, held_out), preference_pairs_suite())
    assert ("expect_column_values_to_be_in_set", "chosen_equals_rejected") in failed
    assert ("expect_column_values_to_be_in_set", "pair_in_held_out") in failed
    assert ("expect_column_value_lengths_to_be_between", "prompt") in failed
