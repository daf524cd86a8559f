"""What `flywheel serve` can be told: one typed settings object, laptop defaults, every knob that
matters on a real deployment (batching, canary share, deadlines, breaker, quantization, moderation,
feedback flushing) as config. Loaded from a YAML/JSON file (`flywheel serve --config F`) or built
in code by tests and the demo."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from flywheel.safety.settings import CategoryThresholds


class FaultInjection(BaseModel):
    """Deliberate failures of one model version, for tests, the demo and game days."""

    error_rate: float = Field(default=0.0, ge=0.0, le=1.0, description="Share of requests that raise an error.")
    added_latency_s: float = Field(default=0.0, ge=0.0, description="Seconds added before every batch.")
    seed: int | None = Field(default=None, description="Seeds which requests fail, for a reproducible run.")


class BreakerSettings(BaseModel):
    failure_threshold: int = Field(default=5, ge=1,
                                   description="Consecutive failures (errors or missed deadlines) that open it.")
    cooldown_s: float = Field(default=30.0, gt=0,
                              description="Seconds an open breaker sends no traffic before one trial request.")


class BatchingSettings(BaseModel):
    max_batch_size: int = Field(default=16, ge=1, description="1 turns batching off: one generate call a request.")
    max_wait_ms: float = Field(default=10.0, ge=0.0,
                               description="How long the first request of a batch waits for company.")
    max_queue: int = Field(default=256, ge=1,
                           description="Requests waiting per model; beyond it the server answers 503 + Retry-After.")


class FeedbackSettings(BaseModel):
    flush_events: int = Field(default=50, ge=1, description="Publish a feedback file after this many events...")
    flush_seconds: float = Field(default=5.0, gt=0, description="...or this many seconds after the oldest one.")
    max_responses: int = Field(default=100_000, ge=100,
                               description="Answers kept for rating; the oldest are forgotten first.")
    response_ttl_hours: float = Field(default=72.0, gt=0, description="An answer older than this can't be rated.")


class ServingSettings(BaseModel):
    host: str = Field(default="127.0.0.1", description="Bind address; loopback unless told otherwise.")
    port: int = Field(default=8000, ge=0, le=65535)
    family: str = Field(default="chat_model", description="Registry family whose aliases are served.")
    canary_percent: float | None = Field(
        default=None, ge=0.0, le=100.0,
        description="Share of users sent to `canary`. Unset: the share the registry records for the canary "
                    "(set by `flywheel models canary` and stepped by the `canary_rollout` sensor).")
    fallback_model: str | None = Field(
        default=None, description="MODEL:VERSION answering when the chosen model fails; unset: the production "
                                  "version that the current one replaced (or production, for the canary).")
    request_deadline_s: float = Field(default=30.0, gt=0,
                                      description="A model that has not answered by then is failed over.")
    max_tokens_limit: int = Field(default=256, ge=1, description="Largest `max_tokens` a request may ask for.")
    registry_poll_s: float = Field(default=2.0, gt=0, description="How often the registry's aliases are re-read.")
    quantize_int8: bool = Field(default=False,
                                description="Serve with torch's int8 dynamic quantization of Linear layers (CPU).")
    threads: int | None = Field(default=None, ge=1, description="torch threads; unset: torch's default.")
    moderation: str | None = Field(
        default="safety", description="`safety`: the published safety classifier checks inputs and answers; "
                                      "`module:factory`: your own moderator (see flywheel.serving.moderation); "
                                      "unset: everything passes.")
    safety_thresholds: CategoryThresholds = Field(
        default=CategoryThresholds(), description="Per-category flag thresholds of the `safety` moderator "
                                                  "(null: that category never blocks).")
    batching: BatchingSettings = BatchingSettings()
    breaker: BreakerSettings = BreakerSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    faults: dict[str, FaultInjection] = Field(
        default_factory=dict, description="Fault injection by served version (`MODEL:VERSION` or a bare version).")

    @classmethod
    def from_file(cls, path: Path) -> ServingSettings:
        text = path.read_text()
        if path.suffix in (".yaml", ".yml"):
            import yaml

            return cls.model_validate(yaml.safe_load(text) or {})
        return cls.model_validate(json.loads(text))

    def faults_for(self, ref: str) -> FaultInjection:
        version = ref.partition(":")[2]
        return self.faults.get(ref) or self.faults.get(version) or FaultInjection()
