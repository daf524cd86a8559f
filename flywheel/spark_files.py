"""Files that Spark's Python workers read (the language-id model, blocklists), shipped to every
executor with `SparkContext.addFile` instead of read from a path that may exist only on the driver.

The driver calls `ship` and hands the returned reference to the workers; a worker turns it into a
path on its own machine with `local_path`. Plain paths pass through `local_path` unchanged, so the
same filter code runs outside Spark.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the filter steps import this module outside Spark too
    from pyspark.sql import SparkSession

REFERENCE_PREFIX = "sparkfiles:"
STAGING_DIR = Path(tempfile.gettempdir()) / "flywheel-sparkfiles"


def ship(spark: SparkSession, path: str) -> str:
    """Register the driver's file `path` with the session; the reference for `local_path`.

    The file is shipped under a name that carries a hash of its content: Spark ignores a second
    `addFile` of a name it has shipped, so a file edited between two runs of one session must be a
    new name, and two different files of the same name (two blocklists) must not collide. URLs
    (`s3://...`) are left as they are: every worker can read those itself; `file://` is the driver's."""
    if path.startswith("file://"):
        path = path.removeprefix("file://")
    elif "://" in path:
        return path
    source = Path(path)
    if not source.is_file():
        raise FileNotFoundError(f"{path}: a file the Spark workers need does not exist on the driver")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    staged = STAGING_DIR / f"{source.stem}-{digest}{source.suffix}"
    if not staged.exists():
        STAGING_DIR.mkdir(parents=True, exist_ok=True)
        partial = staged.with_name(f".{staged.name}.{os.getpid()}.tmp")
        shutil.copyfile(source, partial)
        partial.replace(staged)
    spark.sparkContext.addFile(str(staged))
    return REFERENCE_PREFIX + staged.name


def local_path(reference: str) -> str:
    """Where a shipped file is on this worker; any other path or URL unchanged."""
    if not reference.startswith(REFERENCE_PREFIX):
        return reference
    from pyspark import SparkFiles

    return SparkFiles.get(reference.removeprefix(REFERENCE_PREFIX))
