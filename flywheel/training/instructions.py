"""Instruction data for supervised fine-tuning: JSONL lines with `prompt` and `response` strings.

Lines that are not usable are returned as rejects with their file, line number and reason, never
dropped silently. Pairs are deduplicated, and split into train and validation by a stable hash
of the prompt, so a prompt never moves between splits as files are added.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import fsspec

from flywheel.evaluation.holdout import normalize
from flywheel.stable_hash import in_validation

MAX_CHARS = 20_000


@dataclass
class InstructionSplit:
    train: list[dict] = field(default_factory=list)
    validation: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    duplicates: int = 0
    files: list[str] = field(default_factory=list)

    def version(self) -> str:
        """A hash of the examples themselves (not of file names or order of arrival)."""
        digest = hashlib.sha256()
        for example in sorted(json.dumps(e, sort_keys=True) for e in self.train + self.validation):
            digest.update(example.encode())
        return digest.hexdigest()[:16]


def validate_line(line: str) -> tuple[dict | None, str | None]:
    """(example, None) for a usable line, else (None, reason)."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as error:
        return None, f"not JSON: {error.msg}"
    if not isinstance(row, dict):
        return None, "not a JSON object"
    example = {}
    for name in ("prompt", "response"):
        value = row.get(name)
        if not isinstance(value, str):
            return None, f"`{name}` missing or not a string"
        if not value.strip():
            return None, f"`{name}` is empty"
        if len(value) > MAX_CHARS:
            return None, f"`{name}` longer than {MAX_CHARS} characters"
        example[name] = value.strip()
    return example, None


def load_instructions(urls: Iterable[str], validation_fraction: float) -> InstructionSplit:
    """Examples of every file (fsspec URLs or paths), in order; the first copy of a pair wins."""
    result = InstructionSplit()
    seen: set[tuple[str, str]] = set()
    for path in urls:
        result.files.append(str(path))
        with fsspec.open(path, "rt", encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                example, reason = validate_line(line)
                if example is None:
                    result.rejects.append({"file": str(path), "line": number, "reason": reason})
                    continue
                key = (example["prompt"], example["response"])
                if key in seen:
                    result.duplicates += 1
                    continue
                seen.add(key)
                # The normalized prompt, as evaluation's holdout: a smaller fraction is a subset.
                split = result.validation if in_validation(normalize(example["prompt"]), validation_fraction) \
                    else result.train
                split.append(example)
    return result


def write_jsonl(rows: list[dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path
