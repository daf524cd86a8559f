import pytest

from flywheel.batch_names import InvalidBatchName
from flywheel.landing import BatchExists, LandingZone


def test_add_and_list_batches(tmp_path):
    source = tmp_path / "source"
    (source / "sub").mkdir(parents=True)
    (source / "a.warc.gz").write_bytes(b"x")
    (source / "sub" / "b.jsonl").write_text("{}\n")
    (source / "_SUCCESS").write_text("")
    (source / ".partial.warc").write_text("")
    landing = LandingZone(str(tmp_path / "landing"))

    landing.add_crawl_batch(str(source), "b-1")

    assert landing.list_crawl_batches() == ["b-1"]
    assert [f.name for f in landing.list_batch_files("b-1")] == ["a.warc.gz", "sub/b.jsonl"]
    with pytest.raises(BatchExists):
        landing.add_crawl_batch(str(source), "b-1")


def test_incomplete_and_badly_named_folders_are_not_batches(tmp_path):
    crawl = tmp_path / "landing" / "crawl"
    for name in (".incoming-b2-123", "_tmp", "bad name", "good"):
        (crawl / name).mkdir(parents=True)
    assert LandingZone(str(tmp_path / "landing")).list_crawl_batches() == ["good"]


def test_batch_names_are_validated(tmp_path):
    with pytest.raises(InvalidBatchName):
        LandingZone(str(tmp_path)).crawl_batch_path("../../etc")
