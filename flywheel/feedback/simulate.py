"""Feedback events that look like what a serving system sends, built from real text: the chosen
answer is a real reference answer (the bundled Python-docs instruction pairs) and the rejected one
is real low-quality text (spam messages) or a degraded version of a real answer (an answer to a
different question, cut off, word-shuffled, stuck repeating itself, or subtly wrong: one fact
changed). A subtly wrong answer is what a second sample of the same model looks like, so those
comparisons name the model version of both answers (`rejected_model_version`), as the server's
comparisons of two answers do. Used for the bundled sample and `flywheel feedback simulate`.
"""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flywheel.bundled import BUNDLED_INSTRUCTIONS, SPAM_HOLDOUT
from flywheel.feedback.subtle_errors import subtly_wrong

SUBTLY_WRONG = "subtly_wrong"
DEGRADATIONS = ("off_topic", "truncated", "shuffled", "repetitive", "spam", SUBTLY_WRONG)
RATING_SHARE = 0.25  # of events that come as a +1/-1 rating pair instead of a comparison
PII_SHARE = 0.08  # of prompts where the user typed contact details (scrubbed at ingestion)
_CONTACTS = ("reach me at {name}@example.com", "my number is +1 (212) 555-01{n:02d}",
             "I'm on 203.0.113.{n}", "card 4111 1111 1111 1111 was charged")


def load_sources(instructions: Path = BUNDLED_INSTRUCTIONS, spam: Path = SPAM_HOLDOUT) -> tuple[list[dict], list[str]]:
    """(prompt/response pairs, spam texts) from the bundled files."""
    pairs = [json.loads(line) for line in instructions.read_text(encoding="utf-8").splitlines() if line.strip()]
    with gzip.open(spam, "rt", encoding="utf-8") as handle:
        texts = [row["text"] for row in map(json.loads, handle) if row["label"] == "spam"]
    return pairs, texts


def degrade(answer: str, how: str, rng: random.Random, other_answer: str, spam_text: str) -> str:
    words = answer.split()
    if how == "off_topic":
        return other_answer
    if how == SUBTLY_WRONG:
        # An answer with nothing to get wrong is cut off instead.
        return subtly_wrong(answer, rng) or degrade(answer, "truncated", rng, other_answer, spam_text)
    if how == "truncated":
        return " ".join(words[: max(2, len(words) // 4)])
    if how == "shuffled":
        rng.shuffle(words)
        return " ".join(words)
    if how == "repetitive":
        first = answer.split(". ")[0].rstrip(".")
        return ". ".join([first] * 4) + "."
    return " ".join(spam_text.split()[: max(8, len(words))])


def simulate_events(count: int, seed: int, id_prefix: str, start: datetime | None = None,
                    sources: tuple[list[dict], list[str]] | None = None,
                    degradations: tuple[str, ...] = DEGRADATIONS) -> list[dict]:
    """About `count` events (a rating pair adds two), with ids `<id_prefix>-<n>` and times one
    second apart from `start`; rejected answers degraded in one of `degradations` ways each."""
    pairs, spam = sources or load_sources()
    rng = random.Random(seed)
    start = start or datetime(2026, 11, 1, tzinfo=UTC)
    model_version = f"sft_model@{id_prefix}"
    events: list[dict] = []
    while len(events) < count:
        item, other = rng.sample(pairs, 2)
        prompt = item["prompt"]
        if rng.random() < PII_SHARE:
            contact = rng.choice(_CONTACTS).format(name=rng.choice(["ada", "grace", "linus"]),
                                                   n=rng.randrange(100), m=rng.randrange(10_000))
            prompt = f"{prompt} ({contact})"
        how = rng.choice(degradations)
        rejected = degrade(item["response"], how, rng, other["response"], rng.choice(spam))
        common = {"model_version": model_version, "user_id": f"user-{rng.randrange(50):03d}"}

        def event(**fields) -> dict:
            ts = (start + timedelta(seconds=len(events))).isoformat().replace("+00:00", "Z")
            return {"event_id": f"{id_prefix}-{len(events):06d}", "ts": ts, "prompt": prompt, **fields, **common}

        if rng.random() < RATING_SHARE:
            events.append(event(response=item["response"], rating=1))
            events.append(event(response=rejected, rating=-1))
        elif how == SUBTLY_WRONG:
            events.append(event(chosen=item["response"], rejected=rejected, rejected_model_version=model_version))
        else:
            events.append(event(chosen=item["response"], rejected=rejected))
    return events
