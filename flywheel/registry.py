"""The model registry: who gets which model version, and an append-only history of every decision.

A model family (`chat_model`: the model users talk to, whose versions are `sft_model` and
`aligned_model` versions; `reward_model`) has mutable aliases — `production` (what users get),
`candidate` (the newest trained version, waiting for its evaluation) and `canary` (a candidate
serving a share of traffic) — each naming a published version in the model store. Every change
of an alias is one entry of `history.jsonl`: time, action, alias, the version and the one it
replaced, the reason, the Dagster run, the scorecard it was decided on, and whether it was forced.
The history is never rewritten, so rollback and audit read it: `rollback` points `production`
back at the version the last promotion replaced.

    models/_registry/<family>/aliases.json     {"production": {"model": ..., "version": ...}, ...}
    models/_registry/<family>/history.jsonl    one JSON object per alias change, appended
    models/_registry/<family>/evaluations/<model>-<version>.json   scorecards (the evaluation stage)
    models/_registry/<family>/canary.json      {"percent": 10.0}: the live canary's share of users

A version becomes `canary` only with a passed promotion gate against today's production; the
`canary_rollout` sensor then steps its share up and finally promotes it, or aborts it.

Alias changes hold an exclusive lock on the family, write `aliases.json` by rename and append the
history entry under the same lock, so concurrent changes never lose an entry and a reader always
sees a complete alias file. The lock is a local file lock (as for feedback ingestion): on object
storage, change aliases from one place at a time.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flywheel.atomic_files import write_text_atomically
from flywheel.datasets import ALIGNED_MODEL, REWARD_MODEL, SFT_MODEL
from flywheel.versioned_store import VersionedStore

ALIASES = ("production", "candidate", "canary")
REGISTRY_DIR = "_registry"
# Each family and the training assets whose versions belong to it.
FAMILIES = {"chat_model": (SFT_MODEL, ALIGNED_MODEL), "reward_model": (REWARD_MODEL,)}


class RegistryError(ValueError):
    """A registry change that is refused, with the reason."""


@dataclass(frozen=True)
class ModelRef:
    model: str  # the asset that trained it, e.g. `aligned_model`
    version: str

    def __str__(self) -> str:
        return f"{self.model}:{self.version}"

    @classmethod
    def parse(cls, text: str) -> ModelRef:
        model, _, version = text.partition(":")
        if not model or not version:
            raise RegistryError(f"{text!r} is not MODEL:VERSION (for example aligned_model:3f2a...)")
        return cls(model, version)


def family_of(model: str) -> str | None:
    return next((family for family, models in FAMILIES.items() if model in models), None)


class ModelRegistry:
    def __init__(self, store: VersionedStore, family: str) -> None:
        if family not in FAMILIES:
            raise RegistryError(f"unknown model family {family!r}; families: {', '.join(FAMILIES)}")
        self.store, self.family = store, family
        self.root = Path(store.root, REGISTRY_DIR, family)

    def resolve(self, text: str) -> ModelRef:
        """`MODEL:VERSION`, or a bare version of one of the family's models."""
        if ":" in text:
            return ModelRef.parse(text)
        matches = [ModelRef(model, text) for model in FAMILIES[self.family] if self.store.has_version(model, text)]
        if len(matches) != 1:
            raise RegistryError(f"{text!r} is {'ambiguous' if matches else 'not a published version'} in "
                                f"{self.family} ({', '.join(FAMILIES[self.family])}); give MODEL:VERSION")
        return matches[0]

    def versions(self) -> list[ModelRef]:
        """Every published version of the family's models."""
        refs = []
        for model in FAMILIES[self.family]:
            folder = Path(self.store.root, model)
            refs += [ModelRef(model, p.name) for p in sorted(folder.iterdir()) if p.is_dir() and not
                     p.name.startswith(".")] if folder.is_dir() else []
        return refs

    # Reading.

    def aliases(self) -> dict[str, ModelRef]:
        path = self.root / "aliases.json"
        if not path.exists():
            return {}
        return {alias: ModelRef(**ref) for alias, ref in json.loads(path.read_text()).items()}

    def alias(self, name: str) -> ModelRef | None:
        return self.aliases().get(name)

    def history(self) -> list[dict]:
        path = self.root / "history.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def scorecard(self, ref: ModelRef) -> dict | None:
        path = self._scorecard_path(ref)
        return json.loads(path.read_text()) if path.exists() else None

    def canary_percent(self) -> float:
        """The live canary's share of users (0 when there is no canary)."""
        path = self.root / "canary.json"
        if self.alias("canary") is None or not path.exists():
            return 0.0
        return float(json.loads(path.read_text())["percent"])

    def path_of(self, ref: ModelRef) -> str:
        return self.store.version_path(ref.model, ref.version)

    # Changing.

    def record_scorecard(self, ref: ModelRef, scorecard: dict) -> None:
        """Store the evaluation a promotion can be decided on."""
        self._require_published(ref)
        path = self._scorecard_path(ref)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(path, json.dumps(scorecard, indent=2, default=str))

    def set_alias(self, alias: str, ref: ModelRef, *, action: str, reason: str, run_id: str | None = None,
                  scorecard: dict | None = None, force: bool = False, rollback: bool = False,
                  details: dict | None = None) -> dict:
        """Point `alias` at a published version and append the change to the history. `production`
        takes only an evaluated version, unless `force` (which the history records) or `rollback`
        (back to a version production already had)."""
        if alias not in ALIASES:
            raise RegistryError(f"unknown alias {alias!r}; aliases: {', '.join(ALIASES)}")
        if not reason.strip():
            raise RegistryError("every alias change needs a reason")
        self._require_published(ref)
        if alias == "production" and not (force or rollback) and self.scorecard(ref) is None:
            raise RegistryError(f"{ref} was never evaluated; evaluate it first, or --force (recorded in the history)")
        with self._locked():
            aliases = self.aliases()
            previous = aliases.get(alias)
            aliases[alias] = ref
            write_text_atomically(self.root / "aliases.json",
                                  json.dumps({a: vars(r) for a, r in aliases.items()}, indent=2))
            return self._append({"action": action, "alias": alias, "model": ref.model, "version": ref.version,
                                 "previous": str(previous) if previous else None, "reason": reason,
                                 "run_id": run_id, "forced": force, "scorecard": scorecard, **(details or {})})

    def clear_alias(self, alias: str, *, action: str, reason: str, run_id: str | None = None,
                    details: dict | None = None) -> dict:
        with self._locked():
            aliases = self.aliases()
            previous = aliases.pop(alias, None)
            write_text_atomically(self.root / "aliases.json",
                                  json.dumps({a: vars(r) for a, r in aliases.items()}, indent=2))
            return self._append({"action": action, "alias": alias, "model": None, "version": None,
                                 "previous": str(previous) if previous else None, "reason": reason,
                                 "run_id": run_id, "forced": False, "scorecard": None, **(details or {})})

    def promote(self, ref: ModelRef, reason: str, run_id: str | None = None, scorecard: dict | None = None,
                force: bool = False) -> dict:
        """`ref` becomes production; if it was the candidate, it is one no longer (whether the gate or
        a forced `flywheel models promote` moved it), so nothing evaluates it again."""
        entry = self.set_alias("production", ref, action="promote", reason=reason, run_id=run_id,
                               scorecard=scorecard or self.scorecard(ref), force=force)
        self._clear_candidate_if(ref, run_id)
        return entry

    def _clear_candidate_if(self, promoted: ModelRef, run_id: str | None) -> None:
        if self.alias("candidate") == promoted:
            self.clear_alias("candidate", action="promoted", reason=f"{promoted} is production now", run_id=run_id)

    def rollback(self, reason: str, run_id: str | None = None) -> dict:
        """Point `production` back at the version the newest promotion (not yet rolled back) replaced."""
        replaced = self.previous_production()
        if replaced is None:
            raise RegistryError(f"{self.family} has no earlier production version to roll back to")
        return self.set_alias("production", replaced, action="rollback", reason=reason,
                              run_id=run_id, rollback=True)

    def reject(self, ref: ModelRef, reason: str, run_id: str | None = None, scorecard: dict | None = None) -> dict:
        """Record that a candidate failed its gate; no alias changes."""
        self._require_published(ref)
        with self._locked():
            return self._append({"action": "reject", "alias": None, "model": ref.model, "version": ref.version,
                                 "previous": None, "reason": reason, "run_id": run_id, "forced": False,
                                 "scorecard": scorecard})

    # The canary.

    def start_canary(self, ref: ModelRef, percent: float, reason: str, run_id: str | None = None) -> dict:
        """Send `percent` of users to `ref`: only a version whose promotion gate passed against the
        current production."""
        scorecard = self.scorecard(ref)
        production = self.alias("production")
        if production is None:
            raise RegistryError(f"{self.family} has no production version to canary against; promote {ref}")
        if scorecard is None or not scorecard["verdict"]["passed"]:
            raise RegistryError(f"{ref} has not passed the promotion gate; it cannot serve users")
        if scorecard["production"] != str(production):
            raise RegistryError(f"{ref} was evaluated against {scorecard['production']}, but production is "
                                f"{production}: evaluate it again")
        self._write_canary_percent(percent)
        return self.set_alias("canary", ref, action="canary_start", reason=reason, run_id=run_id,
                              scorecard=scorecard, details={"percent": percent})

    def set_canary_percent(self, percent: float, reason: str, run_id: str | None = None,
                           details: dict | None = None) -> dict:
        canary = self._require_canary()
        self._write_canary_percent(percent)
        with self._locked():
            return self._append({"action": "canary_step", "alias": "canary", "model": canary.model,
                                 "version": canary.version, "previous": None, "reason": reason, "run_id": run_id,
                                 "forced": False, "scorecard": None, "percent": percent, **(details or {})})

    def promote_canary(self, reason: str, run_id: str | None = None, details: dict | None = None) -> dict:
        """The canary becomes production; the canary alias is cleared."""
        canary = self._require_canary()
        entry = self.set_alias("production", canary, action="promote", reason=reason, run_id=run_id,
                               scorecard=self.scorecard(canary), details=details)
        self.clear_alias("canary", action="canary_promoted", reason=f"{canary} is production now", run_id=run_id)
        self._clear_candidate_if(canary, run_id)
        return entry

    def abort_canary(self, reason: str, run_id: str | None = None, details: dict | None = None) -> dict:
        """Traffic returns to production; the history keeps why."""
        self._require_canary()
        return self.clear_alias("canary", action="canary_abort", reason=reason, run_id=run_id, details=details)

    # Internals.

    def _require_canary(self) -> ModelRef:
        canary = self.alias("canary")
        if canary is None:
            raise RegistryError(f"{self.family} has no canary")
        return canary

    def _write_canary_percent(self, percent: float) -> None:
        if not 0 < percent <= 100:
            raise RegistryError(f"a canary's share is in (0, 100], not {percent}")
        self.root.mkdir(parents=True, exist_ok=True)
        write_text_atomically(self.root / "canary.json", json.dumps({"percent": percent}))

    def previous_production(self) -> ModelRef | None:
        """The version the newest promotion (not yet rolled back) replaced: where a rollback goes, and
        what serving falls back to. Walks production's changes backwards; each rollback undoes the
        promotion before it."""
        pending_rollbacks = 0
        for entry in reversed(self.history()):
            if entry["alias"] != "production":
                continue
            if entry["action"] == "rollback":
                pending_rollbacks += 1
            elif pending_rollbacks:
                pending_rollbacks -= 1
            else:
                return ModelRef.parse(entry["previous"]) if entry["previous"] else None
        return None

    def _require_published(self, ref: ModelRef) -> None:
        if not self.store.has_version(ref.model, ref.version):
            raise RegistryError(f"no published version {ref} in the model store")

    def _scorecard_path(self, ref: ModelRef) -> Path:
        return self.root / "evaluations" / f"{ref.model}-{ref.version}.json"

    def _append(self, entry: dict) -> dict:
        entry = {"time": datetime.now(UTC).isoformat(), "family": self.family, **entry}
        with (self.root / "history.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return entry

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(posixpath.join(self.root, ".lock"), "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

