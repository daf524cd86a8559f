"""Files replaced whole: a reader sees the old content or the new, never a half-written file."""

from __future__ import annotations

import uuid
from pathlib import Path


def write_text_atomically(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path` (named per writer, so concurrent writers do
    not share one), then rename it over `path`."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
