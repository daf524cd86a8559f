"""The feedback sensor with a real cursor kept in a real (temporary) Dagster instance."""

import json

import dagster as dg
import pytest
from dagster._core.test_utils import create_run_for_test

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


def launched(instance, request: dg.RunRequest, status: dg.DagsterRunStatus) -> None:
    """What the daemon does with a run request: a run with the request's run key."""
    create_run_for_test(instance, job_name="feedback_loop", status=status, tags={"dagster/run_key": request.run_key})


def test_new_files_give_one_run_for_all_of_them_and_none_while_it_runs(home):
    storage = StorageResource.for_home(home)
    landing = storage.landing()
    with dg.instance_for_test() as instance:
        assert tick(instance, storage, None).skip_reason

        landing.add_feedback_file("a.jsonl", events("1"))
        landing.add_feedback_file("b.jsonl", events("2"))
        (home.landing / "feedback" / "c.jsonl.tmp").write_text(events("3")[0])  # still being written
        result = tick(instance, storage, None)
        [request] = result.run_requests
        assert request.run_key.startswith("feedback:")
        # A restarted daemon, from the stored cursor: the files are not ingested yet, so the same key
        # again (Dagster launches a run key once); while the run is going, no request at all.
        assert tick(instance, storage, result.cursor).run_requests[0].run_key == request.run_key
        launched(instance, request, dg.DagsterRunStatus.STARTED)
        assert "Waiting for run" in tick(instance, storage, result.cursor).skip_reason.skip_message

        # The run ingests the files: only then are they done.
        FeedbackLog(storage.lake()).ingest(landing.list_feedback_files())
        done = tick(instance, storage, result.cursor)
        assert not done.run_requests and json.loads(done.cursor)["watermark"] > 0

        (home.landing / "feedback" / "c.jsonl.tmp").rename(home.landing / "feedback" / "c.jsonl")
        [second] = tick(instance, storage, done.cursor).run_requests
        assert second.run_key != request.run_key


def test_a_failed_run_is_retried_then_given_up_with_a_reason(home):
    storage = StorageResource.for_home(home)
    storage.landing().add_feedback_file("a.jsonl", events("1"))
    with dg.instance_for_test() as instance:
        keys = []
        for _ in range(3):
            [request] = tick(instance, storage, None).run_requests
            keys.append(request.run_key)
            launched(instance, request, dg.DagsterRunStatus.FAILURE)
        assert keys[1:] == [f"{keys[0]}:retry-2", f"{keys[0]}:retry-3"]
        result = tick(instance, storage, None)
        assert not result.run_requests and "Gave up on 1 files after 3 failed runs" in result.skip_reason.skip_message


def test_the_cursor_stays_one_watermark(home):
    storage = StorageResource.for_home(home)
    landing = storage.landing()
    with dg.instance_for_test() as instance:
        cursor = None
        for n in range(30):
            landing.add_feedback_file(f"f{n}.jsonl", events(str(n)))
            FeedbackLog(storage.lake()).ingest(landing.list_feedback_files())
            cursor = tick(instance, storage, cursor).cursor
        assert list(json.loads(cursor)) == ["watermark"] and len(cursor) < 64


def test_the_run_selects_feedback_events_and_everything_downstream(home):
    job = build_definitions(home).resolve_job_def(feedback_sensor.job_name)
    assert {k.to_user_string() for k in job.asset_layer.executable_asset_keys} == {
        "feedback_events", "reward_data", "reward_model", "aligned_model", "evaluation_documents",
        "evaluation_prompts", "evaluation_preferences", "regression_set", "safety_prompts"}
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
        assert not result.run_requests and result.skip_reason and result.cursor
        assert not tick(instance, storage, result.cursor).run_requests


def test_its_runs_take_the_run_config_file_the_operator_names(home, tmp_path, monkeypatch):
    storage = StorageResource.for_home(home)
    storage.landing().add_feedback_file("a.jsonl", events("1"))
    config_file = tmp_path / "feedback_loop.yaml"
    config_file.write_text("ops:\n  reward_model:\n    config: {max_steps: 40}\n", encoding="utf-8")
    with dg.instance_for_test() as instance:
        assert tick(instance, storage, None).run_requests[0].run_config == {}  # unset: the job's defaults
        monkeypatch.setenv("FLYWHEEL_FEEDBACK_LOOP_RUN_CONFIG", str(config_file))
        [request] = tick(instance, storage, None).run_requests
        assert request.run_config == {"ops": {"reward_model": {"config": {"max_steps": 40}}}}
        config_file.write_text("- not a mapping\n", encoding="utf-8")
        with pytest.raises(ValueError, match="FLYWHEEL_FEEDBACK_LOOP_RUN_CONFIG=.*a run config is a mapping"):
            tick(instance, storage, None)
