"""The server's parts, wired once: registry-following models, telemetry, the answer store with its
feedback outbox and flusher, moderation, and the answerer that uses them. `start()` loads the
models and starts the background threads; `stop()` drains the models (every accepted request is
answered) and then publishes every acknowledged feedback event."""

from __future__ import annotations

import logging
from functools import cached_property

import torch

from flywheel.home import FlywheelHome
from flywheel.landing import LandingZone
from flywheel.registry import ModelRegistry
from flywheel.safety.classifier import SafetyClassifier
from flywheel.safety.published import load_current
from flywheel.serving.answering import Answerer
from flywheel.serving.feedback_capture import FeedbackFlusher
from flywheel.serving.live_models import LiveModels
from flywheel.serving.moderation import load_moderator
from flywheel.serving.response_store import ResponseStore
from flywheel.serving.settings import ServingSettings
from flywheel.serving.telemetry import Telemetry
from flywheel.versioned_store import VersionedStore

log = logging.getLogger("flywheel.serving")


class Server:
    def __init__(self, settings: ServingSettings, home: FlywheelHome) -> None:
        self.settings, self.home = settings, home
        self.telemetry = Telemetry()
        self.registry = ModelRegistry(VersionedStore(str(home.models)), settings.family)
        self.live = LiveModels(self.registry, settings, self.telemetry)
        self.store = ResponseStore(home.serving / "responses.sqlite", settings.feedback.max_responses,
                                   settings.feedback.response_ttl_hours * 3600)
        self.flusher = FeedbackFlusher(self.store, LandingZone(str(home.landing)), settings.feedback)
        self.answerer = Answerer(self.live, self.telemetry, self.store, settings.request_deadline_s,
                                 load_moderator(settings.moderation, lambda: self.safety_classifier))

    @cached_property
    def safety_classifier(self) -> SafetyClassifier:
        """The published safety classifier (moderation and `/v1/moderations`), loaded once."""
        return load_current(VersionedStore(str(self.home.models))).with_thresholds(self.settings.safety_thresholds)

    def start(self) -> None:
        if self.settings.threads:
            torch.set_num_threads(self.settings.threads)
        self.flusher.flush()  # what a crashed predecessor acknowledged but never published
        self.flusher.start()
        self.live.start()
        if not self.live.ready:
            log.warning("the registry has no loadable production model yet; /ready says 503 until it has")

    def stop(self) -> None:
        self.live.close()
        self.flusher.close()
        self.store.close()
        log.info("stopped: %d feedback files published", self.flusher.files_published)
