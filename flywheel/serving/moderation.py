"""The moderation hook: a check on what users send and on what the model answers.

A moderator is any object with `check_input(messages)` and `check_output(text)`, each returning a
`ModerationResult`. `ServingSettings.moderation` names a factory as `module:function`; the safety
stage plugs its classifier in here. With nothing configured every text passes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class ModerationResult:
    flagged: bool
    category: str | None = None
    score: float | None = None


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


def load_moderator(spec: str | None) -> Moderator:
    """The moderator the factory `module:function` builds, or AllowAll."""
    if not spec:
        return AllowAll()
    module_name, _, factory_name = spec.partition(":")
    if not factory_name:
        raise ValueError(f"moderation {spec!r} is not `module:function`")
    moderator = getattr(importlib.import_module(module_name), factory_name)()
    if not (callable(getattr(moderator, "check_input", None)) and callable(getattr(moderator, "check_output", None))):
        raise TypeError(f"{spec} built {type(moderator).__name__}, which lacks check_input/check_output")
    return moderator
