"""A Spark standalone cluster on this machine: one master and N workers, each a process of its own
with its own work directory and a fixed number of cores, from the Spark distribution that the
`pyspark` package ships (no download).

    python infra/spark/cluster.py up [--workers 2] [--cores 1] [--port 7077]   (make cluster-up)
    python infra/spark/cluster.py down                                           (make cluster-down)
    python infra/spark/cluster.py status

Then run curation against it by configuration alone: FLYWHEEL_SPARK_MASTER=spark://127.0.0.1:7077.
State (pids, logs, work directories, the master's URL) lives in `--state-dir`
(default $FLYWHEEL_HOME/spark-cluster); `down` stops only what that state dir's `up` started.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

from flywheel import daemons
from flywheel.atomic_files import write_text_atomically
from flywheel.home import FlywheelHome
from flywheel.ports import free_port
from flywheel.spark_session import QUICK_JIT_OPTION, wants_quick_jit

HOST = "127.0.0.1"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def default_state_dir() -> Path:
    return FlywheelHome.from_env().root / "spark-cluster"


def _start(state: Path, name: str, arguments: list[str]) -> None:
    # The master and workers share this machine's cores with the run, so on few cores they get the
    # quick JIT as the driver does (`flywheel/spark_session.py`): `up` took 4.7-16.4 s instead of
    # 8.1-22.8 s on 2 cores. SPARK_DAEMON_JAVA_OPTS in the environment overrides it.
    quick_jit = {"SPARK_DAEMON_JAVA_OPTS": QUICK_JIT_OPTION} if wants_quick_jit(os.cpu_count() or 1) else {}
    env = {**quick_jit, **os.environ,
           "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": HOST,
           "SPARK_LOG_DIR": str(state / "logs"), "SPARK_NO_DAEMONIZE": "1"}
    daemons.start(state, name, [str(spark_home() / "bin" / "spark-class"), *arguments], env)


def master_status(web_url: str) -> dict:
    with urllib.request.urlopen(f"{web_url}/json/", timeout=5) as response:
        return json.load(response)


def up(state: Path, workers: int, cores: int, memory: str, port: int, web_port: int,
       timeout_s: float = 90.0) -> dict:
    """Start the master and `workers` workers; return once every worker is registered and alive."""
    if (state / "cluster.json").exists():
        raise SystemExit(f"a cluster is already up for {state} (run `down` first)")
    (state / "logs").mkdir(parents=True, exist_ok=True)
    master_url, web_url = f"spark://{HOST}:{port}", f"http://{HOST}:{web_port}"
    _start(state, "master", [MASTER_CLASS, "--host", HOST, "--port", str(port), "--webui-port", str(web_port)])
    for index in range(1, workers + 1):
        work_dir = state / f"worker-{index}"
        work_dir.mkdir(exist_ok=True)
        _start(state, f"worker-{index}", [WORKER_CLASS, "--host", HOST, "--cores", str(cores), "--memory", memory,
                                          "--work-dir", str(work_dir), "--webui-port", "0", master_url])
    info = {"master_url": master_url, "web_url": web_url, "workers": workers, "cores_per_worker": cores}
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if master_status(web_url).get("aliveworkers") == workers:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            down(state)
            raise SystemExit(f"the cluster did not come up in {timeout_s:.0f} s; logs in {state / 'logs'}")
        time.sleep(0.5)
    write_text_atomically(state / "cluster.json", json.dumps(info, indent=2))
    return info


def down(state: Path) -> None:
    """Stop the workers, then the master, that `up` started for this state dir."""
    daemons.stop(state, *sorted(pid_file.stem for pid_file in state.glob("worker-*.pid")))
    daemons.stop(state, "master")
    (state / "cluster.json").unlink(missing_ok=True)


@contextlib.contextmanager
def running_cluster(state: Path, workers: int = 2, cores: int = 1, memory: str = "2g"):
    """A cluster on free ports for the `with` block (benchmarks): its info, stopped afterwards."""
    info = up(state, workers, cores, memory, free_port(), free_port())
    try:
        yield info
    finally:
        down(state)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["up", "down", "status"])
    parser.add_argument("--state-dir", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cores", type=int, default=1, help="cores per worker")
    parser.add_argument("--memory", default="2g", help="memory per worker")
    parser.add_argument("--port", type=int, default=7077, help="master port (0: a free one)")
    parser.add_argument("--web-port", type=int, default=8080, help="master web UI port (0: a free one)")
    args = parser.parse_args(argv)
    state = (args.state_dir or default_state_dir()).resolve()
    if args.action == "up":
        info = up(state, args.workers, args.cores, args.memory, args.port or free_port(),
                  args.web_port or free_port())
        print(json.dumps(info))
    elif args.action == "down":
        down(state)
    else:
        info_file = state / "cluster.json"
        if not info_file.exists():
            sys.exit(f"no cluster is up for {state}")
        info = json.loads(info_file.read_text())
        status = master_status(info["web_url"])
        print(json.dumps({**info, "alive_workers": status["aliveworkers"], "cores": status["cores"]}))


if __name__ == "__main__":
    main()
