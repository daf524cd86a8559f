"""fastText models loaded once per process (a Spark Python worker serves many tasks)."""

from __future__ import annotations

from functools import cache

import fsspec


@cache
def load_model(url: str):
    """The model at a local path or fsspec URL; remote files are copied to a local cache first,
    because fastText reads only local files."""
    import fasttext

    fs, path = fsspec.core.url_to_fs(url)
    if "file" not in fs.protocol:
        path = fsspec.open_local(f"simplecache::{url}")
    return fasttext.load_model(path)
