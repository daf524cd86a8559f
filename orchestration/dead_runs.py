"""Runs whose process died: found, marked failed, and their concurrency slots freed.

A run killed by SIGKILL, the OOM killer or a lost machine writes no failure event, so the instance
would show it as started forever and keep its pool slots claimed (`minhash_index`): every later
run of every batch would wait on them. Dagster's own run monitoring cannot tell for the default
run launcher whether a run's process is alive, so Flywheel checks it: the process that executes a
run records its pid on the run's start event; if no process with that pid, started before the
run, is alive on this machine, the run is dead.

Called by `dead_run_sensor` (in the daemon, for every run) and by the CLI before it launches a run
and while it waits for one. Runs whose process is on another machine (a shared instance) cannot
be checked from here and are left to Dagster's run timeouts (`run_monitoring` in dagster.yaml).
"""

from __future__ import annotations

import socket

import dagster as dg
import psutil

HOST_TAG = "flywheel/host"  # where the run's process runs; runs without it are checked here
ACTIVE = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


def release_dead_runs(instance: dg.DagsterInstance, run_ids: list[str] | None = None) -> list[str]:
    """Mark every active run (of `run_ids`, if given) whose process died as failed and free its
    concurrency slots; returns their ids."""
    released = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=ACTIVE, run_ids=run_ids)):
        run = record.dagster_run
        if run.tags.get(HOST_TAG, socket.gethostname()) != socket.gethostname():
            continue
        worker = _worker(instance, run.run_id)
        if worker is None or _alive(*worker):
            continue
        pid, _ = worker
        instance.report_run_failed(run, f"The process of this run (pid {pid}) is gone: killed or crashed "
                                        "without reporting. Marked failed by Flywheel; rerun it.")
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released


def _worker(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """(pid, time) of the process executing the run: the one that reported its start."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_START, limit=1).records
    if not records or not records[0].event_log_entry.dagster_event.pid:
        return None
    return records[0].event_log_entry.dagster_event.pid, records[0].event_log_entry.timestamp


def _alive(pid: int, since: float) -> bool:
    try:
        process = psutil.Process(pid)
        # A reused pid belongs to a process started after the run's did; a zombie has exited.
        return process.create_time() <= since + 1.0 and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
