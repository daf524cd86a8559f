"""Large partitions are validated on a seeded sample that is read batch by batch."""

import pyarrow as pa
import pyarrow.parquet as pq

from assets.data.curation_checks import _load
from flywheel.home import FlywheelHome
from orchestration.resources import StorageResource


def storage_with_partition(tmp_path, rows: int) -> StorageResource:
    folder = tmp_path / "lake" / "filtered_docs" / "b1"
    folder.mkdir(parents=True)
    for part in range(2):
        ids = range(part * rows // 2, (part + 1) * rows // 2)
        pq.write_table(pa.table({"doc_id": [f"id{i}" for i in ids], "text": ["x"] * len(ids)}),
                       folder / f"part-{part}.parquet")
    return StorageResource.for_home(FlywheelHome(tmp_path))


def test_small_partitions_are_validated_whole(tmp_path):
    frame, sampled = _load(storage_with_partition(tmp_path, 100), "filtered_docs", "b1", max_rows=100)
    assert not sampled and len(frame) == 100


def test_large_partitions_are_sampled_reproducibly(tmp_path):
    storage = storage_with_partition(tmp_path, 10_000)
    frame, sampled = _load(storage, "filtered_docs", "b1", max_rows=1_000)
    assert sampled and 800 < len(frame) < 1_200
    assert frame["doc_id"].str[2:].astype(int).max() >= 5_000  # drawn from both files
    again, _ = _load(storage, "filtered_docs", "b1", max_rows=1_000)
    assert again["doc_id"].tolist() == frame["doc_id"].tolist()
