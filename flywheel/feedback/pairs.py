"""Preference pairs (`prompt`, `chosen`, `rejected`, `source`) from feedback events, for the
reward model and DPO.

- A comparison is a pair as it stands; its `source` is `model_vs_model` when the event names the
  model versions of both answers (two models', or two samples of one: both plausible answers),
  `comparison` otherwise.
- Ratings of the same prompt make pairs: each response rated +1 against each rated -1 (at most
  `max_pairs_per_prompt`, chosen by a stable hash so the choice does not depend on arrival order).
  A response rated both +1 and -1 is contested and pairs with nothing.
- Pairs are deduplicated on whitespace-normalized text; a pair whose chosen equals its rejected
  teaches nothing and is dropped (counted).
- With a safety check (`unsafe`), a pair whose chosen answer it flags is dropped (counted): a
  flagged answer never becomes what the reward model and DPO learn to prefer.
- The held-out split is a stable hash of the normalized prompt: a prompt's pairs are all on one
  side, and stay there as feedback grows.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from flywheel.evaluation.holdout import normalize
from flywheel.feedback.events import COMPARISON, RATING
from flywheel.feedback.hard_negatives import off_prompt_pairs
from flywheel.stable_hash import in_validation, stable_fraction

PAIR_COLUMNS = ["pair_id", "prompt", "chosen", "rejected", "source", "event_ids"]
MODEL_VS_MODEL = "model_vs_model"


class PairsDigest:
    """A hash of a set of (split, pair_id) that does not depend on their order (a sum of the pairs'
    hashes), so pairs built bucket by bucket are versioned like pairs built at once."""

    def __init__(self) -> None:
        self.total = 0

    def add(self, split: str, pid: str) -> None:
        self.total = (self.total + int.from_bytes(hashlib.sha256(f"{split}:{pid}".encode()).digest()[:16], "big")) \
            % 2**128

    def version(self) -> str:
        return f"{self.total:032x}"[:16]


def pair_id(prompt: str, chosen: str, rejected: str) -> str:
    key = "\x1f".join(normalize(t) for t in (prompt, chosen, rejected))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass
class PreferencePairs:
    train: list[dict] = field(default_factory=list)
    held_out: list[dict] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)  # reason -> count

    def version(self) -> str:
        digest = PairsDigest()
        for split in ("train", "held_out"):
            for row in getattr(self, split):
                digest.add(split, row["pair_id"])
        return digest.version()

    def by_source(self) -> Counter:
        return Counter(row["source"] for row in self.train + self.held_out)


def _rating_pairs(ratings: list[dict], max_pairs_per_prompt: int, dropped: Counter) -> list[dict]:
    by_prompt: dict[str, dict[str, dict]] = defaultdict(dict)  # prompt -> response -> state
    for event in ratings:
        state = by_prompt[normalize(event["prompt"])].setdefault(
            normalize(event["response"]),
            {"prompt": event["prompt"], "response": event["response"], "ratings": set(), "event_ids": []})
        state["ratings"].add(event["rating"])
        state["event_ids"].append(event["event_id"])
    pairs = []
    for responses in by_prompt.values():
        contested = [r for r in responses.values() if len(r["ratings"]) > 1]
        dropped["contested rating (both +1 and -1)"] += len(contested)
        good = [r for r in responses.values() if r["ratings"] == {1}]
        bad = [r for r in responses.values() if r["ratings"] == {-1}]
        candidates = [(g, b) for g in good for b in bad]
        candidates.sort(key=lambda gb: stable_fraction(gb[0]["response"] + "\x1f" + gb[1]["response"]))
        dropped["rating pairs above max_pairs_per_prompt"] += max(0, len(candidates) - max_pairs_per_prompt)
        for g, b in candidates[:max_pairs_per_prompt]:
            pairs.append({"prompt": g["prompt"], "chosen": g["response"], "rejected": b["response"],
                          "source": RATING, "event_ids": sorted(g["event_ids"] + b["event_ids"])})
    return pairs


def _comparison_source(event: dict) -> str:
    both_known = event.get("model_version") and event.get("rejected_model_version")
    return MODEL_VS_MODEL if both_known else COMPARISON


# Which of the texts the safety classifier flags (one call for a whole bucket of texts).
UnsafeCheck = Callable[[list[str]], list[bool]]
UNSAFE_CHOSEN = "chosen answer flagged by the safety classifier"


def build_pairs(events: list[dict], held_out_fraction: float, max_pairs_per_prompt: int = 4,
                unsafe: UnsafeCheck | None = None, off_prompt_share: float = 0.0) -> PreferencePairs:
    """Pairs from events (dicts with the feedback event columns), in event-time order; with
    `off_prompt_share`, the training split gains that share of its prompts as off-prompt hard
    negatives (`hard_negatives.py`)."""
    events = sorted(events, key=lambda e: (e["ts"], e["event_id"]))
    result = PreferencePairs()
    candidates = [{"prompt": e["prompt"], "chosen": e["chosen"], "rejected": e["rejected"],
                   "source": _comparison_source(e), "event_ids": [e["event_id"]]}
                  for e in events if e["kind"] == COMPARISON]
    candidates += _rating_pairs([e for e in events if e["kind"] == RATING], max_pairs_per_prompt, result.dropped)
    chosen = sorted({pair["chosen"] for pair in candidates})
    flagged = {text for text, bad in zip(chosen, unsafe(chosen)) if bad} if unsafe and chosen else set()
    seen: set[str] = set()
    for pair in candidates:
        if normalize(pair["chosen"]) == normalize(pair["rejected"]):
            result.dropped["chosen equals rejected"] += 1
            continue
        if pair["chosen"] in flagged:
            result.dropped[UNSAFE_CHOSEN] += 1
            continue
        pid = pair_id(pair["prompt"], pair["chosen"], pair["rejected"])
        if pid in seen:
            result.dropped["duplicate pair"] += 1
            continue
        seen.add(pid)
        row = {"pair_id": pid, **pair}
        (result.held_out if in_validation(normalize(pair["prompt"]), held_out_fraction) else result.train).append(row)
    for pair in off_prompt_pairs(result.train, off_prompt_share):
        pid = pair_id(pair["prompt"], pair["chosen"], pair["rejected"])
        if pid not in seen:
            seen.add(pid)
            result.train.append({"pair_id": pid, **pair})
    result.dropped = Counter({k: v for k, v in result.dropped.items() if v})
    return result
