"""A circuit breaker per served model: after `failure_threshold` consecutive failures it opens and
the router sends that model nothing for `cooldown_s`, so users stop paying its timeout one by one;
then one trial request goes through (half-open) and its outcome closes or re-opens it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flywheel.serving.settings import BreakerSettings

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"
STATE_VALUES = {CLOSED: 0, HALF_OPEN: 1, OPEN: 2}  # the Prometheus gauge's encoding


class CircuitBreaker:
    def __init__(self, settings: BreakerSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings, self.clock = settings, clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False
        self.times_opened = 0

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def allow(self) -> bool:
        """Whether to send this request; in half-open state only one trial at a time passes."""
        with self._lock:
            state = self._state()
            if state == CLOSED:
                return True
            if state == HALF_OPEN and not self._trial_in_flight:
                self._trial_in_flight = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures, self._opened_at, self._trial_in_flight = 0, None, False

    def record_failure(self) -> None:
        with self._lock:
            was_trial, self._trial_in_flight = self._trial_in_flight, False
            self._failures += 1
            if was_trial or (self._opened_at is None and self._failures >= self.settings.failure_threshold):
                self._opened_at = self.clock()
                self.times_opened += 1

    def _state(self) -> str:
        if self._opened_at is None:
            return CLOSED
        return OPEN if self.clock() - self._opened_at < self.settings.cooldown_s else HALF_OPEN
