"""`run_dedup` on crafted documents: exact, near and chained duplicates, the keep rule, the index."""

import random
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flywheel.dedup.settings import DedupSettings
from flywheel.dedup.shingles import jaccard, shingle_hashes
from flywheel.dedup.spark_job import DedupInputs, DedupOutputs, run_dedup
from tests.unit.test_dedup_shingles import PROSE

VOCABULARY = sorted(set(PROSE.lower().replace(",", "").replace(".", "").split())) + [
    f"term{i}" for i in range(300)]
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
# LSH buckets formed on the driver (the default at this size) or by a Spark shuffle: same results.
WHERE_BUCKETS = {"driver": DedupSettings(), "spark": DedupSettings(max_driver_bucket_documents=0)}


def random_text(seed: int, words: int = 400) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCABULARY) for _ in range(words))


def substitute(text: str, count: int, seed: int) -> str:
    rng = random.Random(seed)
    words = text.split()
    for position in rng.sample(range(len(words)), count):
        words[position] = f"changed{rng.randrange(10**6)}"
    return " ".join(words)


def similarity(a: str, b: str) -> float:
    return jaccard(shingle_hashes(a, 5), shingle_hashes(b, 5))


def doc(doc_id: str, text: str, hours: int) -> dict:
    return {"doc_id": doc_id, "url": f"https://example.org/{doc_id}", "fetch_time": T0 + timedelta(hours=hours),
            "text": text, "text_chars": len(text)}


def write_docs(path, rows):
    path.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), path / "part-0.parquet")
    return str(path)


def run(spark, tmp_path, batch, rows, settings=DedupSettings(), prior=()):
    docs = write_docs(tmp_path / "docs" / batch, rows)
    inputs = DedupInputs(batch, docs, [str(tmp_path / "index" / b) for b in prior],
                         {b: str(tmp_path / "kept" / b) for b in prior})
    outputs = DedupOutputs(*(str(tmp_path / kind / batch) for kind in ("kept", "clusters", "index")))
    report = run_dedup(spark, inputs, outputs, settings)
    clusters = {r["doc_id"]: r for r in pq.read_table(outputs.clusters_url).to_pylist()}
    kept = {r["doc_id"] for r in pq.read_table(outputs.kept_url).to_pylist()}
    return report, clusters, kept


@pytest.fixture(scope="module")
def texts():
    base_b, base_c, base_d = random_text(2), random_text(3), random_text(4)
    c2 = substitute(base_c, 6, 31)
    return {
        "a": random_text(1),
        "b": base_b, "b_near": substitute(base_b, 4, 21), "b_far": substitute(base_b, 18, 22),
        "c1": base_c, "c2": c2, "c3": substitute(c2, 6, 32),
        "d": base_d,
    }


def test_crafted_similarities(texts):
    assert similarity(texts["b"], texts["b_near"]) > 0.85
    assert 0.6 < similarity(texts["b"], texts["b_far"]) < 0.75
    assert similarity(texts["c1"], texts["c2"]) > 0.8 and similarity(texts["c2"], texts["c3"]) > 0.8
    assert similarity(texts["c1"], texts["c3"]) < 0.8  # a chain: linked only through c2


@pytest.mark.parametrize("buckets", WHERE_BUCKETS)
def test_one_document_per_cluster_by_the_keep_rule(spark, tmp_path, texts, buckets):
    rows = [
        doc("a", texts["a"], 5),
        doc("a_copy", "  " + texts["a"].upper() + "!", 1),  # same normalized text, fetched earlier
        doc("b", texts["b"], 0), doc("b_near", texts["b_near"], 0), doc("b_far", texts["b_far"], 0),
        doc("c1", texts["c1"], 3), doc("c2", texts["c2"], 1), doc("c3", texts["c3"], 2),
        doc("d", texts["d"], 0),
    ]
    report, clusters, kept = run(spark, tmp_path, "b1", rows, WHERE_BUCKETS[buckets])
    # The earliest fetch wins; between b and b_near (fetched together) the longer text does.
    assert len(texts["b_near"]) > len(texts["b"])
    assert kept == {"a_copy", "b_near", "b_far", "c2", "d"}
    assert (clusters["a"]["duplicate_of"], clusters["a"]["duplicate_kind"]) == ("a_copy", "exact")
    assert (clusters["b"]["duplicate_of"], clusters["b"]["duplicate_kind"]) == ("b_near", "near")
    # The chain c1 - c2 - c3 is one cluster although c1 and c3 are below the threshold.
    assert {clusters[c]["cluster_id"] for c in ("c1", "c2", "c3")} == {"c2"}
    assert all(r["duplicate_of_batch"] in (None, "b1") for r in clusters.values())
    assert clusters["c1"]["cluster_size"] == 3 and clusters["d"]["cluster_size"] == 1
    assert set(clusters) == {r["doc_id"] for r in rows}
    assert all(r["kept"] == (r["doc_id"] in kept) for r in clusters.values())
    assert (report.rows_in, report.kept, report.exact_in_batch, report.near_in_batch) == (9, 5, 1, 3)
    assert report.buckets_on_driver == (buckets == "driver")
    assert report.cluster_sizes == {1: 2, 2: 2, 3: 1}
    assert report.pair_examples and all(p["jaccard"] >= 0.8 for p in report.pair_examples)


def test_verification_removes_lsh_false_positives(spark, tmp_path, texts):
    rows = [doc("b", texts["b"], 0), doc("b_far", texts["b_far"], 1)]
    loose = {"bands": 28, "rows": 4}  # makes a pair at Jaccard 0.65 a candidate almost surely
    report, _, kept = run(spark, tmp_path / "verified", "b1", rows, DedupSettings(**loose))
    assert kept == {"b", "b_far"}
    assert report.candidate_pairs == 1 and report.verified_pairs == 0
    report, clusters, kept = run(spark, tmp_path / "unverified", "b1", rows,
                                 DedupSettings(**loose, verify_candidates=False))
    assert kept == {"b"} and clusters["b_far"]["duplicate_of"] == "b"


@pytest.mark.parametrize("buckets", WHERE_BUCKETS)
def test_later_batches_are_deduplicated_against_the_index(spark, tmp_path, texts, buckets):
    first = [doc("a", texts["a"], 5), doc("d", texts["d"], 5), doc("b", texts["b"], 5)]
    run(spark, tmp_path, "b1", first, WHERE_BUCKETS[buckets])
    second = [
        doc("a", texts["a"], 9),  # the same page crawled again: same doc_id, unchanged text
        doc("d_edit", substitute(texts["d"], 3, 41), 0),  # earlier fetch, but b1's copy is published
        doc("b_near", texts["b_near"], 9), doc("b_near_copy", texts["b_near"].upper(), 10),
        doc("e", random_text(5), 9),
    ]
    report, clusters, kept = run(spark, tmp_path, "b2", second, WHERE_BUCKETS[buckets], prior=["b1"])
    assert kept == {"e"}
    assert (clusters["a"]["duplicate_of"], clusters["a"]["duplicate_of_batch"]) == ("a", "b1")
    assert (clusters["d_edit"]["duplicate_of"], clusters["d_edit"]["duplicate_kind"]) == ("d", "near")
    assert clusters["b_near_copy"]["duplicate_of"] == "b" and clusters["b_near_copy"]["duplicate_kind"] == "exact"
    assert clusters["b_near"]["cluster_size"] == 3  # two copies here plus b1's document
    assert (report.exact_vs_index, report.near_vs_index, report.prior_index_docs) == (2, 2, 3)
    assert report.signature_only_pairs == 0  # b1's texts were read for verification
    index = pq.read_table(tmp_path / "index" / "b2").to_pylist()
    assert [r["doc_id"] for r in index] == ["e"] and index[0]["batch"] == "b2"
