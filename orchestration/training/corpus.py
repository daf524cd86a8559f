"""The curated documents training reads: every kept `quality_scored_docs` partition, in order."""

from collections.abc import Iterator

import dagster as dg

from flywheel.datasets import QUALITY_SCORED_DOCS
from flywheel.lake import Lake

SOURCE = QUALITY_SCORED_DOCS


def curated_partitions(lake: Lake) -> list[str]:
    partitions = lake.partitions(SOURCE)
    if not partitions:
        raise dg.Failure(f"{SOURCE} has no partitions yet: curate a crawl batch and train the "
                         "quality classifier first (`make demo` does both)")
    return partitions


def curated_documents(lake: Lake, partitions: list[str]) -> Iterator[tuple[str, str]]:
    """(doc_id, text) of every kept document, partition by partition, streamed in record batches."""
    for partition in partitions:
        for batch in lake.iter_batches(SOURCE, partition, ["doc_id", "text"]):
            yield from zip(batch.column("doc_id").to_pylist(), batch.column("text").to_pylist())
