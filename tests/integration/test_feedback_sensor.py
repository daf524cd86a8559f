"""The feedback sensor with a real cursor kept in a real (temporary) Dagster instance."""

import json

import dagster as dg
import pytest

from flywheel.feedback.ingest import FeedbackLog
from orchestration.definitions import build_definitions
from orchestration.resources import StorageResource
from sensors import feedback_sensor


def tick(instance, storage, cursor):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources={"storage": storage})
    return feedback_sensor(context)


def events(*ids: str) -> list[str]:
    return [json.dumps({"event_id": i, "ts": 1_793_000_000, "prompt": "p", "chosen": f"a {i}", "rejected": "b"})
            for i in ids]


def test_new_files_give_one_run_for_all_of_them_and_never_again(home):
    storage = StorageResource.for_home(home)
    landing = storage.landing()
    with dg.instance_for_test() as instance:
        assert isinstance(tick(instance, storage, None), dg.SkipReason)

        landing.add_feedback_file("a.jsonl", events("1"))
        landing.add_feedback_file("b.jsonl", events("2"))
        (home.landing / "feedback" / "c.jsonl.tmp").write_text(events("3")[0])  # still being written
        result = tick(instance, storage, None)
        [request] = result.run_requests
        assert request.run_key.startswith("feedback:")
        assert tick(instance, storage, None).run_requests[0].run_key == request.run_key  # same files, same key
        cursor = result.cursor

        # A restarted daemon builds a new context from the stored cursor: nothing new, no run.
        again = tick(instance, storage, cursor)
        assert isinstance(again, dg.SkipReason)

        (home.landing / "feedback" / "c.jsonl.tmp").rename(home.landing / "feedback" / "c.jsonl")
        later = tick(instance, storage, cursor)
        [second] = later.run_requests
        assert second.run_key != request.run_key


def test_the_run_selects_feedback_events_and_everything_downstream(home):
    job = build_definitions(home).resolve_job_def(feedback_sensor.job_name)
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == {
        "feedback_events", "reward_data", "reward_model", "aligned_model"}
    assert feedback_sensor.minimum_interval_seconds == 30


def test_a_tick_that_raises_loses_nothing(home, monkeypatch):
    storage = StorageResource.for_home(home)
    storage.landing().add_feedback_file("a.jsonl", events("1"))
    with dg.instance_for_test() as instance:
        def unreachable(self):
            raise OSError("landing folder unreachable")

        with monkeypatch.context() as patch:
            patch.setattr("flywheel.landing.LandingZone.list_feedback_files", unreachable)
            with pytest.raises(Exception, match="unreachable"):
                tick(instance, storage, None)
        # The failed tick stored no cursor, so the next one still sees the file.
        assert len(tick(instance, storage, None).run_requests) == 1


def test_files_already_ingested_by_hand_start_no_run(home):
    storage = StorageResource.for_home(home)
    storage.landing().add_feedback_file("a.jsonl", events("1"))
    FeedbackLog(storage.lake()).ingest(storage.landing().list_feedback_files())
    with dg.instance_for_test() as instance:
        result = tick(instance, storage, None)
        assert not result.run_requests and result.cursor
        assert isinstance(tick(instance, storage, result.cursor), dg.SkipReason)
