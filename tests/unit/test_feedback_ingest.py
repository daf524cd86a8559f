"""Exactly-once ingestion of feedback files into the lake."""

import json
import threading

import pytest

from flywheel.datasets import FEEDBACK_EVENTS as EVENTS
from flywheel.datasets import FEEDBACK_EVENTS_REJECTED as REJECTED
from flywheel.feedback.ingest import FeedbackLog
from flywheel.lake import Lake
from flywheel.landing import LandingZone


def event(n: int, **fields) -> str:
    return json.dumps({"event_id": f"e{n}", "ts": f"2026-11-01T10:00:{n % 60:02d}Z", "prompt": f"question {n}",
                       "chosen": f"good answer {n}", "rejected": f"bad answer {n}", **fields})


@pytest.fixture
def landing(tmp_path) -> LandingZone:
    return LandingZone(str(tmp_path / "landing"))


@pytest.fixture
def log(tmp_path) -> FeedbackLog:
    return FeedbackLog(Lake(str(tmp_path / "lake")))


def stored_ids(log: FeedbackLog) -> list[str]:
    return sorted(log.events(["event_id"]).column("event_id").to_pylist())


def test_valid_events_land_and_invalid_lines_are_rejected_with_reasons(landing, log):
    landing.add_feedback_file("a.jsonl", [
        event(1, prompt="mail me at ada@example.com"), "not json", "",
        json.dumps({"event_id": "r1", "ts": 1, "prompt": "p", "response": "r", "rating": 2}),
        event(2), '{"event_id": "e9"}'])
    with landing.fs.open(f"{landing.feedback_root}/b.jsonl", "wb") as handle:
        handle.write(b'{"event_id": "\xff"}\n')
    report = log.ingest(landing.list_feedback_files())
    assert report.events == 2 and report.rejected == 4 and stored_ids(log) == ["e1", "e2"]
    events = {e["event_id"]: e for e in log.events().to_pylist()}
    assert events["e1"]["prompt"] == "mail me at [EMAIL]" and events["e1"]["pii_redactions"] == 1
    assert events["e2"]["source_file"] == "a.jsonl" and events["e2"]["source_line"] == 5
    rejects = {(r["source_file"], r["source_line"]): r["reason"] for r in log.rejects().to_pylist()}
    assert rejects[("a.jsonl", 2)].startswith("not JSON") and "`rating`" in rejects[("a.jsonl", 4)]
    assert "`ts`" in rejects[("a.jsonl", 6)] and rejects[("b.jsonl", 1)] == "not UTF-8" and len(rejects) == 4


def test_the_same_file_delivered_twice_or_renamed_lands_once(landing, log):
    landing.add_feedback_file("a.jsonl", [event(1), event(2), "bad"])
    first = log.ingest(landing.list_feedback_files())
    again = log.ingest(landing.list_feedback_files())
    landing.add_feedback_file("copy-of-a.jsonl", [event(1), event(2), "bad"])
    renamed = log.ingest(landing.list_feedback_files())
    assert first.events == 2 and again.ingest_id is None and again.files_already_ingested == 1
    # The copy is not read again, only recorded in the ledger, so whoever watches the landing zone
    # (the sensor) sees it as handled.
    assert renamed.events == 0 and renamed.files_already_ingested == 2
    assert stored_ids(log) == ["e1", "e2"] and log.rejects().num_rows == 1
    assert sorted(row["name"] for row in log.ledger()) == ["a.jsonl", "copy-of-a.jsonl"]
    assert log.ingest(landing.list_feedback_files()).ingest_id is None  # and nothing happens after that


def test_an_event_repeated_across_files_lands_once(landing, log):
    landing.add_feedback_file("a.jsonl", [event(1), event(2)])
    landing.add_feedback_file("b.jsonl", [event(2), event(3), event(3)])
    report = log.ingest(landing.list_feedback_files())
    assert report.events == 3 and report.duplicates == 2 and stored_ids(log) == ["e1", "e2", "e3"]
    landing.add_feedback_file("c.jsonl", [event(1), event(4)])  # a later re-delivery
    assert log.ingest(landing.list_feedback_files()).duplicates == 1
    assert stored_ids(log) == ["e1", "e2", "e3", "e4"]


def test_a_rewritten_file_adds_only_its_new_events_and_rejects(landing, log):
    path = landing.add_feedback_file("a.jsonl", [event(1), "bad"])
    log.ingest(landing.list_feedback_files())
    landing.fs.rm(path)
    landing.add_feedback_file("a.jsonl", [event(1), "bad", event(2)])
    report = log.ingest(landing.list_feedback_files())
    assert (report.events, report.duplicates) == (1, 1)
    assert stored_ids(log) == ["e1", "e2"] and log.rejects().num_rows == 1


def test_a_file_appearing_during_a_run_lands_exactly_once(landing, log):
    landing.add_feedback_file("a.jsonl", [event(1)])
    files = landing.list_feedback_files()

    def read_and_meanwhile_deliver(url: str) -> bytes:
        landing.add_feedback_file("late.jsonl", [event(1), event(2)])
        with landing.fs.open(url, "rb") as handle:
            return handle.read()

    assert log.ingest(files, read=read_and_meanwhile_deliver).events == 1
    assert log.ingest(landing.list_feedback_files()).events == 1
    assert log.ingest(landing.list_feedback_files()).ingest_id is None
    assert stored_ids(log) == ["e1", "e2"]


def test_concurrent_ingestions_store_each_event_once(landing, log):
    landing.add_feedback_file("a.jsonl", [event(n) for n in range(50)])
    landing.add_feedback_file("b.jsonl", [event(n) for n in range(25, 75)])
    files = landing.list_feedback_files()
    threads = [threading.Thread(target=log.ingest, args=(files,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stored_ids(log) == sorted(f"e{n}" for n in range(75))
    assert len(log.ingest_ids()) == 1


def test_rejects_of_an_ingestion_that_never_committed_are_dropped(landing, log):
    landing.add_feedback_file("a.jsonl", [event(1), "bad"])
    lake = log.lake
    with lake.stage(REJECTED, "20200101T000000000000Z-dead") as staged:  # a run killed between its publishes
        lake.fs.pipe(f"{staged.path}/rejected.parquet", b"")
    lake.publish(staged)
    assert log.rejects().num_rows == 0
    log.ingest(landing.list_feedback_files())
    assert lake.partitions(REJECTED) == log.ingest_ids() == lake.partitions(EVENTS)
    assert log.rejects().num_rows == 1


def test_files_being_written_are_not_listed(landing, tmp_path):
    landing.add_feedback_file("done.jsonl", [event(1)])
    (tmp_path / "landing" / "feedback" / ".incoming-x.jsonl").write_text(event(2))
    (tmp_path / "landing" / "feedback" / "partial.jsonl.tmp").write_text(event(3))
    assert [f.name for f in landing.list_feedback_files()] == ["done.jsonl"]
    with pytest.raises(ValueError):
        landing.add_feedback_file("_hidden.jsonl", [])


def test_ingestions_from_before_a_column_existed_read_with_it_null(landing, log):
    """A lake written before `rejected_model_version` existed: its events read with the column null,
    beside newer events that have it."""
    import pyarrow.parquet as pq

    landing.add_feedback_file("old.jsonl", [event(1)])
    old = log.ingest(landing.list_feedback_files()).ingest_id
    for part in log.lake._parquet_files(EVENTS, old, None):
        with log.lake.fs.open(part, "rb") as handle:
            table = pq.read_table(handle).drop_columns(["rejected_model_version"])
        with log.lake.fs.open(part, "wb") as handle:
            pq.write_table(table, handle)
    landing.add_feedback_file("new.jsonl", [event(2, model_version="m@2", rejected_model_version="m@1")])
    log.ingest(landing.list_feedback_files())
    versions = {e["event_id"]: e["rejected_model_version"] for e in log.events().to_pylist()}
    assert versions == {"e1": None, "e2": "m@1"}
    assert log.events(["event_id", "rejected_model_version"]).num_rows == 2
