import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flywheel.lake import Lake


def _stage(lake: Lake, staging: str, values: list[int]) -> None:
    pq.write_table(pa.table({"x": values}), f"{staging}/part-0.parquet", filesystem=lake.fs)


def test_publish_replaces_partition_and_rerun_is_idempotent(tmp_path):
    lake = Lake(str(tmp_path))
    for values in ([1, 2, 3], [4, 5], [4, 5]):
        with lake.staging_dir() as staging:
            _stage(lake, staging, values)
            lake.publish(staging, "numbers", "b1")
        assert lake.read_partition("numbers", "b1")["x"].to_pylist() == values
    assert lake.has_partition("numbers", "b1")
    assert lake.head("numbers", "b1", 1)["x"].to_pylist() == [4]
    # Nothing is left behind in the staging and retired areas.
    assert list((tmp_path / ".staging").iterdir()) == []
    assert list((tmp_path / ".retired").iterdir()) == []


def test_failed_write_leaves_the_old_partition_untouched(tmp_path):
    lake = Lake(str(tmp_path))
    with lake.staging_dir() as staging:
        _stage(lake, staging, [1])
        lake.publish(staging, "numbers", "b1")
    with pytest.raises(RuntimeError), lake.staging_dir() as staging:
        _stage(lake, staging, [9, 9])
        raise RuntimeError("writer died before publishing")
    assert lake.read_partition("numbers", "b1")["x"].to_pylist() == [1]
    assert list((tmp_path / ".staging").iterdir()) == []
