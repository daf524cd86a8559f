"""The models a server holds, following the registry: `production`, `canary` when one is live,
and the fallback (the configured model, else the production version the current one replaced).

A watcher re-reads the aliases every `registry_poll_s`. A new version is loaded beside the old one
first; only a version that loaded is switched to (a failed load is logged, counted and retried a
minute later, while the old version keeps serving). The old version then drains: its batcher takes
nothing new and finishes what it accepted. One version serving several aliases is loaded once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flywheel.registry import ModelRef, ModelRegistry
from flywheel.serving.batcher import Batcher
from flywheel.serving.breaker import STATE_VALUES, CircuitBreaker
from flywheel.serving.generation import ChatModel
from flywheel.serving.routing import CANARY, PRODUCTION
from flywheel.serving.settings import FaultInjection, ServingSettings
from flywheel.serving.telemetry import Telemetry

FALLBACK = "fallback"
RETRY_FAILED_LOAD_S = 60.0
log = logging.getLogger("flywheel.serving")


@dataclass
class ServedModel:
    ref: str  # MODEL:VERSION
    model: ChatModel
    batcher: Batcher
    breaker: CircuitBreaker


class LiveModels:
    def __init__(self, registry: ModelRegistry, settings: ServingSettings, telemetry: Telemetry,
                 load: Callable[[str, bool], ChatModel] = ChatModel) -> None:
        self.registry, self.settings, self.telemetry, self._load = registry, settings, telemetry, load
        self._aliases: dict[str, str] = {}  # alias -> ref
        self._models: dict[str, ServedModel] = {}  # ref -> model
        self._canary_percent = 0.0
        self._failed_loads: dict[str, float] = {}  # ref -> when it failed
        self._lock = threading.RLock()
        self._refresh_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="registry-watcher", daemon=True)
        self.swaps = 0
        telemetry.add_live_gauges(self._gauges)

    # Reading.

    def get(self, alias: str) -> ServedModel | None:
        with self._lock:
            ref = self._aliases.get(alias)
            return self._models.get(ref) if ref else None

    def fallback_for(self, alias: str) -> tuple[str, ServedModel] | None:
        """The alias and model that answer when `alias`'s model fails: the canary falls back to
        production, production to the fallback model."""
        backup_alias = PRODUCTION if alias == CANARY else FALLBACK
        with self._lock:
            refs = self._aliases.get(alias), self._aliases.get(backup_alias)
            served = self._models.get(refs[1]) if refs[1] else None
        return None if served is None or refs[0] == refs[1] else (backup_alias, served)

    @property
    def canary_percent(self) -> float:
        with self._lock:
            if CANARY not in self._aliases:
                return 0.0
            return self.settings.canary_percent if self.settings.canary_percent is not None else self._canary_percent

    @property
    def ready(self) -> bool:
        return self.get(PRODUCTION) is not None

    def served(self) -> dict[str, str]:
        with self._lock:
            return dict(self._aliases)

    def set_faults(self, ref: str, faults: FaultInjection) -> None:
        """Change a version's fault injection while it serves (tests, the demo, game days)."""
        self.settings.faults[ref] = faults
        with self._lock:
            if ref in self._models:
                self._models[ref].batcher.faults = faults

    # Following the registry.

    def start(self) -> LiveModels:
        self.refresh()
        self._watcher.start()
        return self

    def refresh(self) -> None:
        """Load what the registry names and switch to it; drain what no alias names any more."""
        with self._refresh_lock:
            wanted = self._wanted_refs()
            for ref in set(wanted.values()) - set(self._models):
                self._load_model(ref)
            with self._lock:
                before = self._aliases
                self._aliases = {alias: ref for alias, ref in wanted.items() if ref in self._models} | {
                    alias: ref for alias, ref in before.items()  # a failed load keeps the old version
                    if alias in wanted and wanted[alias] not in self._models}
                self._canary_percent = self.registry.canary_percent()
                retired = [self._models.pop(ref) for ref in set(self._models) - set(self._aliases.values())]
            for alias, ref in self._aliases.items():
                if before.get(alias) not in (None, ref):
                    log.info("%s switched from %s to %s", alias, before[alias], ref)
                    self.swaps += 1
            for served in retired:
                log.info("draining %s", served.ref)
                threading.Thread(target=served.batcher.close, name=f"drain:{served.ref}", daemon=True).start()

    def close(self, timeout: float | None = None) -> None:
        """Stop watching; finish every accepted request."""
        self._stop.set()
        if self._watcher.is_alive():
            self._watcher.join()
        with self._lock:
            models, self._models, self._aliases = list(self._models.values()), {}, {}
        for served in models:
            served.batcher.close(timeout)

    def _wanted_refs(self) -> dict[str, str]:
        aliases = self.registry.aliases()
        wanted = {alias: str(aliases[alias]) for alias in (PRODUCTION, CANARY) if alias in aliases}
        fallback = (ModelRef.parse(self.settings.fallback_model) if self.settings.fallback_model
                    else self.registry.previous_production())
        if fallback is not None:
            wanted[FALLBACK] = str(fallback)
        return wanted

    def _load_model(self, ref: str) -> None:
        failed_at = self._failed_loads.get(ref)
        if failed_at is not None and time.monotonic() - failed_at < RETRY_FAILED_LOAD_S:
            return
        try:
            model = self._load(self.registry.path_of(ModelRef.parse(ref)), self.settings.quantize_int8)
        except Exception as error:  # a broken export must never take the server down
            log.error("could not load %s, keeping the current version: %s: %s", ref, type(error).__name__, error)
            self.telemetry.model_loads.labels(ref, "failed").inc()
            self._failed_loads[ref] = time.monotonic()
            return
        self._failed_loads.pop(ref, None)
        self.telemetry.model_loads.labels(ref, "ok").inc()
        batcher = Batcher(model, self.settings.batching, self.settings.faults_for(ref),
                          on_batch=self.telemetry.batch_size.labels(ref).observe)
        with self._lock:
            self._models[ref] = ServedModel(ref, model, batcher, CircuitBreaker(self.settings.breaker))
        log.info("loaded %s", ref)

    def _watch(self) -> None:
        while not self._stop.wait(self.settings.registry_poll_s):
            try:
                self.refresh()
            except Exception:  # a half-written registry on shared storage: try again next poll
                log.exception("registry refresh failed")

    def _gauges(self) -> list[dict]:
        with self._lock:
            aliases, models, percent = dict(self._aliases), dict(self._models), self.canary_percent
        return [{"alias": alias, "version": ref, "waiting": models[ref].batcher.waiting,
                 "running": models[ref].batcher.running, "breaker": STATE_VALUES[models[ref].breaker.state],
                 "breaker_opened": models[ref].breaker.times_opened,
                 "traffic_percent": {PRODUCTION: 100.0 - percent, CANARY: percent}.get(alias, 0.0)}
                for alias, ref in aliases.items() if ref in models]
