"""The evaluation's plots: each metric's candidate-minus-production difference with its paired
95% interval, and the judge's per-prompt score differences."""

from __future__ import annotations

import dagster as dg

from flywheel.evaluation.scorecard import Scorecard
from orchestration import plots


def scorecard_plot(card: Scorecard, judge_differences: list[float]) -> dg.MarkdownMetadataValue:
    fig = plots.figure()
    fig.set_size_inches(8, 3.4)
    compared = [r for r in card.rows if r.difference is not None and r.low is not None]
    left = fig.add_subplot(1, 2, 1)
    if compared:
        names = [r.metric for r in compared]
        left.errorbar([r.difference for r in compared], range(len(compared)),
                      xerr=[[r.difference - r.low for r in compared], [r.high - r.difference for r in compared]],
                      fmt="o", capsize=3)
        left.set_yticks(range(len(compared)), names, fontsize=7)
        left.axvline(0, color="grey", linestyle=":", linewidth=1)
        left.set_xlabel("candidate - production (95% paired CI)")
    else:
        single = [r for r in card.rows if r.candidate is not None]
        left.barh(range(len(single)), [r.candidate for r in single])
        left.set_yticks(range(len(single)), [r.metric for r in single], fontsize=7)
        left.set_xlabel("candidate (no production to compare)")
    left.set_title(card.candidate, fontsize=8)
    right = fig.add_subplot(1, 2, 2)
    if judge_differences:
        right.hist(judge_differences, bins=20)
        right.axvline(0, color="grey", linestyle=":", linewidth=1)
        right.set_xlabel("judge score: candidate - production")
        right.set_title("per prompt", fontsize=8)
    else:
        right.text(0.5, 0.5, "no judge comparison", ha="center", va="center")
        right.set_axis_off()
    return plots.as_markdown(fig)


def ablation_plot(results: list[dict]) -> dg.MarkdownMetadataValue:
    """Bits per byte of every run by stage, one panel per held-out set (one dot per seed)."""
    fig = plots.figure()
    fig.set_size_inches(8, 3.2)
    stages = list(dict.fromkeys(r["stage"] for r in results))
    names = list(results[0]["heldout"]) if results else []
    for panel, name in enumerate(names, start=1):
        axes = fig.add_subplot(1, len(names), panel)
        for position, stage in enumerate(stages):
            values = [sum(r["heldout"][name]["bits"]) / sum(r["heldout"][name]["bytes"])
                      for r in results if r["stage"] == stage]
            axes.plot([position] * len(values), values, "o", alpha=0.7)
            axes.hlines(sum(values) / len(values), position - 0.3, position + 0.3, color="black")
        axes.set_xticks(range(len(stages)), [s.replace("_", "\n") for s in stages], fontsize=6)
        axes.set_ylabel("bits per byte (lower is better)", fontsize=7)
        axes.set_title(name, fontsize=8)
    return plots.as_markdown(fig)
