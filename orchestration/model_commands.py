"""`flywheel models ...`: the registry's aliases and history, and the manual promotion and rollback."""

from __future__ import annotations

from flywheel.registry import FAMILIES, ModelRegistry, RegistryError
from orchestration import lifecycle


def _registry(family: str) -> ModelRegistry:
    try:
        return ModelRegistry(lifecycle.storage().models(), family)
    except RegistryError as error:
        raise SystemExit(f"error: {error}") from None


def list_models() -> None:
    for family in FAMILIES:
        registry = _registry(family)
        aliases = registry.aliases()
        versions = registry.versions()
        print(f"{family}: {len(versions)} versions ({', '.join(FAMILIES[family])})")
        for alias in ("production", "candidate", "canary"):
            ref = aliases.get(alias)
            evaluated = "" if ref is None else f" ({_verdict(registry.scorecard(ref))})"
            print(f"  {alias:11s} {ref or '-'}{evaluated}")


def _verdict(scorecard: dict | None) -> str:
    if scorecard is None:
        return "not evaluated"
    against = scorecard["production"] or "floors of a first promotion"
    return f"gate {'passed' if scorecard['verdict']['passed'] else 'failed'} against {against}"


def show(family: str) -> None:
    registry = _registry(family)
    for alias, ref in registry.aliases().items():
        print(f"{alias:11s} {ref}  {registry.path_of(ref)}")
    history = registry.history()
    print(f"history ({len(history)} entries, oldest first):")
    for entry in history:
        target = f"{entry['model']}:{entry['version']}" if entry["version"] else "-"
        forced = " FORCED" if entry["forced"] else ""
        print(f"  {entry['time'][:19]}  {entry['action']:12s} {entry['alias'] or '-':11s} {target} "
              f"(was {entry['previous'] or '-'}){forced}  {entry['reason']}")


def promote(family: str, version: str, reason: str, force: bool) -> None:
    registry = _registry(family)
    try:
        entry = registry.promote(registry.resolve(version), reason, force=force)
    except RegistryError as error:
        raise SystemExit(f"error: {error}") from None
    print(f"{family} production is now {entry['model']}:{entry['version']} (was {entry['previous'] or 'none'})")


def evaluate(family: str, version: str | None) -> None:
    try:
        lifecycle.evaluate(version, family)
    except RegistryError as error:
        raise SystemExit(f"error: {error}") from None


def rollback(family: str, reason: str) -> None:
    registry = _registry(family)
    try:
        entry = registry.rollback(reason)
    except RegistryError as error:
        raise SystemExit(f"error: {error}") from None
    print(f"{family} production rolled back to {entry['model']}:{entry['version']} (was {entry['previous']})")


def canary(family: str, version: str, percent: float, reason: str) -> None:
    registry = _registry(family)
    try:
        entry = registry.start_canary(registry.resolve(version), percent, reason)
    except RegistryError as error:
        raise SystemExit(f"error: {error}") from None
    print(f"{family} canary is now {entry['model']}:{entry['version']} for {percent:g}% of users; the "
          f"canary_rollout sensor steps it up or aborts it")
