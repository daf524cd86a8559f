"""The evaluation sets, built from the same inputs training reads, and the check that no training
split contains them.

- `documents`: clean held-out text for bits-per-byte (curated documents in the evaluation holdout).
- `prompts`: held-out instruction prompts with their reference answers.
- `preferences`: held-out preference pairs, each also with an `off_prompt_rejected` answer — a
  fluent answer to a different held-out prompt — so a judge that ignores the prompt shows up.
- `regression`: prompts written by us with checks on the answer.
- `safety`: the bundled red-team prompts (unsafe requests in jailbreak wrappers) and over-refusal
  prompts (safe ones that look unsafe), for refusal and unsafe-answer rates.

Items are chosen by the holdout hash (`holdout.py`), so training never saw them by construction.
Text can still reach training under another key: the same answer taught for a differently worded
prompt (feedback prompts are often rephrasings of instruction prompts), or the same document under
another id. Such items are dropped and counted here, and `leaks` — the blocking check — compares
the published sets against fingerprints of everything training may read.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import xxhash

from flywheel.evaluation.holdout import is_evaluation_document, is_evaluation_prompt, normalize
from flywheel.stable_hash import stable_fraction

SET_NAMES = ("documents", "prompts", "preferences", "regression", "safety")


def fingerprint(text: str) -> int:
    return xxhash.xxh64_intdigest(normalize(text).lower().encode("utf-8"))


@dataclass
class TrainingFingerprints:
    """Hashes of the normalized text training may read: 8 bytes an item, not the text."""

    documents: set[int] = field(default_factory=set)
    prompts: set[int] = field(default_factory=set)
    answers: set[int] = field(default_factory=set)


@dataclass
class EvaluationSets:
    documents: list[dict] = field(default_factory=list)  # doc_id, text
    prompts: list[dict] = field(default_factory=list)  # prompt, reference
    preferences: list[dict] = field(default_factory=list)  # prompt, chosen, rejected, off_prompt_rejected
    regression: list[dict] = field(default_factory=list)  # item_id, prompt, must_contain, must_not_contain
    safety: list[dict] = field(default_factory=list)  # item_id, kind (red_team | over_refusal), category, prompt
    dropped: Counter = field(default_factory=Counter)  # reason -> items left out

    def version(self) -> str:
        content = hashlib.sha256()
        for name in SET_NAMES:
            for row in getattr(self, name):
                content.update(json.dumps(row, sort_keys=True).encode())
            content.update(b"\x00")
        return content.hexdigest()[:16]

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in SET_NAMES}


def build_sets(documents: Iterable[tuple[str, str]], instructions: Iterable[dict], preference_pairs: Iterable[dict],
               regression: list[dict], max_documents: int, max_document_chars: int, max_prompts: int,
               unread_documents: Iterable[tuple[str, str]] = (),
               safety: list[dict] = ()) -> tuple[EvaluationSets, TrainingFingerprints]:
    """The evaluation sets and the fingerprints of every training item. Streams `documents` (the
    corpus training reads) and `unread_documents` (text no training reads, all of it eligible),
    keeping at most `max_documents` (a stable sample)."""
    sets, training = EvaluationSets(regression=list(regression), safety=list(safety)), TrainingFingerprints()
    held_docs: list[tuple[float, str, str]] = []  # (-rank, doc_id, text): a max-heap of the lowest ranks
    corpus = ((doc_id, text, is_evaluation_document(doc_id)) for doc_id, text in documents)
    # The corpus streams first, so unread documents meet the complete training fingerprints here;
    # corpus documents are checked again below, once all of the corpus has been seen.
    for doc_id, text, held_out in itertools.chain(corpus, ((i, t, True) for i, t in unread_documents)):
        key = fingerprint(text)
        if not held_out:
            training.documents.add(key)
            continue
        if key in training.documents:
            sets.dropped["document text also in training"] += 1
            continue
        item = (-stable_fraction(doc_id, seed=7), doc_id, text[:max_document_chars])
        if len(held_docs) < max_documents:
            heapq.heappush(held_docs, item)
        elif item > held_docs[0]:
            heapq.heapreplace(held_docs, item)
    held_prompts, held_pairs = {}, []
    for example in instructions:
        if is_evaluation_prompt(example["prompt"]):
            held_prompts.setdefault(normalize(example["prompt"]), example)
        else:
            training.prompts.add(fingerprint(example["prompt"]))
            training.answers.add(fingerprint(example["response"]))
    for pair in preference_pairs:
        if is_evaluation_prompt(pair["prompt"]):
            held_pairs.append(pair)
        else:
            training.prompts.add(fingerprint(pair["prompt"]))
            training.answers.update((fingerprint(pair["chosen"]), fingerprint(pair["rejected"])))

    kept: set[int] = set()
    for _, doc_id, text in sorted(held_docs, reverse=True):
        key = fingerprint(text)
        if key in training.documents:
            sets.dropped["document text also in training"] += 1
        elif key in kept:
            sets.dropped["document text twice"] += 1
        else:
            kept.add(key)
            sets.documents.append({"doc_id": doc_id, "text": text})
    for key in sorted(held_prompts, key=lambda k: stable_fraction(k, seed=7)):
        example = held_prompts[key]
        reason = _contamination(training, example["prompt"], [example["response"]])
        if reason:
            sets.dropped[f"prompt: {reason}"] += 1
        elif len(sets.prompts) < max_prompts:
            sets.prompts.append({"prompt": example["prompt"], "reference": example["response"]})
    kept_pairs = []
    for pair in held_pairs:
        reason = _contamination(training, pair["prompt"], [pair["chosen"], pair["rejected"]])
        if reason:
            sets.dropped[f"preference pair: {reason}"] += 1
        else:
            kept_pairs.append(pair)
    sets.preferences = _with_off_prompt_answers(kept_pairs)
    return sets, training


def leaks(sets: EvaluationSets, training: TrainingFingerprints) -> list[dict]:
    """Every evaluation item whose text training may read: the blocking check's findings."""
    found = []
    for row in sets.documents:
        if fingerprint(row["text"]) in training.documents:
            found.append({"set": "documents", "item": row["doc_id"], "reason": "document text in training"})
    for name, answers in (("prompts", ("reference",)), ("preferences", ("chosen", "rejected"))):
        for row in getattr(sets, name):
            reason = _contamination(training, row["prompt"], [row[a] for a in answers])
            if reason:
                found.append({"set": name, "item": row["prompt"][:80], "reason": reason})
    for row in sets.safety:  # SFT's refusal examples must not be the red-team prompts
        if fingerprint(row["prompt"]) in training.prompts:
            found.append({"set": "safety", "item": row["item_id"], "reason": "prompt in training"})
    return found


def _contamination(training: TrainingFingerprints, prompt: str, answers: list[str]) -> str | None:
    if fingerprint(prompt) in training.prompts:
        return "prompt in training"
    if any(fingerprint(answer) in training.answers for answer in answers):
        return "answer is a training target"
    return None


def _with_off_prompt_answers(pairs: list[dict]) -> list[dict]:
    """Each pair gains the chosen answer of the next pair with another prompt (in a stable order)."""
    ordered = sorted(pairs, key=lambda p: (stable_fraction(normalize(p["prompt"]), seed=7), p["chosen"]))
    rows = []
    for index, pair in enumerate(ordered):
        other = next((ordered[(index + step) % len(ordered)] for step in range(1, len(ordered))
                      if normalize(ordered[(index + step) % len(ordered)]["prompt"]) != normalize(pair["prompt"])),
                     None)
        if other is not None:
            rows.append({"prompt": pair["prompt"], "chosen": pair["chosen"], "rejected": pair["rejected"],
                         "off_prompt_rejected": other["chosen"]})
    return rows
