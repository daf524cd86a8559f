"""What a preference scorer (the reward model, DPO's implicit reward) has learned, beyond one
held-out accuracy: accuracy by kind of pair, whether it reads the prompt, and whether length
alone explains it.

- **Kind of pair**: `model_vs_model` where the pair's `source` says both answers came from models
  (two plausible answers: the hardest kind); otherwise inferred from the texts (feedback events do
  not say how a rejected answer went wrong): `truncated` (the rejected answer is the start of the
  chosen one), `degraded` (the same words shuffled, or one sentence repeated), `off_topic` (a
  fluent answer to another prompt: every held-out pair's chosen answer is also scored against the
  next prompt's chosen answer), and `other` (spam, answers from other systems, anything else).
- **Prompt swap**: the same answer scored under its own prompt and under another prompt; a scorer
  that reads the prompt scores it higher under its own. Reported as that share.
- **Length-controlled accuracy**: only pairs whose answers are within 20% of each other's length
  (in characters), so a "longer is better" shortcut cannot carry it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from flywheel.evaluation.holdout import normalize
from flywheel.feedback.pairs import MODEL_VS_MODEL
from flywheel.stable_hash import stable_fraction

# Scores of (prompts, answers), one per pair of the two lists.
Scorer = Callable[[Sequence[str], Sequence[str]], list[float]]
KINDS = ("off_topic", "truncated", "degraded", MODEL_VS_MODEL, "other")
LENGTH_TOLERANCE = 0.2
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def pair_kind(chosen: str, rejected: str) -> str:
    """The inferred kind of a pair whose rejected answer is not another prompt's answer."""
    good, bad = normalize(chosen), normalize(rejected)
    if len(bad) < len(good) and good.startswith(bad):
        return "truncated"
    if sorted(good.split()) == sorted(bad.split()):
        return "degraded"
    sentences = [s for s in _SENTENCE.split(bad) if s]
    if len(sentences) >= 3 and max(Counter(sentences).values()) >= 3:
        return "degraded"
    return "other"


def _with_other_prompt(pairs: list[dict]) -> list[tuple[dict, dict]]:
    """Each pair with the pair of the next different prompt in a stable order."""
    order = sorted(pairs, key=lambda p: (stable_fraction(normalize(p["prompt"]), seed=7), p["chosen"]))
    matched = []
    for index, pair in enumerate(order):
        other = next((order[(index + step) % len(order)] for step in range(1, len(order))
                      if normalize(order[(index + step) % len(order)]["prompt"]) != normalize(pair["prompt"])), None)
        if other is not None:
            matched.append((pair, other))
    return matched


def diagnose(score: Scorer, pairs: list[dict]) -> dict:
    """Accuracy by kind, prompt-swap share and length-controlled accuracy on held-out `pairs`
    (`prompt`, `chosen`, `rejected`, and `source` where known)."""
    matched = _with_other_prompt(pairs)
    chosen, rejected, off_topic, swapped = _score_each_once(score, [
        [(p["prompt"], p["chosen"]) for p in pairs],
        [(p["prompt"], p["rejected"]) for p in pairs],
        [(p["prompt"], o["chosen"]) for p, o in matched],
        # The pair's chosen answer under the other pair's prompt (the swap).
        [(o["prompt"], p["chosen"]) for p, o in matched]])
    chosen_of = {id(p): c for p, c in zip(pairs, chosen)}

    outcomes: dict[str, list[bool]] = defaultdict(list)
    length_controlled = []
    for pair, good, bad in zip(pairs, chosen, rejected):
        kind = MODEL_VS_MODEL if pair.get("source") == MODEL_VS_MODEL else pair_kind(pair["chosen"], pair["rejected"])
        outcomes[kind].append(good > bad)
        if abs(len(pair["chosen"]) - len(pair["rejected"])) <= LENGTH_TOLERANCE * max(len(pair["chosen"]),
                                                                                        len(pair["rejected"])):
            length_controlled.append(good > bad)
    for (pair, _), bad in zip(matched, off_topic):
        outcomes["off_topic"].append(chosen_of[id(pair)] > bad)
    own_prompt_higher = [chosen_of[id(pair)] > other for (pair, _), other in zip(matched, swapped)]
    return {
        "by_kind": {kind: {"pairs": len(outcomes[kind]), "accuracy": _share(outcomes[kind])} for kind in KINDS},
        "prompt_swap": {"pairs": len(own_prompt_higher), "own_prompt_higher": _share(own_prompt_higher)},
        "length_controlled": {"pairs": len(length_controlled), "accuracy": _share(length_controlled)},
        "all": {"pairs": len(pairs), "accuracy": _share([g > b for g, b in zip(chosen, rejected)])},
    }


def _score_each_once(score: Scorer, requests: list[list[tuple[str, str]]]) -> list[list[float]]:
    """The scores of each list of (prompt, answer), every distinct one scored once: a prompt's
    chosen answer recurs in its pairs and in the swaps (about a third of all requests)."""
    distinct = list(dict.fromkeys(request for part in requests for request in part))
    scores = dict(zip(distinct, score([prompt for prompt, _ in distinct], [answer for _, answer in distinct])))
    return [[scores[request] for request in part] for part in requests]


def _share(outcomes: list[bool]) -> float | None:
    return round(sum(outcomes) / len(outcomes), 4) if outcomes else None


def diagnostics_rows(result: dict) -> list[dict]:
    """The diagnosis as table rows (view, pairs, accuracy), for metadata and summaries."""
    rows = [{"view": f"kind: {kind}", **values} for kind, values in result["by_kind"].items()]
    rows.append({"view": "length within 20%", **result["length_controlled"]})
    rows.append({"view": "prompt swap: own prompt scores higher", "pairs": result["prompt_swap"]["pairs"],
                 "accuracy": result["prompt_swap"]["own_prompt_higher"]})
    rows.append({"view": "all held-out pairs", **result["all"]})
    return rows
