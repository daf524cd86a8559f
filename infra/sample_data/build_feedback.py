"""Build the bundled feedback sample `flywheel/bundled/sample/feedback/feedback-sample.jsonl`.

    .venv/bin/python infra/sample_data/build_feedback.py

Events are made by `flywheel.feedback.simulate` from real text: chosen answers are the bundled
Python-docs answers, rejected ones are real spam (SpamAssassin) or degraded real answers (an
answer to another question, cut off, word-shuffled, repetitive); then a block of feedback on two
samples of one model, where the rejected one is subtly wrong (one fact changed). Some prompts carry contact
details (example.com emails, 555-01xx phone numbers, TEST-NET IPs, a test card number) so the demo
shows PII scrubbing; a few events are repeated (a serving system's retry); and the last lines are
deliberately invalid, one per kind of reject, so the demo shows the rejected table.
Deterministic: the same inputs give a byte-identical file.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from flywheel.feedback.simulate import DEGRADATIONS, SUBTLY_WRONG, simulate_events

OUT = Path("flywheel/bundled/sample/feedback/feedback-sample.jsonl")
EVENTS = 800
TWO_SAMPLE_EVENTS = 120

INVALID_LINES = [
    '{"event_id": "sample-bad-1", "ts": "2026-11-01T01:00:00Z", "prompt": "What is a tuple?", '
    '"chosen": "An immutable sequence."',
    json.dumps({"event_id": "sample-bad-2", "ts": "2026-11-01T01:00:01Z", "prompt": "What is a list?",
                "chosen": "A mutable sequence."}),
    json.dumps({"event_id": "sample-bad-3", "ts": "2026-11-01T01:00:02Z", "prompt": "What is a set?",
                "response": "An unordered collection of distinct hashable objects.", "rating": 5}),
    json.dumps({"event_id": "sample-bad-4", "ts": "2026-11-01T01:00:03Z", "prompt": "   ",
                "chosen": "A mapping.", "rejected": "A list."}),
    json.dumps({"event_id": "sample-bad-5", "ts": "yesterday", "prompt": "What is a dict?",
                "chosen": "A mapping.", "rejected": "A list."}),
    json.dumps({"event_id": "sample-bad-6", "ts": "2026-11-01T01:00:05Z", "prompt": "Say more.",
                "chosen": "more " * 5000, "rejected": "less"}),
    json.dumps(["not", "an", "object"]),
]


def main() -> None:
    events = simulate_events(EVENTS, seed=0, id_prefix="sample",
                             degradations=tuple(d for d in DEGRADATIONS if d != SUBTLY_WRONG))
    events += simulate_events(TWO_SAMPLE_EVENTS, seed=1, id_prefix="sample-two-samples",
                              start=datetime(2026, 11, 2, tzinfo=UTC), degradations=(SUBTLY_WRONG,))
    lines = [json.dumps(e, ensure_ascii=False) for e in events]
    lines += lines[100:105]  # a retry re-sent five events: stored once
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines + INVALID_LINES) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} events and {len(INVALID_LINES)} invalid lines to {OUT}")


if __name__ == "__main__":
    main()
