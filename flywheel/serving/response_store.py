"""The server's memory, one SQLite file: the answers it gave (so a later rating can name its
prompt, answer and model version by the completion id) and the feedback outbox.

Feedback is durable before it is acknowledged: `POST /v1/feedback` answers only after its event is
committed here (WAL, synchronous=FULL). A flusher publishes outbox events to `landing/feedback/`
later; a crash between publishing and marking publishes them again, which ingestion absorbs
because the event id is fixed by what was rated (`rating-<id>`, `comparison-<id>-<id>`). The same
fixed id makes a second rating of one answer a conflict.

Bounded: answers older than the TTL, and beyond `max_responses`, are forgotten.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    id TEXT PRIMARY KEY, created REAL NOT NULL, prompt TEXT NOT NULL, answer TEXT NOT NULL,
    model_version TEXT NOT NULL, user_id TEXT, conversation TEXT);
CREATE INDEX IF NOT EXISTS responses_created ON responses (created);
CREATE TABLE IF NOT EXISTS outbox (
    event_id TEXT PRIMARY KEY, created REAL NOT NULL, line TEXT NOT NULL, published INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (published, created);
"""
PRUNE_EVERY = 200  # inserts between prunes


class UnknownResponse(LookupError):
    """No answer with that id (never given, or forgotten)."""


class AlreadyRated(ValueError):
    """This answer (or this pair) already has its feedback."""


@dataclass(frozen=True)
class StoredResponse:
    id: str
    created: float
    prompt: str
    answer: str
    model_version: str
    user_id: str | None
    conversation: list[dict] | None


class ResponseStore:
    def __init__(self, path: Path, max_responses: int, ttl_seconds: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.max_responses, self.ttl_seconds = max_responses, ttl_seconds
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._inserts = 0

    def add_response(self, response: StoredResponse) -> None:
        with self._lock:
            self._db.execute("INSERT INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)", (
                response.id, response.created, response.prompt, response.answer, response.model_version,
                response.user_id, json.dumps(response.conversation) if response.conversation else None))
            self._inserts += 1
            if self._inserts % PRUNE_EVERY == 0:
                self._prune()

    def response(self, response_id: str, now: float | None = None) -> StoredResponse:
        with self._lock:
            row = self._db.execute("SELECT * FROM responses WHERE id = ?", (response_id,)).fetchone()
        if row is None:
            raise UnknownResponse(f"no answer with id {response_id!r} (unknown, or older than the server keeps)")
        stored = StoredResponse(*row[:6], json.loads(row[6]) if row[6] else None)
        if (now or time.time()) - stored.created > self.ttl_seconds:
            raise UnknownResponse(f"answer {response_id!r} is older than {self.ttl_seconds / 3600:g} hours "
                                  "and can no longer be rated")
        return stored

    def add_event(self, event: dict) -> None:
        """Commit one feedback event to the outbox; AlreadyRated if its id is there already."""
        with self._lock:
            try:
                self._db.execute("INSERT INTO outbox (event_id, created, line) VALUES (?, ?, ?)",
                                 (event["event_id"], time.time(), json.dumps(event, ensure_ascii=False)))
            except sqlite3.IntegrityError:
                raise AlreadyRated(f"feedback {event['event_id']!r} was already given") from None

    def pending_events(self, limit: int) -> list[tuple[str, str, float]]:
        """(event id, JSON line, created) of unpublished events, oldest first."""
        with self._lock:
            return self._db.execute("SELECT event_id, line, created FROM outbox WHERE published = 0 "
                                    "ORDER BY created LIMIT ?", (limit,)).fetchall()

    def mark_published(self, event_ids: list[str]) -> None:
        with self._lock:
            self._db.executemany("UPDATE outbox SET published = 1 WHERE event_id = ?", [(e,) for e in event_ids])

    def counts(self) -> dict[str, int]:
        with self._lock:
            responses = self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]
            pending = self._db.execute("SELECT COUNT(*) FROM outbox WHERE published = 0").fetchone()[0]
        return {"responses": responses, "pending_feedback": pending}

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _prune(self) -> None:
        cutoff = time.time() - self.ttl_seconds
        self._db.execute("DELETE FROM responses WHERE created < ?", (cutoff,))
        self._db.execute("DELETE FROM responses WHERE id IN (SELECT id FROM responses ORDER BY created DESC "
                         "LIMIT -1 OFFSET ?)", (self.max_responses,))
        # A published event's answer is gone past the TTL, so its id can no longer come back.
        self._db.execute("DELETE FROM outbox WHERE published = 1 AND created < ?", (cutoff,))
