"""Near-duplicate detection on the evaluation set built from the sample's real text (slow, ~1 min).

The same set and scoring as `benchmarks/dedup_accuracy.py`, which also runs datatrove and datasketch.
"""

import pytest

from benchmarks.dedup_eval_set import build_eval_set, cluster_pairs, score, true_similar_pairs
from benchmarks.dedup_systems import flywheel_clusters, write_docs
from benchmarks.sample_documents import sample_documents
from flywheel.dedup.settings import DedupSettings


@pytest.fixture(scope="module")
def eval_set(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("dedup-eval")
    docs = build_eval_set(sample_documents(workdir)["text"].to_pylist(), seed=1)
    texts = [d.text for d in docs]
    write_docs(texts, workdir / "docs")
    return workdir, texts, true_similar_pairs(texts, 0.8)


def test_eval_set_has_duplicates_on_both_sides_of_the_threshold(eval_set):
    _, texts, truth = eval_set
    near_misses = true_similar_pairs(texts, 0.6)
    assert len(texts) > 900 and len(truth) > 300
    assert len(near_misses) - len(truth) > 100  # pairs between 0.6 and 0.8 that must not merge
    assert any(0.8 <= j < 0.85 for j in truth.values())


def test_flywheel_finds_duplicates_with_f1_above_0_95(spark, eval_set):
    workdir, _, truth = eval_set
    labels = flywheel_clusters(spark, workdir / "docs", workdir / "flywheel", DedupSettings())
    scores = score(cluster_pairs(labels), truth)
    assert scores["documents"]["f1"] >= 0.95, scores
    assert scores["documents"]["precision"] >= 0.98, scores  # verified pairs are never below 0.8
    # Clusters are transitive: two edits of one page can each be >= 0.8 from it and < 0.8 apart.
    assert scores["pairs"]["f1"] >= 0.9, scores
