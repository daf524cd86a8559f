"""The ablation table: per stage and held-out set, bits per byte over seeds (mean and spread) and
the difference to `raw_crawl` with a 95% interval.

The interval is a paired bootstrap over held-out documents (each document's bits averaged over
seeds, the same documents for both stages), so it covers evaluation-set noise; the seed spread
is shown beside it. A difference whose interval contains zero is within noise and says so.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

import numpy as np

from flywheel.datasets import RAW_CRAWL
from flywheel.evaluation import paired


def ablation_rows(results: list[dict], iterations: int = 2000) -> list[dict]:
    """One row per (stage, held-out set) over `results` (the runner's result files)."""
    by_stage: dict[str, list[dict]] = defaultdict(list)
    for result in results:
        by_stage[result["stage"]].append(result)
    rows = []
    for stage, runs in by_stage.items():
        for name in runs[0]["heldout"]:
            per_seed = [sum(r["heldout"][name]["bits"]) / sum(r["heldout"][name]["bytes"]) for r in runs]
            row = {"stage": stage, "heldout": name, "seeds": len(runs),
                   "bits_per_byte": round(statistics.fmean(per_seed), 4),
                   "seed_spread": round(max(per_seed) - min(per_seed), 4),
                   "tokens_seen": runs[0]["summary"]["tokens_seen"],
                   "difference": None, "low": None, "high": None, "within_noise": None}
            if stage != RAW_CRAWL and RAW_CRAWL in by_stage:
                interval = paired.ratio_difference(_mean_bits(runs, name), _mean_bits(by_stage[RAW_CRAWL], name),
                                                   runs[0]["heldout"][name]["bytes"], iterations=iterations)
                row.update(difference=round(interval.estimate, 4), low=round(interval.low, 4),
                           high=round(interval.high, 4), within_noise=bool(interval.low <= 0 <= interval.high))
            rows.append(row)
    return rows


def _mean_bits(runs: list[dict], name: str) -> np.ndarray:
    return np.mean([r["heldout"][name]["bits"] for r in runs], axis=0)


def verdicts(rows: list[dict]) -> list[str]:
    """Plain sentences per compared row: lower or higher than raw crawl, or within noise."""
    lines = []
    for row in rows:
        if row["difference"] is None:
            continue
        what = f"{row['stage']} on {row['heldout']}: {row['difference']:+.4f} bits/byte vs {RAW_CRAWL} " \
               f"(95% CI [{row['low']:+.4f}, {row['high']:+.4f}], {row['seeds']} seed(s))"
        if row["within_noise"]:
            lines.append(f"{what}: within noise")
        else:
            lines.append(f"{what}: {'better' if row['difference'] < 0 else 'worse'} than {RAW_CRAWL}")
    return lines


def markdown_table(rows: list[dict], corpora: dict[str, dict]) -> str:
    header = ("| stage | held-out set | bits/byte (mean) | seed spread | vs raw_crawl [95% CI] | "
              "distinct train tokens | repetition |\n|---|---|---|---|---|---|---|\n")
    lines = []
    for row in rows:
        corpus = corpora[row["stage"]]
        difference = (f"{row['difference']:+.4f} [{row['low']:+.4f}, {row['high']:+.4f}]"
                      + (" (noise)" if row["within_noise"] else "")) if row["difference"] is not None else "baseline"
        lines.append(f"| {row['stage']} | {row['heldout']} | {row['bits_per_byte']:.4f} | "
                     f"{row['seed_spread']:.4f} | {difference} | {corpus['train_tokens']:,} | "
                     f"{_times(corpus['repetition'])} |")
    skipped = [f"| {stage} | all | not trained: {corpus['too_small']} | | | {corpus['train_tokens']:,} | "
               f"{_times(corpus['repetition'])} |" for stage, corpus in corpora.items() if corpus["too_small"]]
    return header + "\n".join(lines + skipped)


def _times(repetition: float | None) -> str:
    return "-" if repetition is None or math.isnan(repetition) else f"{repetition:.2f}x"
