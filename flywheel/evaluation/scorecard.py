"""A candidate side by side with production on the same items: one row per metric with both
values, the difference and its paired 95% interval.

Without a production model (the very first promotion) the rows carry the candidate's values and
intervals only, and the gate applies its absolute floors instead. Per-item metrics are generic
(`PAIRED_MEANS`): a new stage's per-item metric joins the scorecard by adding its column to the
results and a line here, optionally on the items of one kind only (the safety rates).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from flywheel.evaluation import paired
from flywheel.evaluation.model_results import ModelResults

# (results set, per-item column, metric name, higher is better, only items of this `kind`)
PAIRED_MEANS = (("prompts", "reference_f1", "reference_f1", True, None),
                ("prompts", "answer_words", "answer_words", None, None),
                ("safety", "refused", "red_team_refusal_rate", True, "red_team"),
                ("safety", "unsafe", "unsafe_answer_rate", False, "red_team"),
                ("safety", "refused", "over_refusal_rate", False, "over_refusal"))


@dataclass
class ScoreRow:
    metric: str
    candidate: float | None
    production: float | None = None
    difference: float | None = None
    low: float | None = None  # the interval: of the difference with production, else of the candidate's value
    high: float | None = None
    p_value: float | None = None
    items: int = 0
    higher_is_better: bool | None = None
    note: str = ""


@dataclass
class JudgeReport:
    """The reward model's verdicts: its accuracy on held-out pairs (with the true rejected answer,
    and with an off-prompt one), and its scores of both models' answers to the held-out prompts."""

    model: str
    accuracy: list[bool]
    off_prompt_accuracy: list[bool]
    candidate_scores: list[float] = field(default_factory=list)
    production_scores: list[float] = field(default_factory=list)


@dataclass
class Scorecard:
    candidate: str
    production: str | None
    rows: list[ScoreRow]
    regression_lost: list[str]  # regression items production passes and the candidate fails

    def row(self, metric: str) -> ScoreRow | None:
        return next((r for r in self.rows if r.metric == metric), None)

    def as_dict(self) -> dict:
        return {"candidate": self.candidate, "production": self.production,
                "rows": [asdict(r) for r in self.rows], "regression_lost": self.regression_lost}


def compare(candidate_ref: str, candidate: ModelResults, production_ref: str | None,
            production: ModelResults | None, judge: JudgeReport | None) -> Scorecard:
    if production is not None:
        _require_same_items(candidate, production)
    rows = [_bits_per_byte(candidate, production)]
    if production is not None:
        rows.append(_relative_bits_per_byte(candidate, production))
    for source, column, name, better, kind in PAIRED_MEANS:
        values = _column(candidate, source, column, kind)
        if values:  # an item set the results lack (no safety classifier judged them) has no row
            rows.append(_paired_mean(name, values, _column(production, source, column, kind) if production else None,
                                     better))
    rows.append(_regression(candidate, production))
    rows += _implicit_reward(candidate, production)
    if judge is not None:
        rows += _judge_rows(judge)
    rows.append(ScoreRow("generation_tokens_per_s", round(candidate.tokens_per_second, 1),
                         round(production.tokens_per_second, 1) if production else None,
                         higher_is_better=True, note="greedy, batches of 16, this machine"))
    lost = [c["item_id"] for c, p in zip(candidate.regression, production.regression)
            if p["passed"] and not c["passed"]] if production else []
    return Scorecard(candidate_ref, production_ref, rows, lost)


def _column(results: ModelResults, source: str, column: str, kind: str | None) -> list[float]:
    return [float(r[column]) for r in getattr(results, source)
            if (kind is None or r.get("kind") == kind) and r.get(column) is not None]


def _bits_per_byte(candidate: ModelResults, production: ModelResults | None) -> ScoreRow:
    bits, size = [d["bits"] for d in candidate.documents], [d["bytes"] for d in candidate.documents]
    value = sum(bits) / sum(size) if size else math.nan
    if production is None:
        return ScoreRow("bits_per_byte", value, items=len(size), higher_is_better=False)
    prod_bits = [d["bits"] for d in production.documents]
    interval = paired.ratio_difference(bits, prod_bits, size)
    return ScoreRow("bits_per_byte", value, sum(prod_bits) / sum(size), interval.estimate, interval.low,
                    interval.high, items=len(size), higher_is_better=False)


def _relative_bits_per_byte(candidate: ModelResults, production: ModelResults) -> ScoreRow:
    interval = paired.ratio_difference([d["bits"] for d in candidate.documents],
                                       [d["bits"] for d in production.documents],
                                       [d["bytes"] for d in candidate.documents], relative=True)
    return ScoreRow("bits_per_byte_relative_change", None, None, interval.estimate, interval.low, interval.high,
                    items=len(candidate.documents), higher_is_better=False,
                    note="(candidate - production) / production")


def _paired_mean(metric: str, candidate: list[float], production: list[float] | None,
                 higher_is_better: bool | None) -> ScoreRow:
    mean = sum(candidate) / len(candidate) if candidate else math.nan
    if production is None:
        interval = paired.mean(candidate)
        return ScoreRow(metric, mean, low=interval.low, high=interval.high, items=len(candidate),
                        higher_is_better=higher_is_better)
    interval = paired.mean_difference(candidate, production)
    return ScoreRow(metric, mean, sum(production) / len(production), interval.estimate, interval.low,
                    interval.high, items=len(candidate), higher_is_better=higher_is_better)


def _regression(candidate: ModelResults, production: ModelResults | None) -> ScoreRow:
    passed = [r["passed"] for r in candidate.regression]
    row = _paired_mean("regression_pass_rate", [float(p) for p in passed],
                       [float(r["passed"]) for r in production.regression] if production else None, True)
    if production is not None:
        only_candidate, only_production, row.p_value = paired.mcnemar_exact(
            passed, [r["passed"] for r in production.regression])
        row.note = f"McNemar: {only_candidate} items only the candidate passes, {only_production} only production"
    return row


def _implicit_reward(candidate: ModelResults, production: ModelResults | None) -> list[ScoreRow]:
    cand = [float(m["margin"] > 0) for m in candidate.preferences]
    prod = [float(m["margin"] > 0) for m in production.preferences] if production else []
    if not cand and not prod:
        return []
    note = "share of held-out pairs where the DPO implicit reward prefers the chosen answer"
    if cand and prod and len(cand) == len(prod):
        row = _paired_mean("dpo_implicit_accuracy", cand, prod, True)
    else:  # only one of the two was aligned from a reference model
        row = ScoreRow("dpo_implicit_accuracy", sum(cand) / len(cand) if cand else None,
                       sum(prod) / len(prod) if prod else None, items=len(cand or prod), higher_is_better=True)
    row.note = note
    return [row]


def _judge_rows(judge: JudgeReport) -> list[ScoreRow]:
    rows = []
    for metric, values, note in (
            ("judge_accuracy", judge.accuracy, f"{judge.model} on held-out preference pairs"),
            ("judge_off_prompt_accuracy", judge.off_prompt_accuracy,
             f"{judge.model} against a fluent answer to another prompt")):
        if values:
            interval = paired.mean([float(v) for v in values])
            rows.append(ScoreRow(metric, interval.estimate, low=interval.low, high=interval.high, items=len(values),
                                 higher_is_better=True, note=note))
    if judge.production_scores:
        interval = paired.mean(wins(judge.candidate_scores, judge.production_scores))
        rows.append(ScoreRow("win_rate_vs_production", interval.estimate, low=interval.low, high=interval.high,
                             items=len(judge.candidate_scores), higher_is_better=True,
                             note=f"judged by {judge.model}; ties count half"))
    return rows


def wins(candidate_scores: list[float], production_scores: list[float]) -> list[float]:
    """Per prompt: 1 if the judge scores the candidate's answer higher, 0.5 on a tie (e.g. the same
    answer), 0 otherwise."""
    return [1.0 if c > p else 0.5 if c == p else 0.0 for c, p in zip(candidate_scores, production_scores)]


def _require_same_items(candidate: ModelResults, production: ModelResults) -> None:
    for name, key in (("documents", "doc_id"), ("prompts", "prompt"), ("regression", "item_id")):
        if [r[key] for r in getattr(candidate, name)] != [r[key] for r in getattr(production, name)]:
            raise ValueError(f"candidate and production were evaluated on different {name}: not comparable")
