"""Versioned artifacts: `<root>/<name>/<version>/` folders, immutable once published, and
`<root>/<name>/current.json` naming the version downstream stages use. The model store (trained
models, tokenizers) and versioned lake datasets (the packed pretraining corpus) both use it.

A version folder is staged next to its final place and renamed into it, and `current.json` is
replaced by rename, so a reader sees a complete version or none. Publishing a version that
already exists keeps the existing folder (a version is a hash of what made it).
"""

from __future__ import annotations

import errno
import json
import os
import posixpath
import uuid
from pathlib import Path

import fsspec
from fsspec.implementations.local import LocalFileSystem


class VersionedStore:
    def __init__(self, root_url: str) -> None:
        self.fs, self.root = fsspec.core.url_to_fs(root_url)

    def version_path(self, name: str, version: str) -> str:
        return posixpath.join(self.root, name, version)

    def url(self, path: str) -> str:
        return self.fs.unstrip_protocol(path)

    def has_version(self, name: str, version: str) -> bool:
        return self.fs.isdir(self.version_path(name, version))

    def publish(self, local_dir: Path, name: str, version: str) -> str:
        """Copy a local folder in as `name/version` (unless that version exists) and return its path."""
        final = self.version_path(name, version)
        if not self.fs.isdir(final):
            staged = posixpath.join(self.root, name, f".staging-{uuid.uuid4().hex}")
            self.fs.put(str(local_dir), staged, recursive=True)
            if not self._rename_unless_exists(staged, final):  # another run published the same version
                self.fs.rm(staged, recursive=True)
        return final

    def _rename_unless_exists(self, source: str, target: str) -> bool:
        """Move `source` to `target` unless `target` exists. Locally one `os.rename`, which refuses an
        existing non-empty folder, where fsspec's move would nest `source` inside it."""
        if isinstance(self.fs, LocalFileSystem):
            try:
                os.rename(source, target)
            except OSError as error:
                if error.errno in (errno.EEXIST, errno.ENOTEMPTY):
                    return False
                raise
            return True
        if self.fs.exists(target):  # object stores have no atomic rename: first check, then copy
            return False
        self.fs.mv(source, target, recursive=True)
        return True

    def set_current(self, name: str, version: str, record: dict) -> None:
        """Point `name/current.json` at a published version, with a record of how it was made."""
        if not self.has_version(name, version):
            raise FileNotFoundError(f"model {name!r} has no version {version!r}")
        path = posixpath.join(self.root, name, "current.json")
        tmp = f"{path}.{uuid.uuid4().hex}.tmp"
        with self.fs.open(tmp, "w") as handle:
            json.dump({"version": version, **record}, handle, indent=2, default=str)
        self.fs.mv(tmp, path)

    def current(self, name: str) -> dict | None:
        """The record of the current version (`version` plus what `set_current` stored), if any."""
        path = posixpath.join(self.root, name, "current.json")
        if not self.fs.exists(path):
            return None
        with self.fs.open(path) as handle:
            return json.load(handle)
