"""The canary's analysis step (Flagger's loop, run by the orchestrator): given what the live canary
and production did since the canary's share last changed, wait for more traffic, step the share
up, promote the canary, or abort it.

Inputs are the server's per-version counters (`GET /v1/stats`), which only grow; a step's window
is the difference from the counters at the step's start. A server restart resets them, so a
counter smaller than its baseline counts from zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

WAIT, STEP, PROMOTE, ABORT = "wait", "step", "promote", "abort"
COUNTERS = ("requests", "failures", "fallbacks", "moderation_flags", "thumbs_up", "thumbs_down")


class CanaryPolicy(BaseModel):
    min_requests: int = Field(default=50, ge=1, description="Canary requests a step needs before a decision.")
    step_percent: float = Field(default=20.0, gt=0, le=100, description="Share added after a healthy step.")
    max_percent: float = Field(default=50.0, gt=0, le=100,
                               description="A healthy step at this share promotes the canary.")
    max_error_rate: float = Field(default=0.05, ge=0, le=1, description="Failed requests / requests.")
    max_fallback_rate: float = Field(default=0.05, ge=0, le=1, description="Requests the fallback answered.")
    max_p95_latency_ratio: float = Field(default=2.0, gt=0, description="Canary p95 / production p95.")
    min_ratings: int = Field(default=10, ge=1, description="Ratings of each version before thumbs-up rates count.")
    max_thumbs_up_drop: float = Field(default=0.15, ge=0, le=1,
                                      description="How far the canary's thumbs-up rate may fall below production's.")
    max_moderation_flag_increase: float = Field(default=0.02, ge=0, le=1,
                                                description="Canary flag rate minus production's.")


@dataclass(frozen=True)
class Decision:
    action: str
    percent: float  # the share after the decision
    reason: str
    measurements: dict


def window(now: dict | None, baseline: dict | None) -> dict:
    """Counters since `baseline` (zero where the server restarted); p95 over the server's recent window."""
    now, baseline = now or {}, baseline or {}
    restarted = now.get("requests", 0) < baseline.get("requests", 0)
    counts = {name: now.get(name, 0) - (0 if restarted else baseline.get(name, 0)) for name in COUNTERS}
    return {**counts, "p95_latency_s": now.get("p95_latency_s")}


def decide(canary: dict, production: dict, percent: float, policy: CanaryPolicy) -> Decision:
    requests = canary["requests"]
    measured = {"canary": canary, "production": production, "percent": percent}
    # So many failures that the error rate is over the limit whatever the rest of the step does.
    if canary["failures"] > policy.max_error_rate * max(requests, policy.min_requests):
        return Decision(ABORT, 0.0, f"{canary['failures']} failures in {requests} requests: error rate "
                                    f"over {policy.max_error_rate:.0%}", measured)
    if requests < policy.min_requests:
        return Decision(WAIT, percent, f"{requests}/{policy.min_requests} canary requests this step", measured)
    problems = _problems(canary, production, policy)
    if problems:
        return Decision(ABORT, 0.0, "; ".join(problems), measured)
    if percent >= policy.max_percent:
        return Decision(PROMOTE, 100.0, f"healthy over {requests} requests at {percent:g}%", measured)
    after = min(policy.max_percent, percent + policy.step_percent)
    return Decision(STEP, after, f"healthy over {requests} requests at {percent:g}%; stepping to {after:g}%",
                    measured)


def _problems(canary: dict, production: dict, policy: CanaryPolicy) -> list[str]:
    requests = canary["requests"]
    problems = []
    if canary["failures"] / requests > policy.max_error_rate:
        problems.append(f"error rate {canary['failures'] / requests:.1%} > {policy.max_error_rate:.0%}")
    if canary["fallbacks"] / requests > policy.max_fallback_rate:
        problems.append(f"fallback rate {canary['fallbacks'] / requests:.1%} > {policy.max_fallback_rate:.0%}")
    if canary["p95_latency_s"] and production.get("p95_latency_s") and (
            canary["p95_latency_s"] > policy.max_p95_latency_ratio * production["p95_latency_s"]):
        problems.append(f"p95 latency {canary['p95_latency_s']:.3f}s > {policy.max_p95_latency_ratio:g}x "
                        f"production's {production['p95_latency_s']:.3f}s")
    canary_up, production_up = _thumbs_up_rate(canary, policy), _thumbs_up_rate(production, policy)
    if canary_up is not None and production_up is not None and canary_up < production_up - policy.max_thumbs_up_drop:
        problems.append(f"thumbs-up rate {canary_up:.0%} vs production's {production_up:.0%}")
    production_requests = max(production.get("requests", 0), 1)
    flag_increase = canary["moderation_flags"] / requests - production.get("moderation_flags", 0) / production_requests
    if flag_increase > policy.max_moderation_flag_increase:
        problems.append(f"moderation flag rate {flag_increase:+.1%} over production's")
    return problems


def _thumbs_up_rate(stats: dict, policy: CanaryPolicy) -> float | None:
    ratings = stats.get("thumbs_up", 0) + stats.get("thumbs_down", 0)
    return stats["thumbs_up"] / ratings if ratings >= policy.min_ratings else None
