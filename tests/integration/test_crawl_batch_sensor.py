"""The crawl batch sensor against a real (temporary) Dagster instance: runs it requested are
created in the instance as the daemon would, so retries follow the instance's real run history."""

import time

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
from dagster._core.execution.backfill import PartitionBackfill
from dagster._core.test_utils import create_run_for_test

from orchestration.definitions import build_definitions
from orchestration.resources import StorageResource
from sensors import crawl_batch_sensor


def tick(instance, storage):
    context = dg.build_sensor_context(instance=instance, resources={"storage": storage})
    return crawl_batch_sensor(context)


def launched(instance, request: dg.RunRequest, status: dg.DagsterRunStatus) -> None:
    """What the daemon does with a run request: a run with the request's run key."""
    create_run_for_test(instance, job_name="curation", status=status,
                        tags={"dagster/run_key": request.run_key, "dagster/partition": request.partition_key})


def add_batch(storage, tmp_path, name: str) -> None:
    source = tmp_path / f"files-{name}"
    source.mkdir()
    (source / "a.jsonl").write_text('{"url": "https://example.org", "text": "hi"}\n')
    storage.landing().add_crawl_batch(str(source), name)


def test_a_new_batch_gives_one_run_and_none_while_it_runs(home, tmp_path):
    storage = StorageResource.for_home(home)
    with dg.instance_for_test() as instance:
        assert tick(instance, storage).skip_reason
        add_batch(storage, tmp_path, "b1")
        (home.landing / "crawl" / ".incoming-b2-x").mkdir()  # still being copied: not a batch yet
        result = tick(instance, storage)
        [request] = result.run_requests
        assert (request.run_key, request.partition_key) == ("crawl_batch:b1", "b1")
        assert result.dynamic_partitions_requests[0].partition_keys == ["b1"]
        instance.add_dynamic_partitions("crawl_batch", ["b1"])
        assert tick(instance, storage).run_requests == [request]  # not launched yet: the same key, deduplicated
        launched(instance, request, dg.DagsterRunStatus.STARTED)
        waiting = tick(instance, storage)
        assert not waiting.run_requests and "waiting for runs of ['b1']" in waiting.skip_reason.skip_message

        add_batch(storage, tmp_path, "b2")
        assert [r.partition_key for r in tick(instance, storage).run_requests] == ["b2"]


def test_a_failed_run_is_retried_then_given_up_with_a_reason(home, tmp_path):
    storage = StorageResource.for_home(home)
    add_batch(storage, tmp_path, "b1")
    with dg.instance_for_test() as instance:
        keys = []
        for _ in range(3):
            [request] = tick(instance, storage).run_requests
            keys.append(request.run_key)
            launched(instance, request, dg.DagsterRunStatus.FAILURE)
        assert keys == ["crawl_batch:b1", "crawl_batch:b1:retry-2", "crawl_batch:b1:retry-3"]
        result = tick(instance, storage)
        assert not result.run_requests and "Gave up on ['b1']" in result.skip_reason.skip_message


def test_batches_a_backfill_or_another_run_is_curating_get_no_second_run(home, tmp_path):
    storage = StorageResource.for_home(home)
    for name in ("backfilled", "from-ui", "not-started", "new"):
        add_batch(storage, tmp_path, name)
    asset_graph = build_definitions(home).resolve_asset_graph()
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("crawl_batch", ["backfilled", "from-ui", "not-started", "new"])
        instance.add_backfill(PartitionBackfill.from_asset_partitions(
            backfill_id="curate-one", asset_graph=asset_graph, partition_names=["backfilled"],
            asset_selection=[dg.AssetKey("raw_crawl"), dg.AssetKey("deduplicated_docs")],
            backfill_timestamp=time.time(), tags={}, dynamic_partitions_store=instance, all_partitions=False,
            title=None, description=None, run_config=None))
        # Launched from the UI's launchpad: no run key, only its partition.
        create_run_for_test(instance, job_name="curation", status=dg.DagsterRunStatus.STARTING,
                            tags={"dagster/partition": "from-ui"})
        # Created but not yet queued or started: it will curate its batch all the same.
        create_run_for_test(instance, job_name="curation", status=dg.DagsterRunStatus.NOT_STARTED,
                            tags={"dagster/partition": "not-started"})
        assert [r.partition_key for r in tick(instance, storage).run_requests] == ["new"]


def test_batch_curated_from_the_cli_is_not_rerun(home, tmp_path):
    storage = StorageResource.for_home(home)
    add_batch(storage, tmp_path, "done")
    lake = storage.lake()
    with lake.stage("deduplicated_docs", "done") as staged:  # the lake holds the batch's curated documents
        pq.write_table(pa.table({"doc_id": ["x"]}), f"{staged.path}/part-0.parquet")
    lake.publish(staged)
    with dg.instance_for_test() as instance:
        result = tick(instance, storage)
        assert result.run_requests == [] and result.skip_reason


def test_sensor_runs_through_the_definitions_job(home):
    defs = build_definitions(home)
    sensor = defs.get_sensor_def("crawl_batch_sensor")
    assert sensor.job_name == "curation"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_its_runs_take_the_run_config_file_the_operator_names(home, tmp_path, monkeypatch):
    storage = StorageResource.for_home(home)
    add_batch(storage, tmp_path, "b1")
    config_file = tmp_path / "curation.yaml"
    config_file.write_text("ops:\n  filtered_docs:\n    config:\n      language: {min_score: 0.8}\n", encoding="utf-8")
    monkeypatch.setenv("FLYWHEEL_CURATION_RUN_CONFIG", str(config_file))
    with dg.instance_for_test() as instance:
        [request] = tick(instance, storage).run_requests
    assert request.run_config == {"ops": {"filtered_docs": {"config": {"language": {"min_score": 0.8}}}}}
    # A config the curation job accepts, as the launchpad would check it.
    dg.validate_run_config(build_definitions(home).resolve_job_def("curation"), request.run_config)
