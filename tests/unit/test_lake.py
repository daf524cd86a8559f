import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flywheel.batch_names import InvalidBatchName
from flywheel.lake import POINTER, Lake
from tests.processes import run_concurrently


def _write(lake: Lake, dataset: str, partition: str, values: list[int]):
    with lake.stage(dataset, partition) as staged:
        pq.write_table(pa.table({"x": values}), f"{staged.path}/part-0.parquet", filesystem=lake.fs)
    return staged


def test_publish_replaces_partition_and_rerun_is_idempotent(tmp_path):
    lake = Lake(str(tmp_path))
    for values in ([1, 2, 3], [4, 5], [4, 5]):
        lake.publish(_write(lake, "numbers", "b1", values))
        assert lake.read_partition("numbers", "b1")["x"].to_pylist() == values
    assert lake.has_partition("numbers", "b1") and lake.partitions("numbers") == ["b1"]
    assert lake.head("numbers", "b1", 1)["x"].to_pylist() == [4]
    # The current version and one before it are kept; older ones are collected.
    versions = [p for p in (tmp_path / "numbers" / "b1").iterdir() if p.is_dir()]
    assert len(versions) == 2


def test_a_staged_version_is_invisible_until_published(tmp_path):
    lake = Lake(str(tmp_path))
    lake.publish(_write(lake, "numbers", "b1", [1]))
    staged = _write(lake, "numbers", "b1", [9, 9])  # written, audited, not (yet) published
    assert lake.read_partition("numbers", "b1")["x"].to_pylist() == [1]
    assert not lake.has_partition("numbers", "b2")
    _write(lake, "numbers", "b2", [7])
    assert lake.partitions("numbers") == ["b1"]  # a partition with no published version does not exist
    lake.publish(staged)
    assert lake.read_partition("numbers", "b1")["x"].to_pylist() == [9, 9]


def test_failed_write_leaves_the_old_partition_untouched(tmp_path):
    lake = Lake(str(tmp_path))
    lake.publish(_write(lake, "numbers", "b1", [1]))
    with pytest.raises(RuntimeError), lake.stage("numbers", "b1") as staged:
        pq.write_table(pa.table({"x": [9, 9]}), f"{staged.path}/part-0.parquet", filesystem=lake.fs)
        raise RuntimeError("writer died before publishing")
    assert lake.read_partition("numbers", "b1")["x"].to_pylist() == [1]
    assert not (tmp_path / "numbers" / "b1" / staged.version).exists()


def test_the_pointer_is_one_file_replaced_whole(tmp_path):
    lake = Lake(str(tmp_path))
    first = lake.publish(_write(lake, "numbers", "b1", [1]))
    second = _write(lake, "numbers", "b1", [2])
    lake.publish(second)
    pointer = json.loads((tmp_path / "numbers" / "b1" / POINTER).read_text())
    assert pointer["version"] == second.version and pointer["history"][0] in first
    assert lake.partition_path("numbers", "b1") == second.path
    assert [p.name for p in (tmp_path / "numbers" / "b1").iterdir() if p.name.endswith(".tmp")] == []


def test_unpublished_leftovers_are_collected_once_stale(tmp_path):
    lake = Lake(str(tmp_path), stale_staged_after=0.0)
    crashed = _write(lake, "numbers", "b1", [5])  # a writer that died after writing
    lake.publish(_write(lake, "numbers", "b1", [1]))
    assert not (tmp_path / "numbers" / "b1" / crashed.version).exists()


def _publisher(root: str, values: list[int], rounds: int) -> None:
    lake = Lake(root)
    for _ in range(rounds):
        lake.publish(_write(lake, "numbers", "b1", values))


def test_concurrent_publishers_end_with_one_intact_version(tmp_path):
    run_concurrently(_publisher, [(str(tmp_path), [n] * (n + 1), 15) for n in range(3)])
    values = Lake(str(tmp_path)).read_partition("numbers", "b1")["x"].to_pylist()
    assert values in ([0], [1, 1], [2, 2, 2])  # one writer's rows, whole; never nested or mixed
    for version in (p for p in (tmp_path / "numbers" / "b1").iterdir() if p.is_dir()):
        assert [f.name for f in version.iterdir()] == ["part-0.parquet"]


def test_partition_keys_are_validated(tmp_path):
    lake = Lake(str(tmp_path))
    with pytest.raises(InvalidBatchName):
        lake.has_partition("numbers", "../escape")
    with pytest.raises(InvalidBatchName), lake.stage("numbers", "a/b"):
        pass


def test_a_removed_partition_is_gone(tmp_path):
    lake = Lake(str(tmp_path))
    lake.publish(_write(lake, "numbers", "b1", [1]))
    lake.remove_partition("numbers", "b1")
    assert not lake.has_partition("numbers", "b1") and lake.partitions("numbers") == []
