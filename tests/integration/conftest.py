"""What the integration tests share: the sample batch curated once through Dagster, and one tiny
model chain trained through retraining and the feedback loop."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

from flywheel.bundled import SAMPLE_FEEDBACK
from flywheel.home import FlywheelHome
from orchestration.definitions import build_definitions
from orchestration.partitions import crawl_batch_partitions
from orchestration.resources import SparkResource, StorageResource
from tests.conftest import SAMPLE_BATCH_DIR, with_safety_classifier
from tests.integration.training_fixtures import PRETRAIN_CONFIG, SFT_CONFIG, run_config, seed_curated_lake

SAMPLE_BATCH = "sample-0001"
REWARD_CONFIG = {"max_steps": 40, "eval_every": 10, "log_every": 5, "eval_batches": 16}
DPO_CONFIG = {"max_steps": 30, "eval_every": 15, "log_every": 5, "eval_batches": 16}
LOOP_CONFIG = run_config(reward_model=REWARD_CONFIG, aligned_model=DPO_CONFIG)


@pytest.fixture(scope="session")
def test_spark_resource(spark) -> SparkResource:
    """Reuses the test session (getOrCreate) and leaves it running after each run."""
    return SparkResource(master="local[2]", stop_after_run=False,
                         conf={"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4"})


@pytest.fixture(scope="session")
def curated_sample(tmp_path_factory, test_spark_resource):
    """(definitions, lake, instance, result) of one `curation` run on the bundled sample."""
    home = FlywheelHome(tmp_path_factory.mktemp("curated") / "flywheel").ensure()
    storage = StorageResource.for_home(home)
    storage.landing().add_crawl_batch(str(SAMPLE_BATCH_DIR), SAMPLE_BATCH)
    defs = build_definitions(home, spark=test_spark_resource)
    # The home's own persistent instance, so a webserver can show its runs (test_dagster_ui).
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        instance.add_dynamic_partitions(crawl_batch_partitions.name, [SAMPLE_BATCH])
        result = defs.resolve_job_def("curation").execute_in_process(
            partition_key=SAMPLE_BATCH, instance=instance)
        yield defs, storage.lake(), instance, result


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "chromium is missing: `make setup` installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def materialization_metadata(result, asset: str) -> dict:
    [event] = [e for e in result.get_asset_materialization_events()
               if e.asset_key.to_user_string() == asset]
    return {key: value.value for key, value in event.materialization.metadata.items()}


@pytest.fixture(scope="session")
def retrained(tmp_path_factory, trained_safety):
    """(home, definitions, instance, result, snapshot): one `retraining` run on the reference prose
    (the training tests' home, which they change), and a copy of its files taken right after, from
    which the feedback chain starts."""
    home = with_safety_classifier(FlywheelHome(tmp_path_factory.mktemp("training") / "flywheel").ensure(),
                                  trained_safety)
    seed_curated_lake(home)
    definitions = build_definitions(home)
    with dg.instance_for_test() as instance:
        result = definitions.resolve_job_def("retraining").execute_in_process(
            instance=instance, run_config=run_config(pretrained_model=PRETRAIN_CONFIG, sft_model=SFT_CONFIG))
        snapshot = copy_home(home, tmp_path_factory.mktemp("retrained-snapshot") / "flywheel")
        yield home, definitions, instance, result, snapshot


@pytest.fixture(scope="session")
def feedback_loop_run(retrained, tmp_path_factory):
    """(home, definitions, instance, result): the retrained chain, then a feedback_loop run on the
    bundled feedback sample. One tiny model chain for the feedback and evaluation tests; a test
    that changes the home works on a copy (`copy_home`) unless it is the feedback tests'."""
    home = copy_home(retrained[4], tmp_path_factory.mktemp("feedback") / "flywheel")
    definitions = build_definitions(home)
    with dg.instance_for_test() as instance:
        shutil.copy(SAMPLE_FEEDBACK, home.landing / "feedback" / SAMPLE_FEEDBACK.name)
        result = definitions.resolve_job_def("feedback_loop").execute_in_process(
            instance=instance, run_config=LOOP_CONFIG)
        yield home, definitions, instance, result


def copy_home(home: FlywheelHome, target: Path) -> FlywheelHome:
    """A copy of a home's files (landing, lake, models), for a test that changes them."""
    shutil.copytree(home.root, target, ignore=shutil.ignore_patterns("dagster"))
    return FlywheelHome(target).ensure()
