"""What the server measures, in two shapes from one set of calls: Prometheus metrics for dashboards
(`GET /metrics`; names after vLLM's where vLLM has one, prefix `flywheel:`) and per-version
counters for the canary controller (`GET /v1/stats`): requests, failures, fallbacks, p95 latency,
ratings and moderation flags of every version the server has answered with.

Each server owns its own Prometheus registry, so tests can run several in one process.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
TOKEN_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64)
LATENCY_WINDOW = 2000  # recent latencies kept per version for p95
FAILURES = ("error", "timeout", "breaker_open")  # attempt outcomes that count against a version


class VersionStats:
    def __init__(self) -> None:
        self.requests = self.failures = self.fallbacks = self.moderation_flags = 0
        self.thumbs_up = self.thumbs_down = self.flagged_feedback = 0
        self.latencies: deque[float] = deque(maxlen=LATENCY_WINDOW)

    def as_dict(self) -> dict:
        ordered = sorted(self.latencies)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else None
        return {"requests": self.requests, "failures": self.failures, "fallbacks": self.fallbacks,
                "moderation_flags": self.moderation_flags, "thumbs_up": self.thumbs_up,
                "thumbs_down": self.thumbs_down, "flagged_feedback": self.flagged_feedback, "p95_latency_s": p95,
                "latency_samples": len(ordered)}


class Telemetry:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        by_model = ["alias", "version"]
        self.requests = Counter("flywheel:requests", "Requests by outcome and by the model that handled them "
                                "(status: ok, error, timeout, queue_full, breaker_open, moderated).",
                                ["status", *by_model], registry=self.registry)
        self.fallbacks = Counter("flywheel:fallbacks", "Requests answered by the fallback after their model failed.",
                                 ["from_alias", "from_version", "reason"], registry=self.registry)
        self.e2e = Histogram("flywheel:e2e_request_latency_seconds", "Time from arrival to the last token.",
                             by_model, buckets=LATENCY_BUCKETS, registry=self.registry)
        self.ttft = Histogram("flywheel:time_to_first_token_seconds", "Time from arrival to the first token.",
                              by_model, buckets=LATENCY_BUCKETS, registry=self.registry)
        self.itl = Histogram("flywheel:inter_token_latency_seconds", "Time between streamed pieces of an answer.",
                             by_model, buckets=TOKEN_BUCKETS, registry=self.registry)
        self.prompt_tokens = Counter("flywheel:prompt_tokens", "Prompt tokens processed.", by_model,
                                     registry=self.registry)
        self.generation_tokens = Counter("flywheel:generation_tokens", "Tokens generated.", by_model,
                                         registry=self.registry)
        self.batch_size = Histogram("flywheel:batch_size", "Requests decoded together in one batch.", ["version"],
                                    buckets=BATCH_BUCKETS, registry=self.registry)
        self.moderation_blocks = Counter("flywheel:moderation_blocks", "Texts the moderation hook blocked.",
                                         ["stage", "version"], registry=self.registry)
        self.moderation_categories = Counter(
            "flywheel:moderation_categories", "Blocked texts by safety category (a text may have several).",
            ["stage", "category"], registry=self.registry)
        self.ratings = Counter("flywheel:ratings", "User feedback by the version that answered.",
                               ["version", "rating"], registry=self.registry)
        self.flagged_feedback = Counter("flywheel:flagged_feedback", "Answers users rated -1 that the safety "
                                        "classifier flags, by the version that gave them.", ["version"],
                                        registry=self.registry)
        self.model_loads = Counter("flywheel:model_loads", "Model versions loaded (outcome: ok or failed).",
                                   ["version", "outcome"], registry=self.registry)
        self._stats: dict[str, VersionStats] = {}
        self._lock = threading.Lock()

    def add_live_gauges(self, collect: Callable[[], Iterable[dict]]) -> None:
        """Metrics read at scrape time from `collect()`: one dict per live model with alias, version,
        waiting, running, breaker (0 closed, 1 half-open, 2 open), breaker_opened and traffic_percent."""
        self.registry.register(_LiveGauges(collect))

    def stats(self, version: str) -> VersionStats:
        with self._lock:
            return self._stats.setdefault(version, VersionStats())

    def stats_snapshot(self) -> dict[str, dict]:
        with self._lock:
            return {version: stats.as_dict() for version, stats in self._stats.items()}

    def chosen(self, version: str) -> None:
        """A request was routed to `version` (counted once, whoever finally answers it)."""
        with self._lock:
            self._stats.setdefault(version, VersionStats()).requests += 1

    def attempt(self, status: str, alias: str, version: str) -> None:
        self.requests.labels(status, alias, version).inc()
        if status in FAILURES:
            with self._lock:
                self._stats.setdefault(version, VersionStats()).failures += 1

    def failed_over(self, alias: str, version: str, reason: str) -> None:
        self.fallbacks.labels(alias, version, reason).inc()
        with self._lock:
            self._stats.setdefault(version, VersionStats()).fallbacks += 1

    def answered(self, alias: str, version: str, chosen_version: str, latency: float, ttft: float | None,
                 gaps: list[float], prompt_tokens: int, generated_tokens: int) -> None:
        labels = (alias, version)
        self.e2e.labels(*labels).observe(latency)
        if ttft is not None:
            self.ttft.labels(*labels).observe(ttft)
        for gap in gaps:
            self.itl.labels(*labels).observe(gap)
        self.prompt_tokens.labels(*labels).inc(prompt_tokens)
        self.generation_tokens.labels(*labels).inc(generated_tokens)
        with self._lock:  # the latency users of the chosen version saw, fallback included
            self._stats.setdefault(chosen_version, VersionStats()).latencies.append(latency)

    def moderated(self, stage: str, version: str, categories: list[str]) -> None:
        self.moderation_blocks.labels(stage, version).inc()
        for category in categories:
            self.moderation_categories.labels(stage, category).inc()
        with self._lock:
            self._stats.setdefault(version, VersionStats()).moderation_flags += 1

    def rated(self, version: str, rating: str) -> None:
        self.ratings.labels(version, rating).inc()
        with self._lock:
            stats = self._stats.setdefault(version, VersionStats())
            if rating == "up":
                stats.thumbs_up += 1
            elif rating == "down":
                stats.thumbs_down += 1


    def flagged(self, version: str) -> None:
        """A user rated an answer -1 and the safety classifier flags it: a reported harmful answer."""
        self.flagged_feedback.labels(version).inc()
        with self._lock:
            self._stats.setdefault(version, VersionStats()).flagged_feedback += 1


class _LiveGauges:
    def __init__(self, collect: Callable[[], Iterable[dict]]) -> None:
        self._collect = collect

    def collect(self):
        families = {name: GaugeMetricFamily(f"flywheel:{name}", text, labels=["alias", "version"]) for name, text in (
            ("num_requests_waiting", "Requests queued for a model."),
            ("num_requests_running", "Requests being decoded."),
            ("circuit_breaker_state", "0 closed, 1 half-open, 2 open."),
            ("traffic_percent", "Share of users routed to the alias."))}
        opened = CounterMetricFamily("flywheel:circuit_breaker_opened", "Times a model's breaker opened.",
                                     labels=["alias", "version"])
        for model in self._collect():
            labels = [model["alias"], model["version"]]
            opened.add_metric(labels, model["breaker_opened"])
            families["num_requests_waiting"].add_metric(labels, model["waiting"])
            families["num_requests_running"].add_metric(labels, model["running"])
            families["circuit_breaker_state"].add_metric(labels, model["breaker"])
            families["traffic_percent"].add_metric(labels, model["traffic_percent"])
        yield from families.values()
        yield opened
