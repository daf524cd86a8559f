"""DeepSpeed checkpoints of a run: `<dir>/step-NNNNNNNN/` tags, a `complete` marker in each tag
that every rank finished saving, and `latest` naming the newest complete one.

DeepSpeed's own `latest` is written by rank 0 as soon as rank 0 has saved, before the other ranks
may have finished their shards, so the loop saves with `save_latest=False`, waits for every rank,
and only then marks the tag complete and replaces `latest` (by rename, never half-written). A run
killed while saving leaves a tag without the marker; resuming takes the newest complete tag,
whatever `latest` says.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from flywheel.atomic_files import write_text_atomically

LATEST = "latest"
COMPLETE = "complete"


def tag(step: int) -> str:
    return f"step-{step:08d}"


def mark_complete(checkpoint_dir: Path, name: str) -> None:
    """Called on rank 0 once every rank has saved `name`."""
    (checkpoint_dir / name / COMPLETE).write_text(name)
    write_text_atomically(checkpoint_dir / LATEST, name)


def complete_tags(checkpoint_dir: Path) -> list[str]:
    """Tags every rank finished saving, oldest first."""
    return sorted(p.parent.name for p in checkpoint_dir.glob(f"step-*/{COMPLETE}"))


def latest_tag(checkpoint_dir: Path) -> str | None:
    """The newest complete tag: what a resumed run starts from."""
    tags = complete_tags(checkpoint_dir)
    return tags[-1] if tags else None


def prune(checkpoint_dir: Path, keep: int) -> list[str]:
    """Delete all but the `keep` newest complete tags, and incomplete tags older than the newest
    complete one (a save that was cut off); returns the deleted."""
    complete = complete_tags(checkpoint_dir)
    newest = complete[-1] if complete else ""
    incomplete = [p.name for p in checkpoint_dir.glob("step-*") if p.is_dir() and p.name not in complete]
    doomed = complete[:-keep] + [name for name in incomplete if name < newest]
    for name in doomed:
        shutil.rmtree(checkpoint_dir / name, ignore_errors=True)
    return sorted(doomed)
