"""`raw_crawl` materialized through Dagster on the bundled sample batch (real WARC parsing)."""

import dagster as dg
import pytest

from orchestration.definitions import build_definitions
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import StorageResource
from tests.conftest import SAMPLE_BATCH_DIR

BATCH = "sample-0001"
EXPECTED_REJECTS = {
    "document_too_large": 3, "duplicate_record": 2, "empty_document": 2, "invalid_json": 2,
    "malformed_record": 2, "non_html_payload": 2, "http_error_status": 1, "invalid_field_type": 1,
    "missing_field": 1, "truncated_gzip": 1, "undecodable_bytes": 1, "unsupported_file": 1,
}


@pytest.fixture(scope="module")
def materialized(tmp_path_factory):
    from flywheel.home import FlywheelHome

    home = FlywheelHome(tmp_path_factory.mktemp("raw") / "flywheel").ensure()
    storage = StorageResource.for_home(home)
    storage.landing().add_crawl_batch(str(SAMPLE_BATCH_DIR), BATCH)
    defs = build_definitions(home)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(crawl_batch_partitions.name, [BATCH])
        results = [defs.resolve_job_def("curation_job").execute_in_process(
            partition_key=BATCH, instance=instance) for _ in range(2)]
        yield storage.lake(), results


def metadata(result, asset):
    [event] = [e for e in result.get_asset_materialization_events()
               if e.asset_key.to_user_string() == asset]
    return {key: value.value for key, value in event.materialization.metadata.items()}


def test_documents_are_extracted_from_every_format(materialized):
    lake, results = materialized
    docs = lake.read_partition("raw_crawl", BATCH).to_pylist()
    assert len(docs) > 550
    assert {d["source_format"] for d in docs} == {"warc", "wet", "jsonl"}
    assert len({d["doc_id"] for d in docs}) == len(docs)
    for column in ("doc_id", "url", "domain", "fetch_time", "text", "source_file", "content_type"):
        assert column in docs[0]
    tutorial = next(d for d in docs if d["url"].endswith("/tutorial/datastructures.html"))
    assert "list.append" in tutorial["text"] and "<div" not in tutorial["text"]
    assert tutorial["domain"] == "docs.python.org"


def test_every_bad_input_case_is_rejected_with_its_reason(materialized):
    lake, results = materialized
    rejects = lake.read_partition("raw_crawl_rejected", BATCH).to_pylist()
    by_reason = {}
    for row in rejects:
        by_reason[row["reason"]] = by_reason.get(row["reason"], 0) + 1
        assert row["detail"], row
    assert by_reason == EXPECTED_REJECTS
    assert {r["source_file"] for r in rejects if r["reason"] == "truncated_gzip"} == {"truncated-download.warc.gz"}
    assert {r["source_file"] for r in rejects if r["reason"] == "unsupported_file"} == {"README.txt"}


def test_metadata_counts_add_up_and_rerun_is_idempotent(materialized):
    lake, (first, second) = materialized
    docs_meta, rejects_meta = metadata(first, "raw_crawl"), metadata(first, "raw_crawl_rejected")
    assert docs_meta["documents_in"] == docs_meta["documents_out"] + rejects_meta["dagster/row_count"]
    reasons = {r.data["reason"]: r.data["count"] for r in docs_meta["rejects_by_reason"].records}
    assert reasons == EXPECTED_REJECTS
    assert len(docs_meta["preview"].records) == 10
    assert metadata(second, "raw_crawl")["dagster/row_count"] == docs_meta["dagster/row_count"]
    assert lake.read_partition("raw_crawl", BATCH).num_rows == docs_meta["dagster/row_count"]
    assert not any(lake.fs.ls(f"{lake.root}/.staging"))
