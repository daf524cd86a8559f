"""A `reward_data` version on disk: `train.parquet` and `held_out.parquet` of preference pairs plus
a `manifest.json`, written into a folder that the versioned store publishes whole."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq

from flywheel.versioned_store import VersionedStore

SPLITS = ("train", "held_out")
PAIR_SCHEMA = pa.schema([("pair_id", pa.string()), ("prompt", pa.string()), ("chosen", pa.string()),
                         ("rejected", pa.string()), ("source", pa.string()), ("event_ids", pa.list_(pa.string()))])


def read_split(store: VersionedStore, path: str, split: str,
               columns: tuple[str, ...] = ("prompt", "chosen", "rejected")) -> list[dict]:
    """One split of a `reward_data` version as dicts (prompt/chosen/rejected unless `columns`)."""
    return pq.read_table(f"{path}/{split}.parquet", columns=list(columns), filesystem=store.fs).to_pylist()
