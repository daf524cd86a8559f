"""GX asset checks through Dagster: they run with the curation job, and a blocking failure stops
the downstream asset in the same run."""

import dagster as dg

from tests.integration.conftest import SAMPLE_BATCH

INTEGRITY = {"raw_crawl", "filtered_docs", "deduplicated_docs"}


def evaluations(result) -> dict[tuple[str, str], object]:
    return {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}


def test_checks_run_with_the_curation_job_and_pass_on_the_sample(curated_sample):
    _, _, _, result = curated_sample
    checks = evaluations(result)
    assert {(asset, "integrity") for asset in INTEGRITY} | {(asset, "drift") for asset in INTEGRITY} <= set(checks)
    for asset in INTEGRITY:
        integrity = checks[(asset, "integrity")]
        assert integrity.passed and integrity.severity == dg.AssetCheckSeverity.ERROR
        metadata = {k: v.value for k, v in integrity.metadata.items()}
        assert metadata["failed_expectations"] == 0 and metadata["rows_validated"] > 0
        assert all(r.data["passed"] for r in metadata["expectations"].records)
        drift = checks[(asset, "drift")]
        assert drift.passed and drift.severity == dg.AssetCheckSeverity.WARN  # first partition


def test_a_blocking_failure_publishes_nothing_and_stops_downstream(curated_sample):
    defs, lake, instance, _ = curated_sample
    published = {name: lake.current_version(name, SAMPLE_BATCH) for name in ("filtered_docs", "filtered_docs_rejected")}
    rows = lake.row_count("filtered_docs", SAMPLE_BATCH)
    selection = [dg.AssetKey(name) for name in ("filtered_docs", "filtered_docs_rejected", "deduplicated_docs",
                                                "dedup_clusters", "minhash_index")]
    # filtered_docs holds English documents; an integrity suite that demands German must fail and block.
    result = defs.resolve_job_def("curation").execute_in_process(
        partition_key=SAMPLE_BATCH, instance=instance, asset_selection=selection, raise_on_error=False,
        run_config={"ops": {"filtered_docs": {"config": {"integrity": {"languages": ["de"]}}}}})
    assert not result.success
    failed = evaluations(result)[("filtered_docs", "integrity")]
    assert not failed.passed
    assert "expect_column_values_to_be_in_set(language)" in failed.description
    assert not {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    # Write-audit-publish: what failed was never published; every reader, now and later, still
    # resolves the previous version, and the staged one is kept for inspection.
    assert {name: lake.current_version(name, SAMPLE_BATCH) for name in published} == published
    assert lake.row_count("filtered_docs", SAMPLE_BATCH) == rows
    staged = failed.metadata["staged_path"].value.removeprefix("file://")
    assert lake.fs.isdir(staged) and staged != lake.partition_path("filtered_docs", SAMPLE_BATCH)
