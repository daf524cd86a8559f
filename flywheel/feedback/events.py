"""The feedback event format and its validation.

One JSON object per line. Every event has `event_id` (string) and `ts` (ISO 8601 string or Unix
seconds), and is either
- a comparison: `prompt`, `chosen`, `rejected` (strings), or
- a rating: `prompt`, `response` (strings) and `rating` (1 or -1);
optionally `model_version`, `user_id` (strings) and `conversation` (a list of
`{"role", "content"}` turns that preceded the prompt). A comparison may also say which model
version wrote the rejected answer (`rejected_model_version`; `model_version` is then the chosen
answer's): with both, it is a comparison of two models' answers (or two samples of one).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa

MAX_TEXT_CHARS = 20_000
MAX_ID_CHARS = 256

COMPARISON, RATING = "comparison", "rating"

EVENT_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("ts", pa.timestamp("us", tz="UTC")), ("kind", pa.string()),
    ("prompt", pa.string()), ("chosen", pa.string()), ("rejected", pa.string()),
    ("response", pa.string()), ("rating", pa.int8()), ("model_version", pa.string()),
    ("rejected_model_version", pa.string()), ("user_id", pa.string()),
    ("conversation", pa.string()),  # JSON list of turns
    ("pii_redactions", pa.int32()), ("source_file", pa.string()), ("source_line", pa.int64()),
    ("ingest_id", pa.string()),
])
TEXT_FIELDS = ("prompt", "chosen", "rejected", "response")


class InvalidEvent(ValueError):
    """A line that is not a usable event; the message is the reason recorded for it."""


def _text(row: dict, name: str) -> str:
    value = row.get(name)
    if value is None:
        raise InvalidEvent(f"`{name}` missing")
    if not isinstance(value, str):
        raise InvalidEvent(f"`{name}` is not a string")
    if not value.strip():
        raise InvalidEvent(f"`{name}` is empty")
    if len(value) > MAX_TEXT_CHARS:
        raise InvalidEvent(f"`{name}` longer than {MAX_TEXT_CHARS} characters")
    return value.strip()


def _optional_string(row: dict, name: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_ID_CHARS:
        raise InvalidEvent(f"`{name}` is not a string of at most {MAX_ID_CHARS} characters")
    return value


def _timestamp(value) -> datetime:
    if isinstance(value, bool) or value is None:
        raise InvalidEvent("`ts` missing or not a timestamp")
    try:
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value, tz=UTC)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise InvalidEvent(f"`ts` is not an ISO 8601 time or Unix seconds: {str(value)[:40]!r}")


def _conversation(value) -> str | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(
            isinstance(turn, dict) and isinstance(turn.get("role"), str) and isinstance(turn.get("content"), str)
            for turn in value):
        raise InvalidEvent("`conversation` is not a list of {role, content} strings")
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > 4 * MAX_TEXT_CHARS:
        raise InvalidEvent(f"`conversation` longer than {4 * MAX_TEXT_CHARS} characters")
    return text


def parse_event(line: str) -> dict:
    """The event of one JSONL line, with text stripped and `ts` in UTC; raises InvalidEvent."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        raise InvalidEvent(f"not JSON: {error.msg}") from None
    if not isinstance(row, dict):
        raise InvalidEvent("not a JSON object")
    event_id = row.get("event_id")
    if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > MAX_ID_CHARS:
        raise InvalidEvent(f"`event_id` missing or not a non-empty string of at most {MAX_ID_CHARS} characters")
    event = {"event_id": event_id.strip(), "ts": _timestamp(row.get("ts")), "prompt": _text(row, "prompt"),
             "chosen": None, "rejected": None, "response": None, "rating": None,
             "model_version": _optional_string(row, "model_version"),
             "rejected_model_version": _optional_string(row, "rejected_model_version"),
             "user_id": _optional_string(row, "user_id"),
             "conversation": _conversation(row.get("conversation"))}
    is_comparison, is_rating = "chosen" in row or "rejected" in row, "rating" in row or "response" in row
    if is_comparison == is_rating:
        raise InvalidEvent("neither a comparison (chosen, rejected) nor a rating (response, rating)"
                           if not is_comparison else "both comparison and rating fields")
    if is_comparison:
        event.update(kind=COMPARISON, chosen=_text(row, "chosen"), rejected=_text(row, "rejected"))
    else:
        if event["rejected_model_version"] is not None:
            raise InvalidEvent("`rejected_model_version` on a rating (it names a comparison's other answer)")
        rating = row.get("rating")
        if isinstance(rating, bool) or rating not in (1, -1):
            raise InvalidEvent("`rating` is not 1 or -1")
        event.update(kind=RATING, response=_text(row, "response"), rating=int(rating))
    return event
