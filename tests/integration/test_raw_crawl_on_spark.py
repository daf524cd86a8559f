"""Ingestion in Spark tasks (one per file, what `raw_crawl` does on a cluster) writes exactly what
the local process pool writes: the same documents, the same rejects with the same reasons, the
same report."""

import pyarrow.parquet as pq
import pytest

from flywheel.crawl.documents import IngestLimits
from flywheel.crawl.ingest import ingest_batch
from flywheel.landing import LandingZone
from tests.conftest import SAMPLE_BATCH_DIR

pytestmark = pytest.mark.spark


def _rows(folder) -> list[dict]:
    return sorted(pq.read_table(folder).to_pylist(), key=repr)


def test_spark_tasks_ingest_exactly_what_local_processes_ingest(spark, tmp_path):
    landing = LandingZone(str(tmp_path / "landing"))
    landing.add_crawl_batch(str(SAMPLE_BATCH_DIR), "sample")
    files = landing.list_batch_files("sample")
    written = {}
    for how, session in (("spark", spark), ("processes", None)):
        docs, rejects = tmp_path / how / "docs", tmp_path / how / "rejects"
        docs.mkdir(parents=True)
        rejects.mkdir(parents=True)
        report = ingest_batch(files, docs.as_uri(), rejects.as_uri(), limits=IngestLimits(), workers=2,
                              spark=session)
        written[how] = (_rows(docs), _rows(rejects), report)
    (spark_docs, spark_rejects, spark_report), (local_docs, local_rejects, local_report) = written.values()
    assert len(spark_docs) > 550 and spark_docs == local_docs
    assert spark_rejects == local_rejects and {r["reason"] for r in spark_rejects} >= {"truncated_gzip", "invalid_json"}
    assert spark_report == local_report
