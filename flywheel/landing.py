"""The landing zone, where crawlers and serving systems drop files for Flywheel to ingest.

Feedback arrives as files `landing/feedback/*.jsonl` (any name); a writer writes under another
name (a `.jsonl.tmp`, a hidden file) and renames when done, so a file still being written is never
read. A crawl batch is one folder `landing/crawl/<batch>/`. A folder becomes visible only once
complete: writers (and `flywheel ingest`) fill a hidden `.incoming-*` folder and rename it into
place. Names starting with `.` or `_` are never batches or crawl files.
"""

from __future__ import annotations

import posixpath
import uuid

import fsspec

from flywheel.batch_names import validate_batch_name
from flywheel.crawl.ingest import CrawlFile
from flywheel.crawl.readers import is_ignored
from flywheel.feedback.ingest import FeedbackFile


class BatchExists(FileExistsError):
    pass


class LandingZone:
    def __init__(self, root_url: str) -> None:
        self.root_url = root_url
        self.fs, self.root = fsspec.core.url_to_fs(root_url)

    @property
    def crawl_root(self) -> str:
        return posixpath.join(self.root, "crawl")

    def crawl_batch_path(self, batch: str) -> str:
        return posixpath.join(self.crawl_root, validate_batch_name(batch))

    def list_crawl_batches(self) -> list[str]:
        """Complete batch folders, sorted by name. Folders with invalid names are not batches."""
        if not self.fs.isdir(self.crawl_root):
            return []
        names = []
        for entry in self.fs.ls(self.crawl_root, detail=True):
            name = posixpath.basename(entry["name"].rstrip("/"))
            if entry["type"] == "directory" and not is_ignored(name):
                try:
                    names.append(validate_batch_name(name))
                except ValueError:
                    continue
        return sorted(names)

    def list_instruction_files(self) -> list[str]:
        """URLs of `instructions/*.jsonl`, sorted. Writers rename a finished file to `.jsonl`, so
        a file still being written (any other name) is not read."""
        base = posixpath.join(self.root, "instructions")
        if not self.fs.isdir(base):
            return []
        return sorted(self.fs.unstrip_protocol(p) for p in self.fs.glob(posixpath.join(base, "*.jsonl"))
                      if not is_ignored(posixpath.basename(p)))

    @property
    def feedback_root(self) -> str:
        return posixpath.join(self.root, "feedback")

    def list_feedback_files(self) -> list[FeedbackFile]:
        """Finished feedback files (`*.jsonl`, not hidden), sorted by name."""
        if not self.fs.isdir(self.feedback_root):
            return []
        files = []
        for path, info in self.fs.find(self.feedback_root, maxdepth=1, detail=True).items():
            name = posixpath.basename(path)
            if info["type"] == "file" and name.endswith(".jsonl") and not is_ignored(name):
                mtime = info.get("mtime") or info.get("LastModified") or info.get("updated") or 0
                mtime = mtime.timestamp() if hasattr(mtime, "timestamp") else float(mtime)
                files.append(FeedbackFile(url=self.fs.unstrip_protocol(path), name=name,
                                          size=int(info.get("size") or 0), mtime=mtime))
        return sorted(files, key=lambda f: f.name)

    def add_feedback_file(self, name: str, lines: list[str]) -> str:
        """Write a feedback file the way serving systems must: under a hidden name, then renamed."""
        if not name.endswith(".jsonl") or "/" in name or is_ignored(name):
            raise ValueError(f"feedback file names end in .jsonl and do not start with . or _: {name!r}")
        final = posixpath.join(self.feedback_root, name)
        if self.fs.exists(final):
            raise FileExistsError(f"feedback file {self.fs.unstrip_protocol(final)} already exists")
        self.fs.makedirs(self.feedback_root, exist_ok=True)
        incoming = posixpath.join(self.feedback_root, f".incoming-{uuid.uuid4().hex}-{name}")
        with self.fs.open(incoming, "w", encoding="utf-8") as handle:
            handle.writelines(line.rstrip("\n") + "\n" for line in lines)
        self.fs.mv(incoming, final)
        return final

    def list_batch_files(self, batch: str) -> list[CrawlFile]:
        """Every file of the batch (sub-folders included), sorted by relative path."""
        base = self.crawl_batch_path(batch)
        if not self.fs.isdir(base):
            raise FileNotFoundError(f"no crawl batch folder {self.fs.unstrip_protocol(base)}")
        files = []
        for path, info in self.fs.find(base, detail=True).items():
            relative = posixpath.relpath(path, base)
            if info["type"] == "file" and not any(is_ignored(part) for part in relative.split("/")):
                files.append(CrawlFile(url=self.fs.unstrip_protocol(path), name=relative,
                                       size_bytes=int(info.get("size") or 0)))
        return sorted(files, key=lambda f: f.name)

    def add_crawl_batch(self, source_dir: str, batch: str) -> str:
        """Copy a local folder of crawl files in as `batch`, all at once (copy, then rename)."""
        final = self.crawl_batch_path(batch)
        if self.fs.exists(final):
            raise BatchExists(f"crawl batch {batch!r} already exists at {self.fs.unstrip_protocol(final)}")
        incoming = posixpath.join(self.crawl_root, f".incoming-{batch}-{uuid.uuid4().hex}")
        self.fs.makedirs(self.crawl_root, exist_ok=True)
        try:
            self.fs.put(source_dir.rstrip("/") + "/", incoming, recursive=True)
            self.fs.mv(incoming, final, recursive=True)
        finally:
            if self.fs.exists(incoming):
                self.fs.rm(incoming, recursive=True)
        return final
