"""Expectation suite of the packed pretraining corpus, validated on a per-sequence profile.

The shards are token arrays, not tables, so the suite runs on one row per sequence: its split,
length, smallest and largest token id, and whether a validation sequence also occurs in train
(an exact leak, which would make validation loss a memory test). Corpora above `max_sequences`
are profiled on a seeded random sample of sequences (the leak test then covers the sample).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xxhash

from flywheel.quality.gx_runner import expectations
from flywheel.training.packing import MANIFEST, SPLITS


def sequence_profile(corpus_dir: str, max_sequences: int = 200_000, seed: int = 0) -> tuple[pd.DataFrame, bool]:
    """(one row per profiled sequence, whether it is a sample)."""
    manifest = json.loads((Path(corpus_dir) / MANIFEST).read_text())
    total = sum(manifest["splits"][split]["sequences"] for split in SPLITS)
    keep = min(1.0, max_sequences / max(1, total))
    rng = np.random.default_rng(seed)
    columns: dict[str, list] = {"split": [], "shard": [], "length": [], "min_token": [], "max_token": [], "hash": []}
    for split in SPLITS:
        for name in manifest["splits"][split]["shards"]:
            shard = np.load(Path(corpus_dir) / split / name, mmap_mode="r")
            rows = np.arange(len(shard)) if keep == 1.0 else np.flatnonzero(rng.random(len(shard)) < keep)
            for row in rows:
                sequence = np.asarray(shard[row])
                columns["split"].append(split)
                columns["shard"].append(f"{split}/{name}")
                columns["length"].append(len(sequence))
                columns["min_token"].append(int(sequence.min()))
                columns["max_token"].append(int(sequence.max()))
                columns["hash"].append(xxhash.xxh64_hexdigest(sequence.tobytes()))
    frame = pd.DataFrame(columns)
    train_hashes = set(frame.loc[frame["split"] == "train", "hash"])
    frame["validation_in_train"] = (frame["split"] == "validation") & frame["hash"].isin(train_hashes)
    return frame, keep < 1.0


def pretraining_corpus_suite(sequence_length: int, vocab_size: int) -> list:
    E = expectations()
    return [
        E.ExpectColumnDistinctValuesToEqualSet(column="split", value_set=list(SPLITS)),
        E.ExpectColumnValuesToBeBetween(column="length", min_value=sequence_length, max_value=sequence_length),
        E.ExpectColumnValuesToBeBetween(column="min_token", min_value=0),
        E.ExpectColumnValuesToBeBetween(column="max_token", max_value=vocab_size - 1),
        E.ExpectColumnValuesToBeInSet(column="validation_in_train", value_set=[False]),
    ]
