"""The crawl batch sensor with a real cursor kept in a real (temporary) Dagster instance."""

import dagster as dg

from orchestration.definitions import build_definitions
from orchestration.resources import StorageResource
from sensors import crawl_batch_sensor


def tick(instance, storage, cursor):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"storage": storage})
    return crawl_batch_sensor(context), context


def test_new_batch_gives_one_run_and_never_again(home, tmp_path):
    storage = StorageResource.for_home(home)
    source = tmp_path / "files"
    source.mkdir()
    (source / "a.jsonl").write_text('{"url": "https://example.org", "text": "hi"}\n')

    with dg.instance_for_test() as instance:
        result, _ = tick(instance, storage, None)
        assert isinstance(result, dg.SkipReason)

        storage.landing().add_crawl_batch(str(source), "b1")
        (home.landing / "crawl" / ".incoming-b2-x").mkdir()  # still being copied: not a batch yet
        result, _ = tick(instance, storage, None)
        assert [(r.run_key, r.partition_key) for r in result.run_requests] == [("crawl_batch:b1", "b1")]
        assert result.dynamic_partitions_requests[0].partition_keys == ["b1"]
        cursor = result.cursor
        instance.add_dynamic_partitions("crawl_batch", ["b1"])  # what the daemon does with the request

        # Same state again: nothing. A restarted daemon builds a new context from the stored cursor.
        again, _ = tick(instance, storage, cursor)
        assert isinstance(again, dg.SkipReason)

        storage.landing().add_crawl_batch(str(source), "b2")
        result, _ = tick(instance, storage, cursor)
        assert [r.partition_key for r in result.run_requests] == ["b2"]


def test_batch_curated_from_the_cli_is_not_rerun(home, tmp_path):
    storage = StorageResource.for_home(home)
    source = tmp_path / "files"
    source.mkdir()
    (source / "a.jsonl").write_text('{"url": "https://example.org", "text": "hi"}\n')
    storage.landing().add_crawl_batch(str(source), "done")
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("crawl_batch", ["done"])
        instance.report_runless_asset_event(dg.AssetMaterialization("raw_crawl", partition="done"))
        result, _ = tick(instance, storage, None)
        assert result.run_requests == [] and "done" in result.cursor


def test_sensor_runs_through_the_definitions_job(home):
    defs = build_definitions(home)
    sensor = defs.get_sensor_def("crawl_batch_sensor")
    assert sensor.job_name == "curation_job"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
