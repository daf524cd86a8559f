"""Preference pairs from an event log of any size, in bounded memory.

Events are spilled to Parquet buckets by a hash of their normalized prompt, then paired one
bucket at a time with `build_pairs`. Everything it decides — rating pairs, contested responses,
duplicates, the held-out split — is decided per prompt, and a prompt's events all land in one
bucket, so the pairs are exactly those of `build_pairs` on the whole log (except which other
prompt lends an off-prompt hard negative its answer: one of the same bucket). The number of buckets
grows with the log (`bucket_count`), so memory holds about `events_per_bucket` events whatever
the log's size.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from flywheel.evaluation.holdout import normalize
from flywheel.feedback.events import RATING
from flywheel.feedback.pairs import PairsDigest, UnsafeCheck, build_pairs
from flywheel.feedback.reward_data import PAIR_SCHEMA, SPLITS
from flywheel.stable_hash import stable_fraction

PAIRING_COLUMNS = ["event_id", "ts", "kind", "prompt", "chosen", "rejected", "response", "rating", "model_version",
                   "rejected_model_version"]


def bucket_count(events: int, events_per_bucket: int) -> int:
    return max(1, math.ceil(events / events_per_bucket))


@dataclass
class WrittenPairs:
    events: int = 0
    pairs: Counter = field(default_factory=Counter)  # split -> pairs
    prompts: Counter = field(default_factory=Counter)  # split -> distinct prompts
    dropped: Counter = field(default_factory=Counter)  # reason -> count
    by_source: Counter = field(default_factory=Counter)
    examples: list[dict] = field(default_factory=list)  # a few held-out pairs
    flagged_feedback: Counter = field(default_factory=Counter)  # model version -> answers rated -1 and flagged
    version: str = ""


def write_pairs(event_batches: Iterable[pa.RecordBatch], held_out_fraction: float, max_pairs_per_prompt: int,
                out_dir: Path, spill_dir: Path, buckets: int, unsafe: UnsafeCheck | None = None,
                off_prompt_share: float = 0.0) -> WrittenPairs:
    """Write `<split>.parquet` of every split into `out_dir` (spilling events to `spill_dir`). With
    `unsafe`, flagged chosen answers are dropped and flagged answers users rated -1 are counted by
    the model version that gave them."""
    result = WrittenPairs()
    result.events = _spill(event_batches, spill_dir, buckets)
    writers = {split: pq.ParquetWriter(out_dir / f"{split}.parquet", PAIR_SCHEMA) for split in SPLITS}
    digest = PairsDigest()
    try:
        for bucket in sorted(spill_dir.glob("bucket-*.parquet")):
            events = pq.read_table(bucket).to_pylist()
            pairs = build_pairs(events, held_out_fraction, max_pairs_per_prompt, unsafe, off_prompt_share)
            if unsafe is not None:
                result.flagged_feedback += _flagged_down_ratings(events, unsafe)
            result.dropped += pairs.dropped
            result.by_source += pairs.by_source()
            for split in SPLITS:
                rows = getattr(pairs, split)
                writers[split].write_table(pa.Table.from_pylist(rows, PAIR_SCHEMA))
                result.pairs[split] += len(rows)
                result.prompts[split] += len({normalize(row["prompt"]) for row in rows})
                for row in rows:
                    digest.add(split, row["pair_id"])
            result.examples += pairs.held_out[: 5 - len(result.examples)]
    finally:
        for writer in writers.values():
            writer.close()
    result.version = digest.version()
    return result


def _flagged_down_ratings(events: list[dict], unsafe: UnsafeCheck) -> Counter:
    down = [e for e in events if e["kind"] == RATING and e["rating"] == -1]
    flags = unsafe([e["response"] for e in down]) if down else []
    return Counter(e["model_version"] or "unknown" for e, flagged in zip(down, flags) if flagged)


def _spill(event_batches: Iterable[pa.RecordBatch], spill_dir: Path, buckets: int) -> int:
    spill_dir.mkdir(parents=True, exist_ok=True)
    writers: dict[int, pq.ParquetWriter] = {}
    events = 0
    try:
        for batch in event_batches:
            events += batch.num_rows
            keys = pa.array([int(stable_fraction(normalize(p), seed=3) * buckets)
                             for p in batch.column("prompt").to_pylist()])
            for bucket in set(keys.to_pylist()):
                part = batch.filter(pc.equal(keys, bucket))
                if bucket not in writers:
                    writers[bucket] = pq.ParquetWriter(spill_dir / f"bucket-{bucket:04d}.parquet", part.schema)
                writers[bucket].write_batch(part)
    finally:
        for writer in writers.values():
            writer.close()
    return events
