"""`flywheel.daemons`: processes that one command starts and a later one stops."""

import os
import sys
import time

from flywheel import daemons

# Logs when it gets SIGTERM and exits 1 s later, as a server that drains its connections does.
DRAINS = """import signal, sys, time
def drain(*_):
    print("term", time.time(), flush=True)
    time.sleep(1)
    print("exit", time.time(), flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, drain)
print("ready", flush=True)
time.sleep(60)"""
IGNORES_SIGTERM = """import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
time.sleep(60)"""


def _start(state, name: str, code: str) -> int:
    pid = daemons.start(state, name, [sys.executable, "-c", code], dict(os.environ))
    log, deadline = state / "logs" / f"{name}.log", time.monotonic() + 30
    while "ready" not in log.read_text():  # its SIGTERM handler is in place
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    return pid


def _events(state, name: str) -> dict[str, float]:
    lines = (state / "logs" / f"{name}.log").read_text().split("\n")
    return {words[0]: float(words[1]) for words in map(str.split, lines) if len(words) == 2}


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] == "Z"  # a zombie has exited
    except FileNotFoundError:
        return True


def test_processes_stopped_together_drain_at_the_same_time(tmp_path):
    names = ("webserver", "code-server")
    pids = [_start(tmp_path, name, DRAINS) for name in names]
    daemons.stop(tmp_path, *names, grace_s=30)
    events = [_events(tmp_path, name) for name in names]
    # Each got SIGTERM before the other had finished draining: the shutdowns overlapped.
    assert max(e["term"] for e in events) < min(e["exit"] for e in events), events
    assert all(_gone(pid) for pid in pids)
    assert not any(daemons.is_running(tmp_path, name) for name in names)


def test_a_process_that_ignores_sigterm_is_killed_after_the_grace_time(tmp_path):
    pid = _start(tmp_path, "stubborn", IGNORES_SIGTERM)
    daemons.stop(tmp_path, "stubborn", grace_s=0.5)
    deadline = time.monotonic() + 10
    while not _gone(pid):
        assert time.monotonic() < deadline, "still running after SIGKILL"
        time.sleep(0.05)
    assert not (tmp_path / "stubborn.pid").exists()


def test_stopping_a_name_that_was_never_started_does_nothing(tmp_path):
    daemons.stop(tmp_path, "never-started")
    assert not list(tmp_path.iterdir())
