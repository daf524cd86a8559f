"""`raw_crawl` and `raw_crawl_rejected`: one crawl batch from the landing zone into the lake."""

import os
from typing import Literal

import dagster as dg
from pydantic import Field

from flywheel.crawl.documents import IngestLimits
from flywheel.crawl.ingest import BatchReport, ingest_batch, local_readers
from flywheel.datasets import RAW_CRAWL, RAW_CRAWL_REJECTED
from flywheel.quality.suites import raw_crawl_suite
from flywheel.spark_session import is_local_master
from orchestration.audit import IntegrityConfig, audit, integrity_spec, publish_if_passed
from orchestration.catalog import LANDING_CRAWL
from orchestration.metadata import clip, counts_table, partition_path_value, table
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import SparkResource, StorageResource

PREVIEW_COLUMNS = ["url", "domain", "source_format", "title", "text_chars", "text"]


class RawCrawlConfig(dg.Config):
    max_payload_bytes: int = Field(default=IngestLimits.max_payload_bytes,
                                   description="Records with a larger payload are rejected as too large.")
    max_text_chars: int = Field(default=IngestLimits.max_text_chars,
                                description="Documents with more extracted characters are rejected.")
    max_not_text_share: float = Field(
        default=IngestLimits.max_not_text_share,
        description="Largest share of undecodable/control characters a document may have.")
    reader: Literal["auto", "spark", "processes"] = Field(
        default="auto",
        description="Who reads the files: Spark tasks, one per file, on the session's executors (`spark`), or "
                    "local processes (`processes`). `auto`: Spark when the master is a cluster, local processes "
                    "on `local[*]`, where Spark would run the same readers on the same cores and only add its "
                    "start-up to the run's critical path.")
    workers: int = Field(default=0, description="Most local file readers (`processes`); 0 means one per CPU core.")
    min_bytes_per_worker: int = Field(
        default=16 * 2**20, ge=1,
        description="Each local reader process gets at least this many bytes of files to read; a smaller batch "
                    "is read in the run's own process (a process's start-up costs what it reads of ~4 MB).")
    preview_rows: int = Field(default=10, description="Documents and rejects shown in the metadata.")
    integrity: IntegrityConfig = IntegrityConfig()

    def limits(self) -> IngestLimits:
        return IngestLimits(self.max_payload_bytes, self.max_text_chars, self.max_not_text_share)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            RAW_CRAWL, group_name="curation", kinds={"python", "spark", "parquet"},
            description="Every document of a crawl batch with its main text extracted from HTML "
                        "(Resiliparse). Parquet at `lake/raw_crawl/<batch>/`; `doc_id` is a hash of "
                        "URL and text and is unique within the batch.", deps=[LANDING_CRAWL]),
        dg.AssetSpec(
            RAW_CRAWL_REJECTED, group_name="curation", kinds={"python", "spark", "parquet"},
            description="Every record or file of the batch that did not become a document, with "
                        "the `reason` and a `detail` (truncated gzip, malformed record, non-HTML "
                        "payload, undecodable bytes, empty or oversized document, bad JSONL line...).",
            deps=[LANDING_CRAWL]),
    ],
    check_specs=[integrity_spec(RAW_CRAWL, "schema, non-null unique `doc_id`, text bounds, value ranges")],
    partitions_def=crawl_batch_partitions,
    can_subset=False,
)
def raw_crawl(context: dg.AssetExecutionContext, config: RawCrawlConfig, storage: StorageResource,
              spark: SparkResource):
    """Read every WARC, WET and JSONL file of a crawl batch from `landing/crawl/<batch>/`.

    Files are read in parallel (Spark tasks on a cluster, local processes otherwise: `reader`)
    into a staged version of the partition; it is published (the partition's pointer replaced
    atomically) only if its integrity check passes, so readers never see a half-written or
    unvalidated partition.
    """
    batch = context.partition_key
    landing, lake = storage.landing(), storage.lake()
    files = landing.list_batch_files(batch)
    on_spark = config.reader == "spark" or (config.reader == "auto" and not is_local_master(spark.master))
    workers = local_readers(files, config.workers or os.cpu_count() or 1, config.min_bytes_per_worker)
    reader = "spark" if on_spark else f"{workers} local process{'es' if workers > 1 else ''}"
    context.log.info(f"Ingesting {len(files)} files of crawl batch {batch!r} "
                     + (f"in Spark tasks ({spark.master})" if on_spark else f"in {reader}"))
    with lake.stage(RAW_CRAWL, batch) as docs, lake.stage(RAW_CRAWL_REJECTED, batch) as rejects:
        report = ingest_batch(files, lake.url(docs.path), lake.url(rejects.path), limits=config.limits(),
                              workers=workers, spark=spark.get_session() if on_spark else None)
    check = audit(lake, docs, raw_crawl_suite(config.limits()), config.integrity.max_rows)
    yield from publish_if_passed(lake, check, rejects, docs)
    context.log.info(f"{report.documents} documents kept, "
                     f"{sum(report.rejections_by_reason.values())} rejected")
    yield _documents_result(report, lake, batch, config.preview_rows, reader)
    yield _rejections_result(report, lake, batch, config.preview_rows)


def _documents_result(report: BatchReport, lake, batch: str, preview_rows: int, reader: str) -> dg.MaterializeResult:
    rejected = sum(report.rejections_by_reason.values())
    preview = lake.head(RAW_CRAWL, batch, preview_rows, PREVIEW_COLUMNS).to_pylist()
    for row in preview:
        row["text"] = clip(row["text"])
    files = [{"source_file": f.source_file, "format": f.source_format, "bytes": f.input_bytes,
              "documents": f.documents, "rejected": sum(f.rejections.values())} for f in report.files]
    return dg.MaterializeResult(asset_key=RAW_CRAWL, metadata={
        "dagster/row_count": report.documents,
        "documents_in": report.documents + rejected,
        "documents_out": report.documents,
        "input_bytes": dg.MetadataValue.int(report.input_bytes),
        "output_bytes": dg.MetadataValue.int(lake.partition_bytes(RAW_CRAWL, batch)),
        "rejects_by_reason": counts_table(report.rejections_by_reason, "reason"),
        "skipped_records": counts_table(report.skipped_records, "warc_record_type"),
        "files": table(files),
        "reader": reader,
        "preview": table(preview, PREVIEW_COLUMNS),
        "path": partition_path_value(lake, RAW_CRAWL, batch),
    })


def _rejections_result(report: BatchReport, lake, batch: str, preview_rows: int) -> dg.MaterializeResult:
    by_reason = report.rejections_by_reason
    examples = lake.head(RAW_CRAWL_REJECTED, batch, preview_rows,
                         ["source_file", "record_locator", "url", "reason", "detail"]).to_pylist()
    return dg.MaterializeResult(asset_key=RAW_CRAWL_REJECTED, metadata={
        "dagster/row_count": sum(by_reason.values()),
        "rejects_by_reason": counts_table(by_reason, "reason"),
        "examples": table(examples, ["source_file", "record_locator", "url", "reason", "detail"]),
        "path": partition_path_value(lake, RAW_CRAWL_REJECTED, batch),
    })
