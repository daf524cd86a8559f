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


def stop(state: Path, *names: str, grace_s: float = 10.0) -> None:
    """SIGTERM each process's whole group (it may have exec'd or forked), all at once so that their
    shutdowns overlap, and SIGKILL whatever is left after `grace_s`."""
    stopping = []
    for name in names:
        pid_file = state / f"{name}.pid"
        if not pid_file.exists():
            continue
        pid = int(pid_file.read_text())
        try:
            os.killpg(pid, signal.SIGTERM)
            stopping.append(pid)
        except ProcessLookupError:
            pass
        pid_file.unlink()
    deadline = time.monotonic() + grace_s
    while stopping := [pid for pid in stopping if not _exited(pid)]:
        if time.monotonic() > deadline:
            for pid in stopping:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            return
        time.sleep(0.2)


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
