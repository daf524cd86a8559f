"""Curation on a Spark standalone cluster on loopback (`infra/spark/cluster.py`, as `make cluster-up`
starts it: a master and two workers of one core each), chosen by configuration alone
(FLYWHEEL_SPARK_MASTER), publishes what `local[2]` publishes -- also when a worker and its
executor are killed in the middle of the run."""

import json
import os
import signal
import subprocess
import sys
import time

import dagster as dg
import pytest

from flywheel.home import FlywheelHome
from flywheel.spark_session import QUICK_JIT_OPTION
from orchestration import lifecycle
from orchestration.resources import StorageResource
from tests.conftest import REPO_ROOT, SAMPLE_BATCH_DIR, with_safety_classifier
from tests.integration.conftest import SAMPLE_BATCH

pytestmark = [pytest.mark.cluster, pytest.mark.spark, pytest.mark.slow]
CLUSTER_SCRIPT = REPO_ROOT / "infra" / "spark" / "cluster.py"
# The README's conf for a cluster on this machine: its executors share the same few cores, so they
# get the quick JIT that the driver gets here.
CLUSTER_CONF = {"spark.sql.shuffle.partitions": "4", "spark.executor.extraJavaOptions": QUICK_JIT_OPTION}
DATASETS = ["raw_crawl", "raw_crawl_rejected", "filtered_docs", "filtered_docs_rejected", "deduplicated_docs",
            "dedup_clusters", "minhash_index"]


@pytest.fixture
def standalone_cluster(tmp_path):
    """Started for this test on free ports, stopped after it (only what it started)."""
    state = tmp_path / "spark-cluster"

    def cluster(action: str, *options: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(CLUSTER_SCRIPT), action, "--state-dir", str(state), *options],
                              capture_output=True, text=True, timeout=180)

    started = cluster("up", "--port", "0", "--web-port", "0")
    assert started.returncode == 0, started.stderr
    try:
        yield json.loads(started.stdout), state
    finally:
        assert cluster("down").returncode == 0


def _flywheel(home: FlywheelHome, *args: str, master: str) -> subprocess.Popen:
    env = {**os.environ, "FLYWHEEL_HOME": str(home.root), "FLYWHEEL_SPARK_MASTER": master,
           "FLYWHEEL_SPARK_CONF": json.dumps(CLUSTER_CONF)}
    return subprocess.Popen([sys.executable, "-m", "orchestration.cli", *args], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _rows(lake, dataset: str) -> list[dict]:
    return sorted(lake.read_partition(dataset, SAMPLE_BATCH).to_pylist(), key=repr)


def test_curation_on_the_cluster_survives_a_lost_worker_and_matches_local(
        standalone_cluster, curated_sample, tmp_path, trained_safety, monkeypatch):
    from infra.spark.cluster import master_status

    cluster, state = standalone_cluster
    home = with_safety_classifier(FlywheelHome(tmp_path / "flywheel").ensure(), trained_safety)
    monkeypatch.setenv("FLYWHEEL_HOME", str(home.root))
    monkeypatch.setenv("DAGSTER_HOME", str(home.dagster_home))
    lifecycle.ingest(SAMPLE_BATCH_DIR, SAMPLE_BATCH)  # `flywheel ingest` copies files: no Spark, no process
    curate = _flywheel(home, "curate", "--batch", SAMPLE_BATCH, master=cluster["master_url"])
    lake = StorageResource.for_home(home).lake()
    try:
        output = _kill_a_worker_while_it_runs(curate, state, lake)
    finally:
        if curate.poll() is None:
            curate.kill()
    assert curate.returncode == 0, output[-4000:]

    status = master_status(cluster["web_url"])
    assert status["aliveworkers"] == 1
    [app] = status["completedapps"]  # one session for the whole run
    assert app["name"] == "flywheel"
    executors = {path.parent.parent.name for path in state.glob(f"worker-*/{app['id']}/*")}
    assert executors == {"worker-1", "worker-2"}  # it ran on both workers, then on the survivor alone
    # The language-id model and the blocklist reached the executors as shipped files (SparkFiles).
    shipped = {path.name.split("-")[0] for path in state.glob(f"worker-*/{app['id']}/*/*-*.*")}
    assert {"lid.176", "url_blocklist"} <= shipped, shipped
    with dg.DagsterInstance.from_config(str(home.dagster_home)) as instance:
        raw_crawl = instance.get_latest_materialization_event(dg.AssetKey("raw_crawl")).asset_materialization
    assert raw_crawl.metadata["reader"].value == "spark"  # the files were read in Spark tasks too
    local = curated_sample[1]
    for dataset in DATASETS:
        assert _rows(lake, dataset) == _rows(local, dataset), dataset


def _kill_a_worker_while_it_runs(curate: subprocess.Popen, state, lake) -> str:
    """Once the Spark steps have started (raw_crawl published, both executors up), SIGKILL worker 1
    and its executor: Spark must run the lost tasks again on worker 2. The run's output."""
    deadline = time.monotonic() + 300
    while not (lake.has_partition("raw_crawl", SAMPLE_BATCH) and len(list(state.glob("worker-*/app-*/*"))) == 2):
        assert curate.poll() is None, curate.stdout.read()
        assert time.monotonic() < deadline, "the Spark steps did not start in 5 minutes"
        time.sleep(0.2)
    time.sleep(3)
    assert curate.poll() is None, "the run ended before a worker could be killed"
    os.killpg(int((state / "worker-1.pid").read_text()), signal.SIGKILL)
    return curate.communicate(timeout=600)[0]
