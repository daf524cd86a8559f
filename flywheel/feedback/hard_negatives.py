"""Hard negatives for the reward model, made from the comparisons themselves: a prompt's chosen
answer against the chosen answer of another prompt — fluent, correct, and wrong for this prompt.

Feedback whose rejected answers are spam or degraded text teaches a reward model "looks like
documentation", not "answers this prompt"; these pairs teach the second. They are added to the
training split only, for a stable-hash share of its prompts, with `source` = `off_prompt`.
"""

from __future__ import annotations

from flywheel.evaluation.holdout import normalize
from flywheel.stable_hash import in_validation, stable_fraction

OFF_PROMPT = "off_prompt"


def off_prompt_pairs(pairs: list[dict], share: float) -> list[dict]:
    """One off-prompt pair for each of a `share` of the prompts in `pairs` (a stable hash of the
    prompt picks them), the other answer taken from the next prompt in a stable order."""
    if share <= 0:
        return []
    first: dict[str, dict] = {}  # normalized prompt -> its first pair
    for pair in pairs:
        first.setdefault(normalize(pair["prompt"]), pair)
    order = sorted(first, key=lambda key: stable_fraction(key, seed=11))
    negatives = []
    for index, key in enumerate(order):
        if len(order) < 2 or not in_validation(key, share, seed=12):
            continue
        pair, other = first[key], first[order[(index + 1) % len(order)]]
        if normalize(other["chosen"]) == normalize(pair["chosen"]):
            continue
        negatives.append({"prompt": pair["prompt"], "chosen": pair["chosen"], "rejected": other["chosen"],
                          "source": OFF_PROMPT, "event_ids": sorted(set(pair["event_ids"] + other["event_ids"]))})
    return negatives
