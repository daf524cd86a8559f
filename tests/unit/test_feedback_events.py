"""Feedback event validation and PII scrubbing."""

import json
from datetime import UTC, datetime

import pytest

from flywheel.feedback.events import COMPARISON, MAX_TEXT_CHARS, RATING, InvalidEvent, parse_event
from flywheel.feedback.pii import scrub


def line(**fields) -> str:
    return json.dumps({"event_id": "e1", "ts": "2026-11-01T10:00:00Z", "prompt": "What is a tuple?", **fields})


def test_comparison_and_rating_events_parse():
    comparison = parse_event(line(chosen=" An immutable sequence. ", rejected="A list.", model_version="v1"))
    assert comparison["kind"] == COMPARISON and comparison["chosen"] == "An immutable sequence."
    assert comparison["ts"] == datetime(2026, 11, 1, 10, tzinfo=UTC) and comparison["model_version"] == "v1"
    rating = parse_event(json.dumps({"event_id": "e2", "ts": 1_793_000_000, "prompt": "p", "response": "r",
                                     "rating": -1, "conversation": [{"role": "user", "content": "hi"}]}))
    assert rating["kind"] == RATING and rating["rating"] == -1 and rating["ts"].tzinfo == UTC
    assert json.loads(rating["conversation"]) == [{"role": "user", "content": "hi"}]
    two_models = parse_event(line(chosen="a", rejected="b", model_version="m@2", rejected_model_version="m@1"))
    assert (two_models["model_version"], two_models["rejected_model_version"]) == ("m@2", "m@1")
    assert comparison["rejected_model_version"] is None
    offset = parse_event(line(ts="2026-11-01T12:00:00+02:00", chosen="a", rejected="b"))
    assert offset["ts"] == datetime(2026, 11, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("text, reason", [
    ('{"event_id": "e1", "prompt": ', "not JSON"),
    ('["a"]', "not a JSON object"),
    (json.dumps({"ts": 1, "prompt": "p", "chosen": "a", "rejected": "b"}), "`event_id`"),
    (json.dumps({"event_id": 7, "ts": 1, "prompt": "p", "chosen": "a", "rejected": "b"}), "`event_id`"),
    (line(ts="yesterday", chosen="a", rejected="b"), "`ts`"),
    (json.dumps({"event_id": "e", "prompt": "p", "chosen": "a", "rejected": "b"}), "`ts`"),
    (line(chosen="a"), "`rejected` missing"),
    (line(chosen="a", rejected=3), "`rejected` is not a string"),
    (line(chosen="  ", rejected="b"), "`chosen` is empty"),
    (line(chosen="x" * (MAX_TEXT_CHARS + 1), rejected="b"), "longer than"),
    (line(response="r", rating=0), "`rating` is not 1 or -1"),
    (line(response="r", rating=True), "`rating` is not 1 or -1"),
    (line(), "neither a comparison"),
    (line(chosen="a", rejected="b", response="r", rating=1), "both comparison and rating"),
    (line(chosen="a", rejected="b", conversation="hi"), "`conversation`"),
    (line(chosen="a", rejected="b", user_id=["u"]), "`user_id`"),
    (line(response="r", rating=1, rejected_model_version="m@1"), "`rejected_model_version` on a rating"),
])
def test_invalid_lines_say_why(text, reason):
    with pytest.raises(InvalidEvent, match=reason):
        parse_event(text)


@pytest.mark.parametrize("text, expected, kinds", [
    ("write to jane.doe@example.com today", "write to [EMAIL] today", {"EMAIL": 1}),
    ("call +1 (212) 555-0147 or 020 7946 0958.", "call [PHONE] or [PHONE].", {"PHONE": 2}),
    ("IBAN DE89 3704 0044 0532 0130 00, thanks", "IBAN [IBAN], thanks", {"IBAN": 1}),
    ("from 203.0.113.7 and 2001:db8::8a2e:370:7334", "from [IP] and [IP]", {"IP": 2}),
    ("card 4111 1111 1111 1111 charged", "card [CARD] charged", {"CARD": 1}),
])
def test_personal_data_is_replaced(text, expected, kinds):
    scrubbed, found = scrub(text)
    assert scrubbed == expected and dict(found) == kinds


@pytest.mark.parametrize("text", [
    "Python 3.11.4 was released in 2023; see PEP 8 and RFC 4122.",
    "pi is about 3.14159265 and 1234 5678 9012 3456 fails the Luhn check",
    "at 10:30:00 run `x = [1, 2, 3]`; 999.1.1.1 is not an address",
    "released 2024-01-15 10:30, version 3.11.4.2, timestamp 1700000000, order #123456789",
])
def test_ordinary_text_and_numbers_survive(text):
    assert scrub(text) == (text, {})
