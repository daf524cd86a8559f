"""Long-running processes that one command starts and a later one stops (`make cluster-up` /
`cluster-down`, `make deploy-up` / `deploy-down`): each in a session of its own, its pid in
`<state>/<name>.pid` and its output in `<state>/logs/<name>.log`."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def start(state: Path, name: str, command: list[str], env: dict[str, str], cwd: Path | None = None) -> int:
    (state / "logs").mkdir(parents=True, exist_ok=True)
    with open(state / "logs" / f"{name}.log", "ab") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    (state / f"{name}.pid").write_text(str(process.pid))
    return process.pid


def is_running(state: Path, name: str) -> bool:
    pid_file = state / f"{name}.pid"
    return pid_file.exists() and not _exited(int(pid_file.read_text()))


def stop(state: Path, name: str, grace_s: float = 10.0) -> None:
    """SIGTERM the process's whole group (it may have exec'd or forked), SIGKILL it after `grace_s`."""
    pid_file = state / f"{name}.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    try:
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        while not _exited(pid):
            if time.monotonic() > deadline:
                os.killpg(pid, signal.SIGKILL)
                break
            time.sleep(0.2)
    except ProcessLookupError:
        pass
    pid_file.unlink()


def _exited(pid: int) -> bool:
    try:  # a process this one started stays a zombie until reaped
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return True
    except ChildProcessError:  # started by another process (`make cluster-up`)
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False
