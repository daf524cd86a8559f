"""`quality_scored_docs`'s eager automation condition, evaluated the way `quality_rescoring` does on
each tick (with the cursor carried between ticks), over materializations recorded in a real instance."""

import dagster as dg

from flywheel.datasets import DEDUPLICATED_DOCS, QUALITY_CLASSIFIER, QUALITY_SCORED_DOCS
from orchestration.definitions import build_definitions
from orchestration.partitions import crawl_batch_partitions

BATCHES = ["b1", "b2"]


def _materialized(instance, key: str, partition: str | None = None) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=partition))


def test_a_new_classifier_rescores_every_curated_batch_once(home):
    definitions = build_definitions(home)
    selection = dg.AssetSelection.assets(QUALITY_SCORED_DOCS)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(crawl_batch_partitions.name, BATCHES)
        cursor = None

        def tick() -> set[str]:
            nonlocal cursor
            result = dg.evaluate_automation_conditions(definitions, instance, asset_selection=selection,
                                                        cursor=cursor)
            cursor = result.cursor
            return {key for r in result.results for key in r.true_subset.expensively_compute_partition_keys()}

        for batch in BATCHES:
            _materialized(instance, DEDUPLICATED_DOCS, batch)
        assert tick() == set()  # no classifier yet: nothing to score with
        _materialized(instance, QUALITY_CLASSIFIER)
        assert tick() == set(BATCHES)  # the first classifier scores what was curated before it
        for batch in BATCHES:
            _materialized(instance, QUALITY_SCORED_DOCS, batch)
        assert tick() == set()
        _materialized(instance, QUALITY_CLASSIFIER)  # a new version
        assert tick() == set(BATCHES)
        assert tick() == set()  # requested once, not on every tick
