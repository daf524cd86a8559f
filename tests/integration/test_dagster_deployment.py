"""The production-style deployment (`infra/dagster/deploy.py`, as `make deploy-up` starts it):
PostgreSQL storage, a code server, and `dagster-daemon` and `dagster-webserver` as processes of
their own. A curation backfill launched through the webserver's GraphQL API (as the UI launches
it), the crawl batch sensor's run and the feedback sensor's run all finish, launched by the daemon
in processes of their own, with the daemon restarted before it has launched the backfill's run and
again while two runs run and the third waits in the queue: each batch is curated by exactly one
run, the feedback is ingested and trained on by exactly one run, and nothing is requested again
afterwards."""

import json
import os
import shutil
import subprocess
import sys
import time

import dagster as dg
import pytest
import yaml
from dagster._core.execution.backfill import BulkActionStatus

from flywheel.bundled import SAMPLE_FEEDBACK
from flywheel.feedback.ingest import FeedbackLog
from flywheel.home import FlywheelHome
from flywheel.registry import ModelRegistry
from orchestration.resources import StorageResource
from tests.conftest import REPO_ROOT, SAMPLE_BATCH_DIR
from tests.integration.conftest import copy_home
from tests.integration.training_fixtures import run_config

pytestmark = [pytest.mark.cluster, pytest.mark.spark, pytest.mark.slow]
DEPLOY_SCRIPT = REPO_ROOT / "infra" / "dagster" / "deploy.py"
CHAIN = ["raw_crawl", "raw_crawl_rejected", "filtered_docs", "filtered_docs_rejected", "deduplicated_docs",
         "dedup_clusters", "minhash_index"]
# A part of the sample (multilingual pages, spam, a defective and a truncated file): the
# deployment's work is what is tested, not throughput.
BATCH_FILES = ("debian-reference.warc.gz", "spam-pages.warc.gz", "defective-lines.jsonl.gz",
               "truncated-download.warc.gz")
SENSOR_INTERVAL_S = 3
# The feedback run's recipe, given to the sensor as an operator would (FLYWHEEL_FEEDBACK_LOOP_RUN_CONFIG):
# the fewest steps whose reward model still passes its `learned` check; what the models learn is
# the feedback tests' concern, the deployment's is that the run happens once.
LOOP_CONFIG = run_config(reward_model={"max_steps": 15, "eval_every": 15, "log_every": 5, "eval_batches": 8},
                         aligned_model={"max_steps": 10, "eval_every": 10, "log_every": 5, "eval_batches": 4})
LAUNCH_BACKFILL = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
  }
}"""


@pytest.fixture
def deployment(tmp_path, retrained, monkeypatch):
    """Started for this test on free ports, stopped (database deleted) after it, over a copy of the
    retrained chain's FLYWHEEL_HOME (no crawl data; an SFT model, promoted by hand as a deployment's
    first chat model is): (home, state dir, deployment info, the instance as the daemon sees it)."""
    home = copy_home(retrained[4], tmp_path / "flywheel")
    chat_models = ModelRegistry(StorageResource.for_home(home).models(), "chat_model")
    chat_models.promote(chat_models.alias("candidate"), "the deployment's first chat model", force=True)
    loop_config = tmp_path / "feedback_loop.yaml"
    loop_config.write_text(yaml.safe_dump(LOOP_CONFIG), encoding="utf-8")
    state = tmp_path / "deployment"
    monkeypatch.setenv("FLYWHEEL_HOME", str(home.root))
    # Read by the code server, which evaluates the sensors for the daemon.
    monkeypatch.setenv("FLYWHEEL_CRAWL_SENSOR_INTERVAL", str(SENSOR_INTERVAL_S))
    monkeypatch.setenv("FLYWHEEL_FEEDBACK_SENSOR_INTERVAL", str(SENSOR_INTERVAL_S))
    monkeypatch.setenv("FLYWHEEL_FEEDBACK_LOOP_RUN_CONFIG", str(loop_config))
    # The feedback run's model becomes the candidate; evaluating it is the evaluation tests' work, so
    # the candidate sensor ticks once at start-up (nothing to evaluate) and not again in this test.
    monkeypatch.setenv("FLYWHEEL_CANDIDATE_SENSOR_INTERVAL", "3600")

    def deploy(action: str, *options: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(DEPLOY_SCRIPT), action, "--state-dir", str(state), *options],
                              capture_output=True, text=True, timeout=300)

    started = deploy("up", "--postgres-port", "0", "--webserver-port", "0", "--code-server-port", "0")
    assert started.returncode == 0, started.stderr
    info = json.loads(started.stdout)
    try:
        from infra.dagster.deploy import dagster_env

        for name, value in dagster_env(state, info["postgres_port"]).items():
            if name.startswith(("FLYWHEEL_POSTGRES_", "DAGSTER_HOME")):
                monkeypatch.setenv(name, value)
        with dg.DagsterInstance.from_config(info["dagster_home"]) as instance:
            yield home, state, info, instance
    finally:
        assert deploy("down", "--purge").returncode == 0


def _land(home: FlywheelHome, tmp_path, batch: str) -> None:
    source = tmp_path / f"crawl-{batch}"
    source.mkdir()
    for name in BATCH_FILES:
        shutil.copy(SAMPLE_BATCH_DIR / name, source / name)
    StorageResource.for_home(home).landing().add_crawl_batch(str(source), batch)


def _wait(condition, what: str, timeout_s: float = 600.0, every_s: float = 2.0):
    deadline = time.monotonic() + timeout_s
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every_s)
    return value


def test_backfill_and_sensor_runs_survive_daemon_restarts_with_state_in_postgres(deployment, tmp_path):
    from infra.dagster.deploy import graphql, postgres_bin, restart_daemon

    home, state, info, instance = deployment
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"

    # batch-a is the backfill's, launched as a user does in the UI. Its files land right after the
    # launch (its run starts seconds later), so the sensor never sees them without the backfill.
    instance.add_dynamic_partitions("crawl_batch", ["batch-a"])
    launched = graphql(info["webserver_url"], LAUNCH_BACKFILL, {"params": {
        "partitionNames": ["batch-a"], "assetSelection": [{"path": [asset]} for asset in CHAIN]}})
    outcome = launched["launchPartitionBackfill"]
    assert outcome["__typename"] == "LaunchBackfillSuccess", outcome
    backfill_id = outcome["backfillId"]
    _land(home, tmp_path, "batch-a")
    # batch-b is the crawl batch sensor's: it registers the partition and requests the run.
    _land(home, tmp_path, "batch-b")
    # New feedback for the feedback sensor. Two runs run at a time: one of the three waits in the queue.
    landing = StorageResource.for_home(home).landing()
    landing.add_feedback_file(SAMPLE_FEEDBACK.name, SAMPLE_FEEDBACK.read_text(encoding="utf-8").splitlines())

    def runs(**tags) -> list:
        return instance.get_runs(filters=dg.RunsFilter(tags=tags))

    def feedback_runs() -> list:
        return instance.get_runs(filters=dg.RunsFilter(job_name="feedback_loop"))

    # Restarted before it launched the backfill's run: a fresh daemon's first backfill iteration
    # launches it (a running daemon looks at backfills every 30 s).
    restart_daemon(state)

    def three_runs_two_running() -> bool:
        requested = [runs(**{"dagster/backfill": backfill_id}), runs(**{"dagster/run_key": "crawl_batch:batch-b"}),
                     feedback_runs()]
        running = [run for found in requested for run in found if run.status == dg.DagsterRunStatus.STARTED]
        return all(requested) and len(running) == 2

    _wait(three_runs_two_running, "the three runs to be requested and two of them to start", timeout_s=120,
          every_s=0.5)
    restart_daemon(state)  # while two runs run, in processes of their own, and the third waits in the queue

    _wait(lambda: instance.get_backfill(backfill_id).status != BulkActionStatus.REQUESTED
          and all(run.is_finished for run in instance.get_runs()), "all three runs to finish")
    all_runs = instance.get_runs()
    failures = [event.dagster_event.step_failure_data.error.to_string() for run in all_runs
                for event in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)]
    assert instance.get_backfill(backfill_id).status == BulkActionStatus.COMPLETED_SUCCESS, failures
    assert all(run.status == dg.DagsterRunStatus.SUCCESS for run in all_runs), failures
    # One run per batch: the backfill's for batch-a, the sensor's (first attempt) for batch-b.
    assert sorted((run.tags["dagster/partition"], "dagster/backfill" in run.tags) for run in all_runs
                  if run.job_name != "feedback_loop") == [("batch-a", True), ("batch-b", False)]
    assert runs(**{"dagster/run_key": "crawl_batch:batch-b"})[0].tags["flywheel/attempt"] == "1"
    for asset in CHAIN:
        assert instance.get_materialized_partitions(dg.AssetKey(asset)) == {"batch-a", "batch-b"}
    lake = StorageResource.for_home(home).lake()
    kept = {batch: lake.row_count("deduplicated_docs", batch) for batch in ("batch-a", "batch-b")}
    assert min(kept.values()) == 0 < max(kept.values())  # the same crawl twice: deduplicated across

    # One feedback run, with the operator's run config, ingested the file and trained both models.
    [feedback_run] = feedback_runs()
    assert feedback_run.tags["flywheel/attempt"] == "1" and feedback_run.run_config == LOOP_CONFIG
    [ingested] = FeedbackLog(lake).ledger(since=0.0)
    assert ingested["signature"] == landing.list_feedback_files()[0].signature
    for asset in ("feedback_events", "reward_data", "reward_model", "aligned_model"):
        event = instance.get_latest_materialization_event(dg.AssetKey(asset))
        assert event is not None and event.run_id == feedback_run.run_id, asset
    assert ModelRegistry(StorageResource.for_home(home).models(), "chat_model").alias("candidate").model == \
        "aligned_model"

    # Two sensor intervals later, the restarted daemon has requested nothing again.
    time.sleep(2 * SENSOR_INTERVAL_S + 1)
    assert len(instance.get_runs()) == 3
    psql = [str(postgres_bin() / "psql"), "-h", "127.0.0.1", "-p", str(info["postgres_port"]), "-U", "flywheel",
            "-d", "dagster", "-tAc", "SELECT count(*) FROM runs"]
    count = subprocess.run(psql, capture_output=True, text=True, env={**os.environ, "PGCONNECT_TIMEOUT": "10"})
    assert count.stdout.strip() == "3", count.stderr
