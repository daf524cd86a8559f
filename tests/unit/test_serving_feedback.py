"""Feedback capture: events in the format ingestion reads, durable before acknowledgement, published
to the landing zone by rename, each answer rated once."""

import json
import time

import pytest

from flywheel.feedback.events import COMPARISON, RATING, parse_event
from flywheel.landing import LandingZone
from flywheel.serving.feedback_capture import (
    FeedbackFlusher,
    MismatchedComparison,
    comparison_event,
    rating_event,
)
from flywheel.serving.response_store import AlreadyRated, ResponseStore, StoredResponse, UnknownResponse
from flywheel.serving.settings import FeedbackSettings

HISTORY = [{"role": "system", "content": "Be brief."}]


def _answer(i, prompt="How do I sort a list?", version="aligned_model:v1", created=None):
    return StoredResponse(f"chatcmpl-{i}", created or time.time(), prompt, f"answer {i}", version, "u1", HISTORY)


def test_events_have_the_ingested_format(tmp_path):
    rating = parse_event(json.dumps(rating_event(_answer(1), -1)))
    assert (rating["kind"], rating["rating"], rating["response"], rating["model_version"]) == (
        RATING, -1, "answer 1", "aligned_model:v1")
    assert json.loads(rating["conversation"]) == HISTORY and rating["event_id"] == "rating-chatcmpl-1"
    comparison = comparison_event(_answer(2, version="aligned_model:v2"), _answer(1), user_id="u9")
    parsed = parse_event(json.dumps(comparison))
    assert (parsed["kind"], parsed["chosen"], parsed["rejected"], parsed["user_id"]) == (
        COMPARISON, "answer 2", "answer 1", "u9")
    assert comparison["event_id"] == comparison_event(_answer(1), _answer(2))["event_id"]  # order-free
    with pytest.raises(MismatchedComparison):
        comparison_event(_answer(1), _answer(2, prompt="Something else"))
    with pytest.raises(MismatchedComparison):
        comparison_event(_answer(1), _answer(1))


def test_unknown_expired_and_repeated_feedback_are_refused(tmp_path):
    store = ResponseStore(tmp_path / "s.sqlite", max_responses=100, ttl_seconds=3600)
    store.add_response(_answer(1))
    store.add_response(_answer(2, created=time.time() - 7200))
    with pytest.raises(UnknownResponse, match="unknown"):
        store.response("chatcmpl-404")
    with pytest.raises(UnknownResponse, match="older"):
        store.response("chatcmpl-2")
    store.add_event(rating_event(store.response("chatcmpl-1"), 1))
    with pytest.raises(AlreadyRated):
        store.add_event(rating_event(store.response("chatcmpl-1"), -1))


def test_the_store_forgets_the_oldest_answers_beyond_its_bound(tmp_path):
    store = ResponseStore(tmp_path / "s.sqlite", max_responses=100, ttl_seconds=3600)
    for i in range(400):
        store.add_response(_answer(i, created=time.time() - 400 + i))
    assert store.counts()["responses"] <= 300  # pruned every 200 inserts down to the newest 100
    with pytest.raises(UnknownResponse):
        store.response("chatcmpl-0")
    store.response("chatcmpl-399")


def test_flusher_publishes_full_files_by_count_and_the_rest_on_close_and_survives_a_restart(tmp_path):
    path, landing = tmp_path / "s.sqlite", LandingZone(str(tmp_path / "landing"))
    settings = FeedbackSettings(flush_events=3, flush_seconds=3600)
    store = ResponseStore(path, 100, 3600)
    for i in range(7):
        store.add_response(_answer(i))
        store.add_event(rating_event(store.response(f"chatcmpl-{i}"), 1))
    flusher = FeedbackFlusher(store, landing, settings)
    assert flusher.flush(everything=False) == 6  # two full files; one event waits
    assert len(landing.list_feedback_files()) == 2
    store.close()  # a crash: the waiting event is committed, so a new server publishes it
    restarted = ResponseStore(path, 100, 3600)
    FeedbackFlusher(restarted, landing, settings).close()
    files = landing.list_feedback_files()
    assert len(files) == 3 and not list((tmp_path / "landing" / "feedback").glob(".*"))
    lines = [line for f in files for line in open(f.url.removeprefix("file://")).read().splitlines()]
    assert sorted(parse_event(line)["event_id"] for line in lines) == sorted(f"rating-chatcmpl-{i}" for i in range(7))
    assert restarted.counts()["pending_feedback"] == 0
