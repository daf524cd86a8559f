"""A backfill of several `crawl_batch` partitions of the curation chain, as the UI launches it:
an asset backfill in the instance, advanced by the backfill daemon's and the run queue daemon's
own iterations, its runs launched in their own processes against the code location
`orchestration.definitions`."""

import logging
import shutil
import time

import dagster as dg
import pytest
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
from dagster._core.test_utils import create_test_daemon_workspace_context
from dagster._core.workspace.load_target import ModuleTarget
from dagster._daemon.backfill import execute_backfill_iteration
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import QueuedRunCoordinatorDaemon

from flywheel.home import FlywheelHome
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import StorageResource
from tests.conftest import REPO_ROOT, SAMPLE_BATCH_DIR, with_safety_classifier

pytestmark = [pytest.mark.spark, pytest.mark.slow]
CHAIN = ["raw_crawl", "raw_crawl_rejected", "filtered_docs", "filtered_docs_rejected", "deduplicated_docs",
         "dedup_clusters", "minhash_index"]
BATCHES = ["batch-a", "batch-b"]
# A part of the sample (multilingual pages, spam, a defective and a truncated file): the daemons'
# work is what is tested, not throughput; the whole sample tripled the test's time.
BATCH_FILES = ("debian-reference.warc.gz", "spam-pages.warc.gz", "defective-lines.jsonl.gz",
               "truncated-download.warc.gz")


def test_backfill_of_two_batches_curates_both_and_dedups_across_them(tmp_path, monkeypatch, trained_safety):
    home = with_safety_classifier(FlywheelHome(tmp_path / "flywheel").ensure(), trained_safety)
    monkeypatch.setenv("FLYWHEEL_HOME", str(home.root))  # read by the code location's processes
    landing = StorageResource.for_home(home).landing()
    source = tmp_path / "crawl"
    source.mkdir()
    for name in BATCH_FILES:
        shutil.copy(SAMPLE_BATCH_DIR / name, source / name)
    for batch in BATCHES:  # the same crawl twice: the second batch is all duplicates of the first
        landing.add_crawl_batch(str(source), batch)
    target = ModuleTarget(module_name="orchestration.definitions", attribute=None,
                          working_directory=str(REPO_ROOT), location_name="flywheel")
    # As the instance of `make ui`: queued runs, one deduplication at a time (pool).
    with dg.instance_for_test(overrides={"concurrency": {"pools": {"default_limit": 1}}}) as instance, \
            create_test_daemon_workspace_context(target, instance) as workspace:
        instance.add_dynamic_partitions(crawl_batch_partitions.name, BATCHES)
        backfill = PartitionBackfill.from_asset_partitions(
            backfill_id="curation-backfill", asset_graph=workspace.create_request_context().asset_graph,
            partition_names=BATCHES, asset_selection=[dg.AssetKey(a) for a in CHAIN],
            backfill_timestamp=time.time(), tags={}, dynamic_partitions_store=instance, all_partitions=False,
            title="curate two batches", description=None, run_config=None)
        instance.add_backfill(backfill)
        queue = QueuedRunCoordinatorDaemon(interval_seconds=1)
        deadline = time.monotonic() + 600
        while instance.get_backfill("curation-backfill").status == BulkActionStatus.REQUESTED:
            assert time.monotonic() < deadline, "backfill did not finish in 10 minutes"
            list(execute_backfill_iteration(workspace, logging.getLogger("backfill")))
            list(queue.run_iteration(workspace))
            time.sleep(2)
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": "curation-backfill"}))
        failures = [event.dagster_event.step_failure_data.error.to_string() for run in runs
                    for event in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)]
        assert instance.get_backfill("curation-backfill").status == BulkActionStatus.COMPLETED_SUCCESS, failures
        assert sorted(r.tags["dagster/partition"] for r in runs) == BATCHES  # one run per batch
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        for asset in CHAIN:
            assert instance.get_materialized_partitions(dg.AssetKey(asset)) == set(BATCHES)

    lake = StorageResource.for_home(home).lake()
    kept = {b: lake.row_count("deduplicated_docs", b) for b in BATCHES}
    filtered = lake.row_count("filtered_docs", BATCHES[0])
    # Whichever batch ran first keeps the documents; the other finds them all in its index.
    assert min(kept.values()) == 0 and 0 < max(kept.values()) <= filtered
