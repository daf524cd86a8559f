"""A run killed with SIGKILL releases what it holds: found dead, marked failed, its pool slot freed,
and the next run that needs the pool proceeds (before, it waited forever)."""

import os
import signal
import subprocess
import sys
import time

import dagster as dg
import pytest

from orchestration.dead_runs import release_dead_runs
from tests.conftest import REPO_ROOT
from tests.integration import pool_holder

pytestmark = pytest.mark.slow


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_killed_run_is_failed_and_frees_its_pool_slot(home):
    with dg.DagsterInstance.get() as instance:  # FLYWHEEL_HOME's instance: pools limited to 1 slot
        holder = subprocess.Popen([sys.executable, "-m", "tests.integration.pool_holder", "300"], cwd=REPO_ROOT,
                                  env=os.environ.copy(), start_new_session=True)
        pool = instance.event_log_storage.get_concurrency_info
        _wait_for(lambda: pool("minhash_index").active_slot_count == 1)
        [run] = instance.get_runs()
        assert release_dead_runs(instance) == []  # alive: left alone

        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.STARTED  # what Dagster alone shows
        assert release_dead_runs(instance) == [run.run_id]
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
        assert pool("minhash_index").active_slot_count == 0

        started = time.monotonic()
        assert pool_holder.run(instance, 0.1).success  # the pool is free again: no wait
        assert time.monotonic() - started < 30
