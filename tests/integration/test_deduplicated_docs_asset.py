"""`deduplicated_docs`, `dedup_clusters` and `minhash_index` through Dagster on the sample batch,
then a second batch deduplicated against the first, and reruns of both."""

import random

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flywheel.dedup.minhash import exact_hash
from flywheel.filtering.pipeline import SETTINGS_FILE
from orchestration.partitions import crawl_batch_partitions
from tests.integration.conftest import SAMPLE_BATCH, materialization_metadata

SECOND_BATCH = "sample-0002"
DEDUP_ASSETS = [dg.AssetKey(name) for name in ("deduplicated_docs", "dedup_clusters", "minhash_index")]


def dedup(defs, instance, batch):
    return defs.resolve_job_def("curation").execute_in_process(
        partition_key=batch, instance=instance, asset_selection=DEDUP_ASSETS)


def clusters_of(lake, batch) -> dict[str, dict]:
    return {r["doc_id"]: r for r in lake.read_partition("dedup_clusters", batch).to_pylist()}


def test_every_filtered_document_is_kept_once_or_points_to_its_kept_copy(curated_sample):
    _, lake, _, result = curated_sample
    filtered = lake.read_partition("filtered_docs", SAMPLE_BATCH).to_pylist()
    kept = lake.read_partition("deduplicated_docs", SAMPLE_BATCH).to_pylist()
    clusters = clusters_of(lake, SAMPLE_BATCH)
    assert set(clusters) == {d["doc_id"] for d in filtered}
    kept_ids = {d["doc_id"] for d in kept}
    assert kept_ids == {d for d, r in clusters.items() if r["kept"]}
    for row in clusters.values():
        assert row["kept"] or (row["duplicate_of"] in kept_ids and row["duplicate_kind"] in ("exact", "near"))
    # No exact duplicate text is left, and the sample's repeated pages were found.
    assert len({exact_hash(d["text"]) for d in kept}) == len(kept) < len(filtered)
    index = lake.read_partition("minhash_index", SAMPLE_BATCH).to_pylist()
    assert {r["doc_id"] for r in index} == kept_ids
    assert all(len(r["signature"]) == 112 and len(r["band_keys"]) == 14 for r in index)

    metadata = materialization_metadata(result, "deduplicated_docs")
    duplicates = sum(metadata[k] for k in ("exact_duplicates_in_batch", "near_duplicates_in_batch",
                                           "exact_duplicates_of_earlier_batches",
                                           "near_duplicates_of_earlier_batches"))
    assert metadata["rows_in"] == len(filtered) == metadata["rows_kept"] + duplicates
    histogram = materialization_metadata(result, "dedup_clusters")["cluster_size_histogram"].records
    assert sum(r.data["clusters"] for r in histogram) == len(kept)
    assert sum(r.data["clusters"] * r.data["cluster_size"] for r in histogram) == len(filtered)


def _second_batch_docs(lake) -> tuple[pa.Table, dict[str, str]]:
    """The sample's filtered documents crawled again: unchanged, lightly edited, or new."""
    rng = random.Random(7)
    rows, expected = [], {}
    for i, row in enumerate(lake.read_partition("deduplicated_docs", SAMPLE_BATCH).drop(["cluster_size"]).to_pylist()):
        kind = ("unchanged", "edited", "new")[i % 3]
        if kind == "edited":
            words = row["text"].split(" ")
            words.insert(rng.randrange(len(words)), "(updated)")
            row["text"] = " ".join(words)
            row["doc_id"] = f"{row['doc_id'][:24]}edited01"
        elif kind == "new":
            words = row["text"].split()
            rng.shuffle(words)  # the same words in another order: no shared 5-grams
            row["text"] = " ".join(words)
            row["doc_id"] = f"{row['doc_id'][:24]}shuffled"
        rows.append(row)
        expected[row["doc_id"]] = kind
    return pa.Table.from_pylist(rows, schema=lake.read_partition("filtered_docs", SAMPLE_BATCH).schema), expected


@pytest.fixture(scope="module")
def second_batch(curated_sample):
    defs, lake, instance, _ = curated_sample
    table, expected = _second_batch_docs(lake)
    with lake.stage("filtered_docs", SECOND_BATCH) as staged:
        pq.write_table(table, f"{staged.path}/part-0.parquet", coerce_timestamps="us")
        lake.fs.copy(f"{lake.partition_path('filtered_docs', SAMPLE_BATCH)}/{SETTINGS_FILE}", staged.path)
    lake.publish(staged)
    instance.add_dynamic_partitions(crawl_batch_partitions.name, [SECOND_BATCH])
    result = dedup(defs, instance, SECOND_BATCH)
    return result, expected


def test_second_batch_is_deduplicated_against_the_first(curated_sample, second_batch):
    _, lake, _, _ = curated_sample
    result, expected = second_batch
    clusters = clusters_of(lake, SECOND_BATCH)
    first_kept = {d["doc_id"] for d in lake.read_partition("deduplicated_docs", SAMPLE_BATCH, ["doc_id"]).to_pylist()}
    for doc_id, kind in expected.items():
        row = clusters[doc_id]
        if kind == "new":
            assert row["kept"], row
        else:
            assert not row["kept"] and row["duplicate_of_batch"] == SAMPLE_BATCH, row
            assert row["duplicate_of"] in first_kept
            assert row["duplicate_kind"] == ("exact" if kind == "unchanged" else "near")
    metadata = materialization_metadata(result, "deduplicated_docs")
    assert metadata["exact_duplicates_of_earlier_batches"] == sum(k == "unchanged" for k in expected.values())
    assert metadata["near_duplicates_of_earlier_batches"] == sum(k == "edited" for k in expected.values())
    index = materialization_metadata(result, "minhash_index")
    assert index["documents_in_index_before"] == len(first_kept)
    assert index["documents_in_index_after"] == len(first_kept) + sum(k == "new" for k in expected.values())


def test_reruns_do_not_turn_a_batch_into_duplicates_of_itself(curated_sample, second_batch):
    defs, lake, instance, _ = curated_sample
    before = {batch: clusters_of(lake, batch) for batch in (SAMPLE_BATCH, SECOND_BATCH)}
    for batch in (SAMPLE_BATCH, SECOND_BATCH):
        assert dedup(defs, instance, batch).success
        assert clusters_of(lake, batch) == before[batch]
    for dataset in ("deduplicated_docs", "dedup_clusters", "minhash_index"):  # superseded versions are collected
        for batch in (SAMPLE_BATCH, SECOND_BATCH):
            folder = f"{lake.dataset_path(dataset)}/{batch}"
            assert len([p for p in lake.fs.ls(folder, detail=True) if p["type"] == "directory"]) <= 2
