import pytest

from flywheel.versioned_store import VersionedStore
from tests.processes import run_concurrently


def _publish(root: str, source: str) -> None:
    VersionedStore(root).publish(source, "model", "v1")


def _folder(tmp_path, name: str, content: str):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "weights.bin").write_text(content)
    return folder


def test_concurrent_publishers_of_one_version_leave_one_whole_folder(tmp_path):
    sources = [str(_folder(tmp_path, f"src{n}", "same bytes")) for n in range(4)]
    root = str(tmp_path / "store")
    run_concurrently(_publish, [(root, source) for source in sources])
    version = tmp_path / "store" / "model" / "v1"
    assert sorted(p.name for p in version.iterdir()) == ["weights.bin"]  # never nested
    assert [p.name for p in (tmp_path / "store" / "model").iterdir()] == ["v1"]  # no staging left behind


def test_current_names_only_a_published_version(tmp_path):
    store = VersionedStore(str(tmp_path / "store"))
    with pytest.raises(FileNotFoundError):
        store.set_current("model", "v1", {})
    path = store.publish(_folder(tmp_path, "src", "x"), "model", "v1")
    store.set_current("model", "v1", {"path": path})
    assert store.current("model") == {"version": "v1", "path": path}
