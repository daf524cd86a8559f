"""Crawl batch names: they become folder names and Dagster partition keys, so keep them tame."""

from __future__ import annotations

import re

_BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class InvalidBatchName(ValueError):
    pass


def validate_batch_name(name: str) -> str:
    """Return `name` if it is a safe batch name, else raise InvalidBatchName saying why."""
    if not isinstance(name, str) or not name:
        raise InvalidBatchName("batch name is empty")
    if "/" in name or "\\" in name:
        raise InvalidBatchName(f"batch name {name!r} contains a path separator")
    if ".." in name:
        raise InvalidBatchName(f"batch name {name!r} contains '..'")
    if not _BATCH_NAME.fullmatch(name):
        raise InvalidBatchName(
            f"batch name {name!r} must start with a letter or digit and use only letters, digits, "
            "'.', '_' and '-' (at most 100 characters)")
    return name
