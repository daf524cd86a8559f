"""`filtered_docs` and `filtered_docs_rejected`: heuristic filtering of a crawl batch with Spark."""

import dagster as dg
from pydantic import Field

from flywheel.filtering.c4 import C4Settings
from flywheel.filtering.fineweb import FineWebSettings
from flywheel.filtering.gopher_quality import GopherQualitySettings
from flywheel.filtering.gopher_repetition import GopherRepetitionSettings
from flywheel.filtering.language_id import LanguageSettings
from flywheel.filtering.pipeline import FilterSettings
from flywheel.filtering.spark_job import FilterReport, run_filtering
from flywheel.filtering.url_blocklist import UrlBlocklistSettings
from orchestration.metadata import clip, counts_table, table
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import SparkResource, StorageResource
from orchestration.settings import settings_of

FILTERED_DOCS = "filtered_docs"
FILTERED_DOCS_REJECTED = "filtered_docs_rejected"


# Dagster config classes that carry the plain filter settings (same fields, same defaults).
class UrlBlocklistConfig(dg.Config, UrlBlocklistSettings):
    pass


class LanguageConfig(dg.Config, LanguageSettings):
    pass


class GopherRepetitionConfig(dg.Config, GopherRepetitionSettings):
    pass


class GopherQualityConfig(dg.Config, GopherQualitySettings):
    pass


class C4Config(dg.Config, C4Settings):
    pass


class FineWebConfig(dg.Config, FineWebSettings):
    pass


class FilteredDocsConfig(dg.Config):
    """Every rule's threshold; set `enabled: false` on a step, or a threshold to null, to skip it."""

    url_blocklist: UrlBlocklistConfig = UrlBlocklistConfig()
    language: LanguageConfig = LanguageConfig()
    gopher_repetition: GopherRepetitionConfig = GopherRepetitionConfig()
    gopher_quality: GopherQualityConfig = GopherQualityConfig()
    c4: C4Config = C4Config()
    fineweb: FineWebConfig = FineWebConfig()
    examples_per_rule: int = Field(default=3, description="Dropped examples per rule in the metadata.")

    def settings(self) -> FilterSettings:
        return settings_of(self, FilterSettings)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            FILTERED_DOCS, group_name="curation", kinds={"spark", "parquet"},
            deps=["raw_crawl"],
            description="Documents of a crawl batch that pass every heuristic filter, in FineWeb's "
                        "order: URL blocklist, fastText language id (English >= 0.65), Gopher "
                        "repetition, Gopher quality, C4 (which also removes boilerplate lines), "
                        "FineWeb. Adds `language` and `language_score`."),
        dg.AssetSpec(
            FILTERED_DOCS_REJECTED, group_name="curation", kinds={"spark", "parquet"},
            deps=["raw_crawl"],
            description="Every document `filtered_docs` dropped, with `reason` (the first failing "
                        "rule), the `value` it measured, the `threshold` it broke and a `detail`."),
    ],
    partitions_def=crawl_batch_partitions,
    can_subset=False,
)
def filtered_docs(context: dg.AssetExecutionContext, config: FilteredDocsConfig,
                  storage: StorageResource, spark: SparkResource):
    """Filter one `raw_crawl` partition with Spark (Arrow batches; models loaded once per worker)."""
    batch = context.partition_key
    lake = storage.lake()
    if not lake.has_partition("raw_crawl", batch):
        raise dg.Failure(f"raw_crawl has no partition {batch!r}; materialize raw_crawl first")
    session = spark.get_session()
    with lake.staging_dir() as staging:
        kept_dir, rejected_dir = f"{staging}/{FILTERED_DOCS}", f"{staging}/{FILTERED_DOCS_REJECTED}"
        report = run_filtering(session, lake.url(lake.partition_path("raw_crawl", batch)),
                               lake.url(kept_dir), lake.url(rejected_dir), config.settings(),
                               config.examples_per_rule)
        lake.publish(kept_dir, FILTERED_DOCS, batch)
        lake.publish(rejected_dir, FILTERED_DOCS_REJECTED, batch)
    context.log.info(f"Kept {report.kept} of {report.rows_in} documents")
    yield _kept_result(report, lake, batch)
    yield _rejected_result(report, lake, batch)


def _kept_result(report: FilterReport, lake, batch: str) -> dg.MaterializeResult:
    preview = lake.head(FILTERED_DOCS, batch, 10, ["url", "language", "language_score", "text"]).to_pylist()
    for row in preview:
        row["text"] = clip(row["text"])
    return dg.MaterializeResult(asset_key=FILTERED_DOCS, metadata={
        "dagster/row_count": report.kept,
        "rows_in": report.rows_in,
        "rows_kept": report.kept,
        "rows_dropped": report.dropped,
        "kept_share": round(report.kept / report.rows_in, 4) if report.rows_in else 0.0,
        "drops_by_rule": counts_table(report.drops_by_rule, "rule", total=report.rows_in),
        "languages": counts_table(report.languages, "language"),
        "preview": table(preview, ["url", "language", "language_score", "text"]),
        "path": dg.MetadataValue.path(lake.url(lake.partition_path(FILTERED_DOCS, batch))),
    })


def _rejected_result(report: FilterReport, lake, batch: str) -> dg.MaterializeResult:
    examples = [{**row, "text": clip(row["text"])} for row in report.examples]
    return dg.MaterializeResult(asset_key=FILTERED_DOCS_REJECTED, metadata={
        "dagster/row_count": report.dropped,
        "drops_by_rule": counts_table(report.drops_by_rule, "rule", total=report.rows_in),
        "examples": table(examples, ["reason", "url", "value", "threshold", "detail", "text"]),
        "path": dg.MetadataValue.path(lake.url(lake.partition_path(FILTERED_DOCS_REJECTED, batch))),
    })
