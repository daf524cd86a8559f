"""Run a job of the code location from Python, as the UI would, and wait for it: what the CLI and
the demo use.

The run is created from the code location `flywheel` (loaded in its own code server process, as
`make ui` loads it) and launched by the instance's run launcher into a process of its own. So it
is a run of its job in every way the UI knows: it is listed under the job and on the Overview
timeline, "Re-execute" reuses the same code version, and the instance's run retries apply. The
caller follows its progress from the event log (INFO and above: what the assets log, checks,
failures) and gets every materialization and check evaluation back when it ends.
"""

from __future__ import annotations

import itertools
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.definitions.selector import JobSubsetSelector
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import ModuleTarget

from orchestration.dead_runs import HOST_TAG, release_dead_runs
from orchestration.definitions import LOCATION_NAME

DEFINITIONS_MODULE = "orchestration.definitions"
SOURCE_TAG = "flywheel/source"
REASON_TAG = "flywheel/reason"
POLL_SECONDS = 0.5
LIVENESS_EVERY = 10  # polls between checks that the run's process is still alive


@dataclass
class CheckOutcome:
    asset: str
    check: str
    passed: bool
    blocking_failure: bool  # failed with ERROR severity: what is downstream did not run
    description: str


@dataclass
class RunOutcome:
    run_id: str
    job: str
    status: dg.DagsterRunStatus
    seconds: float
    materialized: dict[str, dict[str, Any]] = field(default_factory=dict)  # asset -> metadata values
    checks: list[CheckOutcome] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return self.status == dg.DagsterRunStatus.SUCCESS

    @property
    def blocking_failures(self) -> list[CheckOutcome]:
        return [c for c in self.checks if c.blocking_failure]


_SHARED_SERVER: ContextVar[WorkspaceProcessContext | None] = ContextVar("flywheel_code_server", default=None)


@contextmanager
def shared_code_server(instance: dg.DagsterInstance) -> Iterator[None]:
    """One code server for every run launched inside the block, instead of one per run (a code
    server takes seconds to start; the demo launches nine runs)."""
    with _code_server(instance, _output_path(instance)) as process_context:
        token = _SHARED_SERVER.set(process_context)
        try:
            yield
        finally:
            _SHARED_SERVER.reset(token)


@contextmanager
def code_location(instance: dg.DagsterInstance, output: Path) -> Iterator[Any]:
    """The `flywheel` code location, served by a code server process for as long as the block runs
    (or by the `shared_code_server` around it). The code server and the run processes it starts
    write their own output (Dagster's DEBUG console, Spark's JVM) to `output`, not to the caller's
    terminal."""
    shared = _SHARED_SERVER.get()
    if shared is not None:
        yield _location(shared)
        return
    with _code_server(instance, output) as process_context:
        yield _location(process_context)


@contextmanager
def _code_server(instance: dg.DagsterInstance, output: Path) -> Iterator[WorkspaceProcessContext]:
    target = ModuleTarget(module_name=DEFINITIONS_MODULE, attribute=None, working_directory=None,
                          location_name=LOCATION_NAME)
    with _children_write_to(output):
        process_context = WorkspaceProcessContext(instance, target, code_server_log_level="WARNING")
    with process_context:
        yield process_context


def _location(process_context: WorkspaceProcessContext) -> tuple[Any, Any]:
    workspace = process_context.create_request_context()
    location = workspace.get_code_location(LOCATION_NAME)
    if location is None:
        error = workspace.get_code_location_error(LOCATION_NAME)
        raise RuntimeError(f"the code location {LOCATION_NAME!r} did not load: {error}")
    return workspace, location


def _output_path(instance: dg.DagsterInstance) -> Path:
    return Path(instance.root_directory) / "logs" / "cli-runs.log"


def run_job(instance: dg.DagsterInstance, job: str, reason: str, partition: str | None = None,
            assets: Sequence[str] | None = None, log: Callable[[str], None] = print,
            run_config: dict | None = None) -> RunOutcome:
    """Launch `job` (for one `partition`, only `assets` of it if given) as a run of the code location,
    tagged as started by the CLI for `reason`; print its INFO log through `log` and wait for it.
    The processes' own output goes to `<DAGSTER_HOME>/logs/cli-runs.log`."""
    started = time.monotonic()
    for run_id in release_dead_runs(instance):  # so no dead run's pool slot blocks this one
        log(f"Run {run_id} had died without reporting: marked failed, its pool slots freed")
    with code_location(instance, _output_path(instance)) as (workspace, location):
        [repository] = location.get_repositories().values()
        asset_keys = [dg.AssetKey(name) for name in assets] if assets else None
        remote_job = location.get_job(JobSubsetSelector(
            location_name=location.name, repository_name=repository.name, job_name=job, op_selection=None,
            asset_selection=asset_keys))
        tags = {**remote_job.tags, SOURCE_TAG: "cli", REASON_TAG: reason, HOST_TAG: socket.gethostname()}
        if partition is not None:
            tags["dagster/partition"] = partition
        run_config = run_config or {}
        plan = location.get_execution_plan(remote_job, run_config, step_keys_to_execute=None, known_state=None,
                                           instance=instance)
        run = instance.create_run(
            job_name=job, run_id=None, run_config=run_config, status=None, tags=tags, root_run_id=None,
            parent_run_id=None,
            step_keys_to_execute=plan.execution_plan_snapshot.step_keys_to_execute,
            execution_plan_snapshot=plan.execution_plan_snapshot, job_snapshot=remote_job.job_snapshot,
            parent_job_snapshot=remote_job.parent_job_snapshot,
            asset_selection=frozenset(asset_keys) if asset_keys else None, asset_check_selection=None,
            resolved_op_selection=remote_job.resolved_op_selection, op_selection=None,
            remote_job_origin=remote_job.get_remote_origin(), job_code_origin=remote_job.get_python_origin(),
            asset_graph=repository.asset_graph)
        log(f"Launched run {run.run_id} of {job}" + (f" for partition {partition!r}" if partition else "")
            + f" ({reason})")
        instance.launch_run(run.run_id, workspace)
        status = _follow(instance, run.run_id, log)
    return _outcome(instance, run.run_id, job, status, time.monotonic() - started)


@contextmanager
def _children_write_to(path: Path) -> Iterator[None]:
    """Processes started inside the block inherit `path` (appended) as stdout and stderr; this
    process's own descriptors are restored when the block ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with path.open("ab") as target:
        os.dup2(target.fileno(), 1)
        os.dup2(target.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def _follow(instance: dg.DagsterInstance, run_id: str, log: Callable[[str], None]) -> dg.DagsterRunStatus:
    """Print the run's INFO-and-above events as they are written; return its final status. A run
    whose process dies is marked failed here, so the caller never waits on it forever."""
    cursor = None
    for polls in itertools.count():
        if polls % LIVENESS_EVERY == LIVENESS_EVERY - 1:
            release_dead_runs(instance, [run_id])
        run = instance.get_run_by_id(run_id)
        connection = instance.get_records_for_run(run_id, cursor=cursor)
        for record in connection.records:
            entry = record.event_log_entry
            if entry.level >= 20 and entry.user_message:
                stamp = datetime.fromtimestamp(entry.timestamp).strftime("%H:%M:%S")
                log(f"  {stamp} {entry.step_key or '':28s} {entry.user_message.splitlines()[0][:240]}")
        cursor = connection.cursor
        if run.is_finished and not connection.has_more:
            return run.status
        if not connection.has_more:
            time.sleep(POLL_SECONDS)


def _outcome(instance: dg.DagsterInstance, run_id: str, job: str, status: dg.DagsterRunStatus,
             seconds: float) -> RunOutcome:
    outcome = RunOutcome(run_id=run_id, job=job, status=status, seconds=seconds)
    for record in instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records:
        materialization = record.event_log_entry.asset_materialization
        outcome.materialized[materialization.asset_key.to_user_string()] = {
            key: value.value for key, value in materialization.metadata.items()}
    for record in instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records:
        evaluation = record.event_log_entry.dagster_event.asset_check_evaluation_data
        outcome.checks.append(CheckOutcome(
            asset=evaluation.asset_key.to_user_string(), check=evaluation.check_name, passed=evaluation.passed,
            blocking_failure=not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR,
            description=evaluation.description or ""))
    return outcome
