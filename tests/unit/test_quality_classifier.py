"""The quality classifier's text handling, metrics, sampling, training file and model store."""

import gzip
import json

import numpy as np
import pytest

from flywheel.bundled import SPAM_HOLDOUT
from flywheel.quality_classifier import metrics
from flywheel.quality_classifier.examples import (
    CRAWL_LABEL,
    HQ_LABEL,
    Document,
    is_heldout,
    read_jsonl_documents,
    sample_ids,
    write_training_file,
)
from flywheel.quality_classifier.model import hq_scores
from flywheel.quality_classifier.settings import ClassifierSettings
from flywheel.quality_classifier.text import fasttext_line, passages
from flywheel.quality_classifier.training import MODEL_FILE, train_classifier
from flywheel.versioned_store import VersionedStore


def test_fasttext_line_is_one_lowercase_line_with_punctuation_split_off():
    assert fasttext_line("The Model.\nIt works, mostly!") == "the model . it works , mostly !"
    assert fasttext_line("one two three four", max_words=2) == "one two"


def test_passages_cover_every_word_in_order():
    text = " ".join(f"w{i}" for i in range(10))
    assert passages(text, 4) == ["w0 w1 w2 w3", "w4 w5 w6 w7", "w8 w9"]


def test_roc_auc_matches_hand_counts_with_ties():
    labels = np.array([1, 1, 0, 0, 1, 0], bool)
    scores = np.array([0.9, 0.5, 0.5, 0.1, 0.3, 0.2])
    # pairs (pos, neg): 0.9 beats all 3; 0.5 beats 0.1, 0.2, ties 0.5; 0.3 beats 0.1, 0.2.
    assert metrics.roc_auc(labels, scores) == pytest.approx((3 + 2.5 + 2) / 9)
    assert metrics.roc_auc(labels, -scores) == pytest.approx(1 - (3 + 2.5 + 2) / 9)
    with pytest.raises(ValueError):
        metrics.roc_auc(np.ones(3, bool), np.arange(3.0))


def test_precision_recall_f1_at_threshold():
    result = metrics.at_threshold(np.array([1, 1, 0, 0], bool), np.array([0.9, 0.4, 0.6, 0.1]), 0.5)
    assert (result.precision, result.recall, result.f1) == (0.5, 0.5, 0.5)


def test_sample_is_stable_as_data_grows():
    ids = [f"doc-{i}" for i in range(1000)]
    first = sample_ids(ids, 100, seed=0)
    grown = sample_ids(ids + [f"new-{i}" for i in range(100)], 100, seed=0)
    assert len(first) == len(grown) == 100
    assert len(first & grown) >= 80  # new documents displace some, the rest stay
    assert sample_ids(ids, 100, seed=1) != first
    assert [is_heldout(i, 0.2) for i in ids] == [is_heldout(i, 0.2) for i in ids]
    assert 150 < sum(is_heldout(i, 0.2) for i in ids) < 250


def test_training_file_is_balanced_and_labelled(tmp_path):
    hq = [Document(f"hq{i}", "good words " * 100) for i in range(3)]  # 200 words -> 2 passages each
    crawl = [Document(f"c{i}", "cheap pills " * 30) for i in range(10)]  # 60 words -> 1 passage each
    counts = write_training_file(tmp_path / "train.txt", hq, crawl, words_per_example=128, seed=0)
    lines = (tmp_path / "train.txt").read_text().splitlines()
    assert counts.hq_examples == counts.crawl_examples == 6
    assert sum(line.startswith(HQ_LABEL + " ") for line in lines) == 6
    assert sum(line.startswith(CRAWL_LABEL + " ") for line in lines) == 6


def test_reading_documents_reports_the_bad_line(tmp_path):
    path = tmp_path / "docs.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.write(json.dumps({"id": "a", "text": "fine"}) + "\n" + json.dumps({"id": "b", "text": ""}) + "\n")
    with pytest.raises(ValueError, match="line 2: needs a non-empty string field `text`"):
        list(read_jsonl_documents(str(path)))


def test_settings_need_exactly_one_threshold_rule():
    with pytest.raises(ValueError, match="exactly one"):
        ClassifierSettings(keep_top_fraction=0.3, min_score=0.5)
    assert ClassifierSettings(keep_top_fraction=None, min_score=0.5).min_score == 0.5


def test_model_store_publishes_versions_once_and_points_at_the_current_one(tmp_path):
    store = VersionedStore(str(tmp_path / "models"))
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "model.bin").write_text("v1")
    path = store.publish(staged, "clf", "abc")
    (staged / "model.bin").write_text("changed")
    assert store.publish(staged, "clf", "abc") == path  # an existing version is immutable
    assert (tmp_path / "models" / "clf" / "abc" / "model.bin").read_text() == "v1"
    assert store.current("clf") is None
    store.set_current("clf", "abc", {"threshold": 0.4})
    assert store.current("clf") == {"version": "abc", "threshold": 0.4}
    with pytest.raises(FileNotFoundError):
        store.set_current("clf", "missing", {})


def test_classifier_separates_held_out_reference_text_from_spam(tmp_path):
    """Trained on the bundled reference prose against real spam e-mails, it ranks held-out
    reference documents far above spam it never saw."""
    mails = list(read_jsonl_documents(str(SPAM_HOLDOUT)))
    spam = [Document(m["id"], m["text"]) for m in mails if m["label"] == "spam"]
    train_spam, unseen_spam = spam[::2], spam[1::2]
    settings = ClassifierSettings(external_check_path=None)
    report = train_classifier(train_spam, settings, tmp_path)
    import fasttext

    model = fasttext.load_model(str(tmp_path / MODEL_FILE))
    unseen = hq_scores(model, [d.text for d in unseen_spam])
    labels = np.r_[np.ones(len(report.heldout_hq_scores), bool), np.zeros(len(unseen), bool)]
    # Chance is 0.5; a bag-of-n-grams model tells edited documentation from spam almost always.
    assert metrics.roc_auc(labels, np.r_[report.heldout_hq_scores, unseen]) >= 0.95
    assert report.heldout_auc >= 0.95
    assert len(report.version) == 16


def test_the_streamed_sample_is_the_smallest_hashes_of_the_distinct_ids():
    from flywheel.quality_classifier.examples import sample_ids
    from flywheel.stable_hash import stable_fraction

    ids = [f"doc-{n % 700}" for n in range(2_000)]  # every id seen about three times, in a stream
    expected = set(sorted(set(ids), key=lambda i: stable_fraction(i, 5))[:50])
    assert sample_ids(iter(ids), 50, seed=5) == expected
    assert sample_ids(iter(ids[:10]), 50, seed=5) == set(ids[:10])
