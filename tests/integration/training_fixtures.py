"""A FLYWHEEL_HOME whose lake already holds `quality_scored_docs` partitions of real text (the
bundled reference prose), so training assets are tested without running curation first."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flywheel.bundled import REFERENCE_PROSE as REFERENCE
from flywheel.home import FlywheelHome
from orchestration.resources import StorageResource

# Small enough for CPU tests, long enough for the loss to fall clearly.
PRETRAIN_CONFIG = {"max_steps": 30, "warmup_steps": 3, "eval_every": 10, "checkpoint_every": 10,
                   "log_every": 5, "eval_batches": 4}
SFT_CONFIG = {"max_steps": 20, "warmup_steps": 2, "eval_every": 10, "checkpoint_every": 10, "log_every": 5,
              "eval_batches": 4}


def seed_curated_lake(home: FlywheelHome, batches: int = 2) -> list[str]:
    """Write the reference documents as `batches` partitions of quality_scored_docs."""
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    lake = StorageResource.for_home(home).lake()
    names = []
    for index in range(batches):
        part = rows[index::batches]
        name = f"batch-{index + 1:04d}"
        with lake.stage("quality_scored_docs", name) as staged:
            pq.write_table(pa.table({"doc_id": [r["id"] for r in part], "text": [r["text"] for r in part],
                                     "quality_score": [0.9] * len(part)}), f"{staged.path}/part-0.parquet")
        lake.publish(staged)
        names.append(name)
    return names


def run_config(**assets: dict) -> dict:
    return {"ops": {name: {"config": config} for name, config in assets.items()}}


def read_json(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())
