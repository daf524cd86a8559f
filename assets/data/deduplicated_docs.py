"""`deduplicated_docs`, `dedup_clusters` and `minhash_index`: exact + MinHash dedup of a batch."""

import dagster as dg
from pydantic import Field

from flywheel.datasets import DEDUP_CLUSTERS, DEDUPLICATED_DOCS, FILTERED_DOCS, MINHASH_INDEX
from flywheel.dedup.settings import DedupSettings
from flywheel.dedup.spark_job import DedupInputs, DedupOutputs, DedupReport, run_dedup
from flywheel.quality.suites import deduplicated_docs_suite, with_text_hash
from orchestration.audit import IntegrityConfig, audit, filtered_language_settings, integrity_spec, publish_if_passed
from orchestration.inputs import require_partition
from orchestration.metadata import clip, kept_metadata, partition_path_value, seconds_table, table
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import SparkResource, StorageResource
from orchestration.settings import config_class, settings_of


class DeduplicatedDocsConfig(config_class(DedupSettings)):
    """Shingles, MinHash size, LSH banding, threshold and verification (see the README)."""

    pair_examples: int = Field(default=5, description="Near-duplicate pairs shown in the metadata.")
    integrity: IntegrityConfig = IntegrityConfig()


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            DEDUPLICATED_DOCS, group_name="curation", kinds={"spark", "parquet"}, deps=[FILTERED_DOCS],
            description="One document per cluster of exact or near duplicates (word 5-gram Jaccard "
                        ">= 0.8 by default), within the batch and against every other batch's "
                        "kept documents. Adds `cluster_size`."),
        dg.AssetSpec(
            DEDUP_CLUSTERS, group_name="curation", kinds={"spark", "parquet"}, deps=[FILTERED_DOCS],
            description="Every document of the batch with its `cluster_id`, whether it was `kept`, "
                        "and for the others `duplicate_of` / `duplicate_of_batch` (the kept copy) "
                        "and `duplicate_kind` (`exact` or `near`)."),
        dg.AssetSpec(
            MINHASH_INDEX, group_name="curation", kinds={"spark", "parquet"}, deps=[FILTERED_DOCS],
            description="The persistent index new batches are deduplicated against: exact hash, "
                        "MinHash signature and LSH band keys of every kept document, one "
                        "partition per batch, written after the batch's documents."),
    ],
    check_specs=[integrity_spec(DEDUPLICATED_DOCS, "schema, non-null unique `doc_id`, text bounds, languages, "
                                                   "`cluster_size` >= 1, no two documents with the same "
                                                   "normalized text")],
    partitions_def=crawl_batch_partitions,
    can_subset=False,
    pool=MINHASH_INDEX,
)
def deduplicated_docs(context: dg.AssetExecutionContext, config: DeduplicatedDocsConfig,
                      storage: StorageResource, spark: SparkResource):
    """Deduplicate one `filtered_docs` partition with Spark against the index of other batches.

    A rerun of a batch ignores the batch's own index partition, so its documents never become
    duplicates of themselves; the three outputs are published together, and only if the integrity
    check of the staged `deduplicated_docs` passes.
    """
    batch = context.partition_key
    lake = storage.lake()
    docs_path = require_partition(lake, FILTERED_DOCS, batch)
    others = [b for b in lake.partitions(MINHASH_INDEX) if b != batch]
    inputs = DedupInputs(
        batch=batch,
        docs_url=lake.url(docs_path),
        prior_index_urls=[lake.url(lake.partition_path(MINHASH_INDEX, b)) for b in others],
        prior_docs_urls={b: lake.url(lake.partition_path(DEDUPLICATED_DOCS, b)) for b in others
                         if lake.has_partition(DEDUPLICATED_DOCS, b)})
    settings = settings_of(config, DedupSettings)
    with (lake.stage(DEDUPLICATED_DOCS, batch) as kept, lake.stage(DEDUP_CLUSTERS, batch) as clusters,
          lake.stage(MINHASH_INDEX, batch) as index):
        report = run_dedup(spark.get_session(), inputs,
                           DedupOutputs(kept_url=lake.url(kept.path), clusters_url=lake.url(clusters.path),
                                        index_url=lake.url(index.path)),
                           settings, config.pair_examples)
    suite = deduplicated_docs_suite(*config.integrity.language_bounds(filtered_language_settings(lake, batch)))
    check = audit(lake, kept, suite, config.integrity.max_rows, prepare=with_text_hash)
    yield from publish_if_passed(lake, check, kept, clusters, index)  # the index last
    context.log.info(f"Kept {report.kept} of {report.rows_in} documents "
                     f"({report.rows_in - report.kept} duplicates; index of {len(others)} other batches)")
    yield dg.MaterializeResult(asset_key=DEDUPLICATED_DOCS, metadata=_kept_metadata(report, lake, batch))
    yield dg.MaterializeResult(asset_key=DEDUP_CLUSTERS, metadata=_clusters_metadata(report, lake, batch))
    yield dg.MaterializeResult(asset_key=MINHASH_INDEX, metadata={
        "dagster/row_count": report.kept,
        "documents_in_index_before": report.prior_index_docs,
        "documents_in_index_after": report.prior_index_docs + report.kept,
        "other_batches": len(others),
        "bands_x_rows": f"{report.bands} x {report.rows}",
        "path": partition_path_value(lake, MINHASH_INDEX, batch),
    })


def _kept_metadata(report: DedupReport, lake, batch: str) -> dict:
    return {
        **kept_metadata(report.rows_in, report.kept),
        "exact_duplicates_in_batch": report.exact_in_batch,
        "exact_duplicates_of_earlier_batches": report.exact_vs_index,
        "near_duplicates_in_batch": report.near_in_batch,
        "near_duplicates_of_earlier_batches": report.near_vs_index,
        "duplicate_share": round(report.removed / report.rows_in, 4) if report.rows_in else 0.0,
        "path": partition_path_value(lake, DEDUPLICATED_DOCS, batch),
    }


def _clusters_metadata(report: DedupReport, lake, batch: str) -> dict:
    examples = [{**pair, "text_a": clip(pair["text_a"], 120), "text_b": clip(pair["text_b"], 120)}
                for pair in report.pair_examples]
    return {
        "dagster/row_count": report.rows_in,
        "cluster_size_histogram": table(
            [{"cluster_size": size, "clusters": count} for size, count in report.cluster_sizes.items()],
            ["cluster_size", "clusters"]),
        "lsh_candidate_pairs": report.candidate_pairs,
        "pairs_at_threshold": report.verified_pairs,
        "false_positives_removed": report.candidate_pairs - report.verified_pairs,
        "pairs_judged_by_signature": report.signature_only_pairs,
        "connected_component_rounds": report.cc_rounds,
        "components_found_on_driver": report.components_on_driver,
        "buckets_formed_on_driver": report.buckets_on_driver,
        "seconds_per_step": seconds_table(report.stage_seconds, "step"),
        "near_duplicate_pairs": table(
            examples, ["jaccard", "method", "url_a", "batch_a", "url_b", "batch_b", "text_a", "text_b"]),
        "path": partition_path_value(lake, DEDUP_CLUSTERS, batch),
    }
