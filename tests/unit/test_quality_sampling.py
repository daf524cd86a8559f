"""Large staged partitions are validated on a seeded sample that is read batch by batch."""

import pyarrow as pa
import pyarrow.parquet as pq

from flywheel.lake import Lake, StagedVersion
from orchestration.audit import load_version


def staged_partition(tmp_path, rows: int) -> tuple[Lake, StagedVersion]:
    lake = Lake(str(tmp_path / "lake"))
    with lake.stage("filtered_docs", "b1") as staged:
        for part in range(2):
            ids = range(part * rows // 2, (part + 1) * rows // 2)
            pq.write_table(pa.table({"doc_id": [f"id{i}" for i in ids], "text": ["x"] * len(ids)}),
                           f"{staged.path}/part-{part}.parquet")
    return lake, staged


def test_small_partitions_are_validated_whole(tmp_path):
    frame, sampled = load_version(*staged_partition(tmp_path, 100), max_rows=100)
    assert not sampled and len(frame) == 100


def test_large_partitions_are_sampled_reproducibly(tmp_path):
    lake, staged = staged_partition(tmp_path, 10_000)
    frame, sampled = load_version(lake, staged, max_rows=1_000)
    assert sampled and 800 < len(frame) < 1_200
    assert frame["doc_id"].str[2:].astype(int).max() >= 5_000  # drawn from both files
    again, _ = load_version(lake, staged, max_rows=1_000)
    assert again["doc_id"].tolist() == frame["doc_id"].tolist()
