"""`curation_ablation` through Dagster on the curated sample batch: every stage trained on the same
budget and scored on the same held-out text, reruns identical, a planted leak blocked."""

import json
import shutil
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from flywheel.ablation.heldout import REFERENCE_PROSE, reference_prose
from flywheel.ablation.settings import AblationSettings
from flywheel.datasets import CURATION_ABLATION, CURATION_DATASETS, QUALITY_SCORED_DOCS, RAW_CRAWL, TOKENIZER
from flywheel.home import FlywheelHome
from orchestration.definitions import build_definitions
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import StorageResource
from tests.conftest import with_safety_classifier
from tests.integration.conftest import SAMPLE_BATCH, copy_home, materialization_metadata

pytestmark = [pytest.mark.spark, pytest.mark.slow]
# 8 steps of 16 x 64 tokens per run: enough to tell the stages' text apart, cheap enough for CI.
CONFIG = {"token_budget": 8192, "sequence_length": 64, "seeds": [0], "heldout_documents": 12,
          "heldout_document_chars": 1500}


def _ablate(home: FlywheelHome, instance, config: dict = CONFIG):
    job = build_definitions(home).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(asset_selection=[dg.AssetKey(CURATION_ABLATION)], instance=instance,
                                  run_config={"ops": {CURATION_ABLATION: {"config": config}}}, raise_on_error=False)


@pytest.fixture(scope="module")
def ablated(curated_sample, test_spark_resource, trained_safety, tmp_path_factory):
    """(home, instance, result): the curated sample scored by a trained quality classifier, a
    tokenizer trained on it, and one ablation."""
    source = FlywheelHome(Path(curated_sample[1].root).parent)
    home = with_safety_classifier(copy_home(source, tmp_path_factory.mktemp("ablation") / "flywheel"),
                                  trained_safety)
    defs = build_definitions(home, spark=test_spark_resource)
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions(crawl_batch_partitions.name, [SAMPLE_BATCH])
        assert defs.resolve_job_def("quality_classifier_training").execute_in_process(instance=instance).success
        assert defs.resolve_job_def("curation").execute_in_process(
            partition_key=SAMPLE_BATCH, instance=instance, asset_selection=[dg.AssetKey(QUALITY_SCORED_DOCS)]).success
        assert defs.resolve_job_def("retraining").execute_in_process(
            instance=instance, asset_selection=[dg.AssetKey(TOKENIZER)]).success
        yield home, instance, _ablate(home, instance)


def _results(home: FlywheelHome) -> list[dict]:
    current = StorageResource.for_home(home).versioned_datasets().current(CURATION_ABLATION)
    return json.loads(Path(current["path"], "results.json").read_text())


def test_every_stage_trains_on_the_same_budget_and_is_compared_with_raw_crawl(ablated):
    home, _, result = ablated
    assert result.success
    [check] = result.get_asset_check_evaluations()
    assert check.check_name == "heldout_disjoint" and check.passed
    metadata = materialization_metadata(result, CURATION_ABLATION)
    results = _results(home)
    assert [r["stage"] for r in results] == list(CURATION_DATASETS)
    tokens = {r["summary"]["tokens_seen"] for r in results}
    assert tokens == {metadata["token_budget"]} == {8192}  # equal budgets, whatever each stage holds
    rows = metadata["results"].records
    assert len(rows) == 2 * len(CURATION_DATASETS)  # stage x {reference_prose, raw_crawl_slice}
    for row in (r.data for r in rows):
        assert 0 < row["bits_per_byte"] < 10
        assert (row["stage"] == RAW_CRAWL) == (row.get("difference") is None)
    assert set(metadata["repetition"]) == set(CURATION_DATASETS)
    assert metadata["repetition"][RAW_CRAWL] < metadata["repetition"][QUALITY_SCORED_DOCS]
    assert "| quality_scored_docs | reference_prose |" in metadata["table"] and metadata["verdicts"]


def test_identical_seeds_and_data_give_identical_results(ablated):
    home, instance, _ = ablated
    first = _results(home)
    runs = Path(home.checkpoints, CURATION_ABLATION)
    [raw_run] = [path for path in runs.glob("*/result.json") if json.loads(path.read_text())["stage"] == RAW_CRAWL]
    raw_run.unlink()  # forget the baseline's run: it trains again, from the same seed on the same data
    assert _ablate(home, instance).success
    again = _results(home)
    assert raw_run.exists() and [r["heldout"] for r in again] == [r["heldout"] for r in first]
    assert not list(runs.glob("*/checkpoints")) and not list(runs.glob("*/export"))  # only results are kept


def test_a_planted_leak_fails_the_blocking_check_and_trains_nothing(ablated, tmp_path):
    home = copy_home(ablated[0], tmp_path / "flywheel")
    storage = StorageResource.for_home(home)
    published = storage.versioned_datasets().current(CURATION_ABLATION)
    settings = AblationSettings(**CONFIG)
    [(doc_id, text)] = reference_prose(settings.reference_prose_path, 1, 10_000).documents
    lake = storage.lake()
    with lake.stage(RAW_CRAWL, "leaked-batch") as staged:  # a crawl that picked up a held-out page
        pq.write_table(pa.table({"doc_id": ["crawled-copy"], "text": [f"Mirror of {doc_id}\n\n{text}"]}),
                       f"{staged.path}/part-0.parquet")
    lake.publish(staged)
    shutil.rmtree(Path(home.checkpoints, CURATION_ABLATION))
    with dg.instance_for_test() as instance:
        result = _ablate(home, instance)
    assert not result.success
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and REFERENCE_PROSE in check.description and doc_id in check.description
    assert not result.get_asset_materialization_events()
    assert storage.versioned_datasets().current(CURATION_ABLATION) == published  # the last table stays
    assert not Path(home.checkpoints, CURATION_ABLATION).exists()  # nothing was trained


def test_it_turns_stale_when_curation_or_the_tokenizer_changes(ablated):
    """Last in this module: it replaces the home's tokenizer."""
    from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
    from dagster._core.loader import LoadingContextForTest

    home, instance, _ = ablated
    definitions = build_definitions(home)

    def status() -> StaleStatus:
        resolver = CachingStaleStatusResolver(instance, definitions.resolve_asset_graph(),
                                              LoadingContextForTest(instance))
        return resolver.get_status(dg.AssetKey(CURATION_ABLATION))

    assert status() == StaleStatus.FRESH
    assert definitions.resolve_job_def("retraining").execute_in_process(
        instance=instance, asset_selection=[dg.AssetKey(TOKENIZER)],
        run_config={"ops": {TOKENIZER: {"config": {"vocab_size": 1024}}}}).success
    assert status() == StaleStatus.STALE
