"""Users' ratings as feedback events, and their publication to `landing/feedback/`.

Events have exactly the format `feedback_events` ingests (`flywheel.feedback.events`) and are
validated by the same parser before they are accepted, so nothing the server acknowledges is
quarantined later. The flusher publishes the outbox as files renamed into place: every
`flush_events` events, `flush_seconds` after the oldest waiting one, and on shutdown.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime

from flywheel.feedback.events import parse_event
from flywheel.landing import LandingZone
from flywheel.serving.response_store import ResponseStore, StoredResponse
from flywheel.serving.settings import FeedbackSettings


class MismatchedComparison(ValueError):
    """The two answers of a comparison do not answer the same conversation."""


def _base(response: StoredResponse, user_id: str | None) -> dict:
    event = {"ts": datetime.now(UTC).isoformat(), "prompt": response.prompt,
             "model_version": response.model_version, "user_id": user_id or response.user_id}
    if response.conversation:
        event["conversation"] = response.conversation
    return event


def rating_event(response: StoredResponse, rating: int, user_id: str | None = None) -> dict:
    event = {"event_id": f"rating-{response.id}", **_base(response, user_id), "response": response.answer,
             "rating": rating}
    parse_event(json.dumps(event))
    return event


def comparison_event(chosen: StoredResponse, rejected: StoredResponse, user_id: str | None = None) -> dict:
    """`model_version` is the preferred answer's version; `rejected_model_version` the other's."""
    if chosen.id == rejected.id:
        raise MismatchedComparison("a comparison needs two different answers")
    if (chosen.prompt, chosen.conversation) != (rejected.prompt, rejected.conversation):
        raise MismatchedComparison(f"answers {chosen.id} and {rejected.id} answer different conversations")
    first, second = sorted((chosen.id, rejected.id))
    event = {"event_id": f"comparison-{first}-{second}", **_base(chosen, user_id), "chosen": chosen.answer,
             "rejected": rejected.answer, "rejected_model_version": rejected.model_version}
    parse_event(json.dumps(event))
    return event


class FeedbackFlusher:
    def __init__(self, store: ResponseStore, landing: LandingZone, settings: FeedbackSettings) -> None:
        self.store, self.landing, self.settings = store, landing, settings
        self.files_published = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="feedback-flusher", daemon=True)

    def start(self) -> FeedbackFlusher:
        self._thread.start()
        return self

    def flush(self, everything: bool = True) -> int:
        """Publish waiting events, `flush_events` a file; only full files unless `everything`.
        Returns the number of events published."""
        published = 0
        with self._lock:
            while True:
                pending = self.store.pending_events(self.settings.flush_events)
                due = pending and (everything or len(pending) >= self.settings.flush_events
                                   or time.time() - pending[0][2] >= self.settings.flush_seconds)
                if not due:
                    return published
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
                self.landing.add_feedback_file(f"serve-{stamp}-{uuid.uuid4().hex[:8]}.jsonl",
                                               [line for _, line, _ in pending])
                self.store.mark_published([event_id for event_id, _, _ in pending])
                self.files_published += 1
                published += len(pending)

    def close(self) -> None:
        """Stop the timer and publish everything acknowledged."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.flush()

    def _loop(self) -> None:
        while not self._stop.wait(min(1.0, self.settings.flush_seconds / 2)):
            self.flush(everything=False)
