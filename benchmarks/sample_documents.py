"""The bundled sample crawl's documents, extracted once into a work folder: real text for benchmarks."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flywheel.bundled import SAMPLE_CRAWL_DIR
from flywheel.crawl.documents import IngestLimits
from flywheel.crawl.ingest import ingest_batch
from flywheel.landing import LandingZone

SAMPLE = SAMPLE_CRAWL_DIR / "sample-0001"


def sample_documents(workdir: Path) -> pa.Table:
    """`doc_id`, `url`, `domain`, `fetch_time`, `text` of every document in the sample batch."""
    landing = LandingZone(str(workdir / "landing"))
    landing.add_crawl_batch(str(SAMPLE), "sample")
    docs, rejects = workdir / "raw", workdir / "raw-rejects"
    docs.mkdir(), rejects.mkdir()
    ingest_batch(landing.list_batch_files("sample"), str(docs), str(rejects), limits=IngestLimits(), workers=2)
    return pq.read_table(docs, columns=["doc_id", "url", "domain", "fetch_time", "text"])
