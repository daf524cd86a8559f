"""Shared fixtures: a throwaway FLYWHEEL_HOME, the bundled sample batch and one Spark session."""

from pathlib import Path

import pytest

from flywheel.bundled import SAMPLE_CRAWL_DIR
from flywheel.home import FlywheelHome

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_BATCH_DIR = SAMPLE_CRAWL_DIR / "sample-0001"


@pytest.fixture
def home(tmp_path, monkeypatch) -> FlywheelHome:
    """An empty FLYWHEEL_HOME whose Dagster instance lives inside it."""
    flywheel_home = FlywheelHome(tmp_path / "flywheel").ensure()
    monkeypatch.setenv("FLYWHEEL_HOME", str(flywheel_home.root))
    monkeypatch.setenv("DAGSTER_HOME", str(flywheel_home.dagster_home))
    return flywheel_home


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole test run (a cold start takes ~20 s)."""
    from flywheel.spark_session import build_spark_session

    session = build_spark_session("local[2]", "flywheel-tests",
                                  {"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4"},
                                  "127.0.0.1")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory):
    """A tokenizer and an untrained tiny Llama saved together, as `sft_model` exports are: for tests of
    what reads exported models (evaluation, serving)."""
    import gzip
    import json

    import torch
    from transformers import LlamaForCausalLM

    from flywheel.training.presets import model_config
    from flywheel.training.tokenizer import TokenizerSettings, load_tokenizer, train_tokenizer
    from tests.integration.training_fixtures import REFERENCE

    out = tmp_path_factory.mktemp("model")
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as handle:
        texts = [row["text"] for row in map(json.loads, handle)][:40]
    train_tokenizer(texts, TokenizerSettings(vocab_size=1024), out)
    t = load_tokenizer(str(out))
    torch.manual_seed(0)
    LlamaForCausalLM(model_config("tiny", len(t), 128, t.pad_token_id, t.bos_token_id, t.eos_token_id)
                     ).save_pretrained(str(out))
    return out


@pytest.fixture(scope="session")
def trained_safety(tmp_path_factory):
    """(folder, classifier, report): the default safety classifier trained once, its folder loadable
    as a published version is."""
    from flywheel.safety.settings import SafetySettings
    from flywheel.safety.training import train_safety_classifier

    folder = tmp_path_factory.mktemp("safety_classifier")
    classifier, report = train_safety_classifier(SafetySettings(), folder)
    return folder, classifier, report


def with_safety_classifier(home: FlywheelHome, trained_safety) -> FlywheelHome:
    """`home` with the session's default safety classifier published as current, so its runs do not
    each train the default on first use (~10 s; `test_filtered_docs_asset` tests that path)."""
    from flywheel.safety.published import publish_trained
    from flywheel.versioned_store import VersionedStore

    folder, _, report = trained_safety
    publish_trained(VersionedStore(str(home.models)), folder, report)
    return home
