"""`quality_classifier` and `quality_scored_docs` through Dagster on the curated sample batch."""

import dagster as dg
import numpy as np
import pandas as pd
import pytest
from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
from dagster._core.loader import LoadingContextForTest

from flywheel.bundled import REFERENCE_PROSE, SPAM_HOLDOUT
from flywheel.fasttext_model import load_model
from flywheel.quality_classifier.examples import is_heldout, read_jsonl_documents
from flywheel.quality_classifier.metrics import roc_auc
from flywheel.quality_classifier.model import hq_scores
from tests.integration.conftest import SAMPLE_BATCH, materialization_metadata

pytestmark = [pytest.mark.spark, pytest.mark.slow]
SCORED = dg.AssetKey("quality_scored_docs")


def _train(defs, instance, **config):
    run_config = {"ops": {"quality_classifier": {"config": config}}} if config else None
    result = defs.resolve_job_def("quality_classifier_training").execute_in_process(instance=instance,
                                                                                     run_config=run_config)
    [event] = result.get_asset_materialization_events()
    return materialization_metadata(result, "quality_classifier"), event


def _score(defs, instance):
    return defs.resolve_job_def("curation").execute_in_process(
        partition_key=SAMPLE_BATCH, instance=instance, asset_selection=[SCORED])


def _stale_status(defs, instance) -> StaleStatus:
    resolver = CachingStaleStatusResolver(instance, defs.resolve_asset_graph(), LoadingContextForTest(instance))
    return resolver.get_status(SCORED, SAMPLE_BATCH)


@pytest.fixture(scope="module")
def trained(curated_sample):
    defs, lake, instance, curation = curated_sample
    metadata, event = _train(defs, instance)
    return defs, lake, instance, curation, metadata, event


def test_scoring_waits_for_a_classifier(trained):
    *_, curation, _, _ = trained
    materialized = {e.asset_key.to_user_string() for e in curation.get_asset_materialization_events()}
    assert "deduplicated_docs" in materialized and "quality_scored_docs" not in materialized
    assert curation.success


def test_classifier_is_evaluated_versioned_and_stored(trained):
    defs, lake, instance, _, metadata, event = trained
    version = metadata["version"]
    assert event.materialization.tags["dagster/data_version"] == version
    model_dir = lake.fs._strip_protocol(metadata["path"])
    assert lake.fs.exists(f"{model_dir}/model.bin")
    assert metadata["heldout_roc_auc"] >= 0.8  # reference prose vs crawl documents it never trained on
    assert metadata["external_roc_auc"] > 0.55  # ham above spam, mails it never saw
    assert metadata["external_documents"] == 300
    assert 0.0 < metadata["threshold"] < 1.0 and metadata["threshold_rule"].startswith("top 30%")
    assert metadata["train_examples_reference"] == metadata["train_examples_crawl"] > 100
    assert "data:image/png;base64," in metadata["score_histogram"]
    # Held-out reference text against spam the model never saw: far better than chance (0.5),
    # although only ~35 of the ~90 crawl documents it learnt from are spam (0.85 measured).
    model = load_model(f"{metadata['path']}/model.bin")
    reference = [d["text"] for d in read_jsonl_documents(str(REFERENCE_PROSE)) if is_heldout(d["id"], 0.2)]
    spam = [d["text"] for d in read_jsonl_documents(str(SPAM_HOLDOUT)) if d["label"] == "spam"]
    labels = np.r_[np.ones(len(reference), bool), np.zeros(len(spam), bool)]
    assert roc_auc(labels, np.r_[hq_scores(model, reference), hq_scores(model, spam)]) >= 0.8


def test_scored_batch_splits_at_the_threshold_and_reruns_identically(trained):
    defs, lake, instance, _, classifier, _ = trained
    result = _score(defs, instance)
    metadata = materialization_metadata(result, "quality_scored_docs")
    kept = lake.read_partition("quality_scored_docs", SAMPLE_BATCH).to_pandas()
    rejected = lake.read_partition("quality_scored_docs_rejected", SAMPLE_BATCH).to_pandas()
    deduplicated = lake.row_count("deduplicated_docs", SAMPLE_BATCH)
    assert len(kept) + len(rejected) == deduplicated == metadata["rows_in"]
    assert len(kept) == metadata["rows_kept"] > 0 and len(rejected) > 0
    assert (kept.quality_score >= classifier["threshold"] - 1e-6).all()
    assert (rejected.quality_score < classifier["threshold"] + 1e-6).all()
    assert rejected.reason.str.startswith("quality_score ").all()
    assert kept.quality_score.between(0, 1).all() and set(kept.quality_classifier_version) == {classifier["version"]}
    # Spam and mailing-list mail score below the Python documentation pages.
    scores = lambda frame, host: frame[frame.url.str.contains(host)].quality_score  # noqa: E731
    both = pd.concat([kept, rejected])
    assert scores(both, "docs.python.org").median() > scores(both, "spamassassin").median()
    assert _stale_status(defs, instance) == StaleStatus.FRESH

    _, same = _train(defs, instance)  # same data and settings: same version, nothing stale
    assert same.materialization.tags["dagster/data_version"] == classifier["version"]
    _score(defs, instance)
    again = lake.read_partition("quality_scored_docs", SAMPLE_BATCH).to_pandas()
    assert sorted(again.doc_id) == sorted(kept.doc_id)

    retrained, _ = _train(defs, instance, fasttext={"epoch": 10})
    assert retrained["version"] != classifier["version"]
    assert _stale_status(defs, instance) == StaleStatus.STALE
    _score(defs, instance)
    assert _stale_status(defs, instance) == StaleStatus.FRESH
    rescored = lake.read_partition("quality_scored_docs", SAMPLE_BATCH).to_pandas()
    assert set(rescored.quality_classifier_version) == {retrained["version"]}
