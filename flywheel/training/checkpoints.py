"""DeepSpeed checkpoints of a run: `<dir>/step-NNNNNNNN/` tags plus DeepSpeed's `latest` file.

DeepSpeed writes `latest` only after a tag is complete, so a run killed while saving resumes
from the previous checkpoint.
"""

from __future__ import annotations

import shutil
from pathlib import Path

LATEST = "latest"


def tag(step: int) -> str:
    return f"step-{step:08d}"


def latest_tag(checkpoint_dir: Path) -> str | None:
    latest = checkpoint_dir / LATEST
    if not latest.exists():
        return None
    name = latest.read_text().strip()
    return name if (checkpoint_dir / name).is_dir() else None


def prune(checkpoint_dir: Path, keep: int) -> list[str]:
    """Delete all but the `keep` newest tags (never the one `latest` names); returns the deleted."""
    current = latest_tag(checkpoint_dir)
    tags = sorted(p.name for p in checkpoint_dir.glob("step-*") if p.is_dir())
    doomed = [name for name in tags[:-keep] if name != current]
    for name in doomed:
        shutil.rmtree(checkpoint_dir / name, ignore_errors=True)
    return doomed
