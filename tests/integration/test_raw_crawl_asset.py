"""`raw_crawl` materialized through Dagster on the bundled sample batch (real WARC parsing)."""

import dagster as dg

from tests.integration.conftest import SAMPLE_BATCH, materialization_metadata

EXPECTED_REJECTS = {
    "document_too_large": 3, "duplicate_record": 2, "empty_document": 2, "invalid_json": 2,
    "malformed_record": 2, "non_html_payload": 2, "http_error_status": 1, "invalid_field_type": 1,
    "missing_field": 1, "truncated_gzip": 1, "undecodable_bytes": 1, "unsupported_file": 1,
}


def test_documents_are_extracted_from_every_format(curated_sample):
    _, lake, _, _ = curated_sample
    docs = lake.read_partition("raw_crawl", SAMPLE_BATCH).to_pylist()
    assert len(docs) > 550
    assert {d["source_format"] for d in docs} == {"warc", "wet", "jsonl"}
    assert len({d["doc_id"] for d in docs}) == len(docs)
    for column in ("doc_id", "url", "domain", "fetch_time", "text", "source_file", "content_type"):
        assert column in docs[0]
    tutorial = next(d for d in docs if d["url"].endswith("/tutorial/datastructures.html"))
    assert "list.append" in tutorial["text"] and "<div" not in tutorial["text"]
    assert tutorial["domain"] == "docs.python.org"


def test_every_bad_input_case_is_rejected_with_its_reason(curated_sample):
    _, lake, _, _ = curated_sample
    rejects = lake.read_partition("raw_crawl_rejected", SAMPLE_BATCH).to_pylist()
    by_reason = {}
    for row in rejects:
        by_reason[row["reason"]] = by_reason.get(row["reason"], 0) + 1
        assert row["detail"], row
    assert by_reason == EXPECTED_REJECTS
    assert {r["source_file"] for r in rejects if r["reason"] == "truncated_gzip"} == {"truncated-download.warc.gz"}
    assert {r["source_file"] for r in rejects if r["reason"] == "unsupported_file"} == {"README.txt"}


def test_metadata_counts_add_up_and_rerun_is_idempotent(curated_sample):
    defs, lake, instance, first = curated_sample
    docs_meta = materialization_metadata(first, "raw_crawl")
    rejects_meta = materialization_metadata(first, "raw_crawl_rejected")
    assert docs_meta["documents_in"] == docs_meta["documents_out"] + rejects_meta["dagster/row_count"]
    reasons = {r.data["reason"]: r.data["count"] for r in docs_meta["rejects_by_reason"].records}
    assert reasons == EXPECTED_REJECTS
    assert len(docs_meta["preview"].records) == 10

    second = defs.resolve_job_def("curation").execute_in_process(
        partition_key=SAMPLE_BATCH, instance=instance,
        asset_selection=[dg.AssetKey("raw_crawl"), dg.AssetKey("raw_crawl_rejected")])
    assert materialization_metadata(second, "raw_crawl")["dagster/row_count"] == docs_meta["dagster/row_count"]
    assert lake.read_partition("raw_crawl", SAMPLE_BATCH).num_rows == docs_meta["dagster/row_count"]
    # The rerun published a new version; the one before is kept for readers still on it, no more.
    for dataset in ("raw_crawl", "raw_crawl_rejected"):
        folder = f"{lake.dataset_path(dataset)}/{SAMPLE_BATCH}"
        assert len([p for p in lake.fs.ls(folder, detail=True) if p["type"] == "directory"]) <= 2
