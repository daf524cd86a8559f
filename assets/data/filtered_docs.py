"""`filtered_docs` and `filtered_docs_rejected`: heuristic filtering of a crawl batch with Spark."""

import dagster as dg
from pydantic import Field

from flywheel.datasets import FILTERED_DOCS, FILTERED_DOCS_REJECTED, RAW_CRAWL, SAFETY_CLASSIFIER
from flywheel.filtering.pipeline import SETTINGS_FILE, FilterSettings, step_order
from flywheel.filtering.spark_job import FilterReport, run_filtering
from flywheel.quality.suites import filtered_docs_suite
from flywheel.safety.published import current_record
from orchestration.audit import IntegrityConfig, audit, integrity_spec, publish_if_passed
from orchestration.inputs import require_partition
from orchestration.metadata import clip, counts_table, kept_metadata, partition_path_value, seconds_table, table
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import SparkResource, StorageResource
from orchestration.settings import config_class, settings_of


class FilteredDocsConfig(config_class(FilterSettings)):
    """Every rule's threshold, one section per filter step; set `enabled: false` on a step, or a
    threshold to null, to skip it."""

    examples_per_rule: int = Field(default=3, description="Dropped examples per rule in the metadata.")
    integrity: IntegrityConfig = IntegrityConfig()


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            FILTERED_DOCS, group_name="curation", kinds={"spark", "parquet"},
            deps=[RAW_CRAWL, SAFETY_CLASSIFIER],
            description="Documents of a crawl batch that pass every heuristic filter, in FineWeb's "
                        "order: URL blocklist, fastText language id (English >= 0.65), Gopher "
                        "repetition, Gopher quality, C4 (which also removes boilerplate lines), "
                        "FineWeb; then the safety classifier (harassment, sexual, violence, "
                        "self-harm, illicit). Adds `language` and `language_score`."),
        dg.AssetSpec(
            FILTERED_DOCS_REJECTED, group_name="curation", kinds={"spark", "parquet"},
            deps=[RAW_CRAWL, SAFETY_CLASSIFIER],
            description="Every document `filtered_docs` dropped, with `reason` (the first failing "
                        "rule), the `value` it measured, the `threshold` it broke and a `detail`."),
    ],
    check_specs=[integrity_spec(FILTERED_DOCS, "schema, non-null unique `doc_id`, text bounds, only the "
                                               "configured languages at or above their minimum score")],
    partitions_def=crawl_batch_partitions,
    can_subset=False,
)
def filtered_docs(context: dg.AssetExecutionContext, config: FilteredDocsConfig,
                  storage: StorageResource, spark: SparkResource):
    """Filter one `raw_crawl` partition with Spark (Arrow batches; models loaded once per worker).
    The settings used are stored with the partition, so later checks know what it promises; the
    partition is published only if its integrity check passes."""
    batch = context.partition_key
    lake = storage.lake()
    raw_path = require_partition(lake, RAW_CRAWL, batch)
    settings = _with_safety_classifier(settings_of(config, FilterSettings), storage)
    with lake.stage(FILTERED_DOCS, batch) as kept, lake.stage(FILTERED_DOCS_REJECTED, batch) as rejected:
        report = run_filtering(spark.get_session(), lake.url(raw_path), lake.url(kept.path), lake.url(rejected.path),
                               settings, config.examples_per_rule)
        lake.fs.pipe_file(f"{kept.path}/{SETTINGS_FILE}", settings.model_dump_json(indent=2).encode())
    suite = filtered_docs_suite(*config.integrity.language_bounds(settings.language))
    check = audit(lake, kept, suite, config.integrity.max_rows)
    yield from publish_if_passed(lake, check, rejected, kept)
    context.log.info(f"Kept {report.kept} of {report.rows_in} documents")
    yield _kept_result(report, lake, batch, settings)
    yield _rejected_result(report, lake, batch)


def _with_safety_classifier(settings: FilterSettings, storage: StorageResource) -> FilterSettings:
    """The settings with the safety step pointed at the current safety classifier (unless the step
    is off or names a classifier itself); the stored settings then record which version filtered."""
    if not settings.safety.enabled or settings.safety.model_url is not None:
        return settings
    safety = settings.safety.model_copy(update={"model_url": current_record(storage.models())["model_url"]})
    return settings.model_copy(update={"safety": safety})


def _drop_table(report: FilterReport) -> dg.TableMetadataValue:
    """Drops per rule in cascade order (the order the rules ran), each with its share of the input."""
    rows = [{"rule": rule, "count": count, "share": round(count / report.rows_in, 4) if report.rows_in else 0.0}
            for rule, count in sorted(report.drops_by_rule.items(), key=lambda kv: (step_order(kv[0]), -kv[1]))]
    return table(rows, ["rule", "count", "share"])


def _kept_result(report: FilterReport, lake, batch: str, settings: FilterSettings) -> dg.MaterializeResult:
    preview = lake.head(FILTERED_DOCS, batch, 10, ["url", "language", "language_score", "text"]).to_pylist()
    for row in preview:
        row["text"] = clip(row["text"])
    return dg.MaterializeResult(asset_key=FILTERED_DOCS, metadata={
        **kept_metadata(report.rows_in, report.kept),
        "drops_by_rule": _drop_table(report),
        "safety_dropped": sum(n for rule, n in report.drops_by_rule.items() if rule.startswith("safety.")),
        "safety_classifier": settings.safety.model_url if settings.safety.enabled else "off",
        "languages": counts_table(report.languages, "language"),
        "seconds_per_stage": seconds_table(report.stage_seconds, "stage"),
        # Summed over the workers' tasks; the first step that splits words pays for tokenizing them.
        "worker_seconds_per_step": seconds_table(report.worker_seconds, "step"),
        "preview": table(preview, ["url", "language", "language_score", "text"]),
        "path": partition_path_value(lake, FILTERED_DOCS, batch),
    })


def _rejected_result(report: FilterReport, lake, batch: str) -> dg.MaterializeResult:
    examples = sorted(({**row, "text": clip(row["text"])} for row in report.examples),
                      key=lambda row: step_order(row["reason"]))
    return dg.MaterializeResult(asset_key=FILTERED_DOCS_REJECTED, metadata={
        "dagster/row_count": report.dropped,
        "drops_by_rule": _drop_table(report),
        "examples": table(examples, ["reason", "value", "threshold", "detail", "url", "text"]),
        "path": partition_path_value(lake, FILTERED_DOCS_REJECTED, batch),
    })
