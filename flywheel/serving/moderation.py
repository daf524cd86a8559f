"""The moderation hook: a check on what users send and on what the model answers.

A moderator is any object with `check_input(messages)` and `check_output(text)`, each returning a
`ModerationResult`. `ServingSettings.moderation` is `safety` (the default: the published safety
classifier), `module:function` (a factory of your own), or unset (every text passes).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Protocol

from flywheel.safety.classifier import SafetyClassifier

SAFETY = "safety"


@dataclass(frozen=True)
class ModerationResult:
    flagged: bool
    category: str | None = None  # the main reason, for logs
    categories: tuple[str, ...] = ()  # every flagged category
    category_scores: dict[str, float] = field(default_factory=dict)


PASSED = ModerationResult(False)


class Moderator(Protocol):
    def check_input(self, messages: list[dict]) -> ModerationResult: ...

    def check_output(self, text: str) -> ModerationResult: ...


class AllowAll:
    """No moderation configured."""

    def check_input(self, messages: list[dict]) -> ModerationResult:
        return PASSED

    def check_output(self, text: str) -> ModerationResult:
        return PASSED


class SafetyModerator:
    """The safety classifier on the user's last message and on the answer."""

    def __init__(self, classifier: SafetyClassifier) -> None:
        self.classifier = classifier

    def check_input(self, messages: list[dict]) -> ModerationResult:
        return self.check_output(messages[-1]["content"])

    def check_output(self, text: str) -> ModerationResult:
        result = self.classifier.classify([text])[0]
        if not result.flagged:
            return PASSED
        return ModerationResult(True, result.top()[0], tuple(result.flagged_categories()),
                                {c: round(s, 4) for c, s in result.category_scores.items()})


def load_moderator(spec: str | None, safety_classifier=None) -> Moderator:
    """The moderator `spec` names: `safety` (with `safety_classifier()` building the classifier at
    the server's thresholds), a factory `module:function`, or AllowAll."""
    if not spec:
        return AllowAll()
    if spec == SAFETY:
        return SafetyModerator(safety_classifier())
    module_name, _, factory_name = spec.partition(":")
    if not factory_name:
        raise ValueError(f"moderation {spec!r} is neither `safety` nor `module:function`")
    moderator = getattr(importlib.import_module(module_name), factory_name)()
    if not (callable(getattr(moderator, "check_input", None)) and callable(getattr(moderator, "check_output", None))):
        raise TypeError(f"{spec} built {type(moderator).__name__}, which lacks check_input/check_output")
    return moderator
