"""A production-style Dagster deployment on this machine: PostgreSQL as run, event-log and schedule
storage; the `flywheel` code location in a code server of its own; and `dagster-daemon` and
`dagster-webserver` as separate processes over it, with the queued run coordinator and its limits.
Runs are launched by the code server, so restarting the daemon or the webserver leaves them running.

    python infra/dagster/deploy.py up [--postgres-port 5433] [--webserver-port 3000]
                                      [--code-server-port 4266]                       (make deploy-up)
    python infra/dagster/deploy.py down [--purge]                                        (make deploy-down)
    python infra/dagster/deploy.py status

PostgreSQL is Debian's server (`postgresql` package) with a data directory of its own, listening on
127.0.0.1 only, with `trust` authentication for the `flywheel` role: fine on loopback, not on a
network (there, use the Helm chart's values in this folder with a managed database and a secret).
PostgreSQL refuses to run as root; run as root, `up` starts it as the `postgres` system user, with
its data directory in /var/tmp/flywheel-postgres-<hash of the state dir> (a folder that user can
reach). Everything else lives in `--state-dir` (default $FLYWHEEL_HOME/deployment): DAGSTER_HOME
(the instance's `dagster.yaml`: the local instance's settings from the bundled template with this
folder's `dagster.yaml` storage section; `workspace.yaml` from this folder's template), pids, logs
and `deployment.json`. `down` stops what this
state dir's `up` started and keeps the database (run history survives a restart); `--purge`
deletes it too.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from string import Template

import yaml

from flywheel import daemons
from flywheel.atomic_files import write_text_atomically
from flywheel.bundled import DAGSTER_YAML_TEMPLATE
from flywheel.home import FlywheelHome
from flywheel.ports import free_port

HOST = "127.0.0.1"
DATABASE = "dagster"
ROLE = "flywheel"
HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
STATE_FILE = "deployment.json"
CODE_SERVER, DAEMON, WEBSERVER = "dagster-code-server", "dagster-daemon", "dagster-webserver"
CODE_MODULE, LOCATION = "orchestration.definitions", "flywheel"
# The daemon stops its threads within a second or two of SIGTERM ("Daemon threads shut down." in
# its log) but its process has been seen to linger for minutes after; its state is all in the
# database, so a SIGKILL after this is safe.
DAEMON_GRACE_S = 5.0
HEALTH_QUERY = "{ instance { daemonHealth { allDaemonStatuses { daemonType required healthy } } } }"


def default_state_dir() -> Path:
    return FlywheelHome.from_env().root / "deployment"


# PostgreSQL -------------------------------------------------------------------------------------

def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise SystemExit("PostgreSQL's server is not installed (Debian: apt-get install postgresql)")
    return found[-1].parent


def data_dir(state: Path) -> Path:
    if os.geteuid() != 0:
        return state / "pgdata"
    return Path("/var/tmp") / f"flywheel-postgres-{hashlib.sha256(str(state).encode()).hexdigest()[:12]}"


def _as_db_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    return done.stdout


def start_postgres(state: Path, port: int) -> None:
    data, bin_dir = data_dir(state), postgres_bin()
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        data.chmod(0o700)
        _run(_as_db_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", ROLE, "--auth=trust", "-E", "UTF8"]))
    options = f"-p {port} -c listen_addresses={HOST} -k {data}"
    _run(_as_db_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-o", options,
                       "-w", "-t", "60", "start"]))
    exists = _run([str(bin_dir / "psql"), "-h", HOST, "-p", str(port), "-U", ROLE, "-d", "postgres", "-tAc",
                   f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"])
    if not exists.strip():
        _run([str(bin_dir / "createdb"), "-h", HOST, "-p", str(port), "-U", ROLE, DATABASE])


def stop_postgres(state: Path) -> None:
    data = data_dir(state)
    if (data / "postmaster.pid").exists():
        _run(_as_db_owner([str(postgres_bin() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]))


# Dagster ----------------------------------------------------------------------------------------

def instance_config(dagster_home: Path) -> str:
    """The local instance's settings (bundled template) with this folder's storage section: the
    deployment differs from a laptop only where it must."""
    config = yaml.safe_load(Template(DAGSTER_YAML_TEMPLATE.read_text()).substitute(dagster_home=str(dagster_home)))
    config.pop("storage")
    config.update(yaml.safe_load((HERE / "dagster.yaml").read_text()))
    return "# Written by infra/dagster/deploy.py: bundled dagster.yaml.template + infra/dagster/dagster.yaml\n" + \
        yaml.safe_dump(config, sort_keys=False)


def dagster_env(state: Path, port: int) -> dict[str, str]:
    return {**os.environ, "DAGSTER_HOME": str(state / "dagster_home"),
            "FLYWHEEL_HOME": str(FlywheelHome.from_env().root),
            "FLYWHEEL_POSTGRES_HOST": HOST, "FLYWHEEL_POSTGRES_PORT": str(port), "FLYWHEEL_POSTGRES_USER": ROLE,
            "FLYWHEEL_POSTGRES_PASSWORD": "", "FLYWHEEL_POSTGRES_DB": DATABASE}


def start_code_server(state: Path, timeout_s: float) -> None:
    """The code location's server; returns once it accepts connections (its code is loaded)."""
    info = read_state(state)
    daemons.start(state, CODE_SERVER, [_tool("dagster"), "code-server", "start", "-h", HOST, "-p",
                                       str(info["code_server_port"]), "-m", CODE_MODULE, "--location-name", LOCATION,
                                       "-d", str(REPO_ROOT)], dagster_env(state, info["postgres_port"]), cwd=REPO_ROOT)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection((HOST, info["code_server_port"]), timeout=1).close()
            return
        except OSError:
            if not daemons.is_running(state, CODE_SERVER) or time.monotonic() > deadline:
                raise SystemExit(f"the code server did not start; see {state / 'logs' / CODE_SERVER}.log") from None
            time.sleep(0.5)


def start_daemon(state: Path) -> None:
    info = read_state(state)
    daemons.start(state, DAEMON, [_tool(DAEMON), "run", "-w", info["workspace"]],
                  dagster_env(state, info["postgres_port"]), cwd=REPO_ROOT)


def restart_daemon(state: Path, timeout_s: float = 120.0) -> None:
    """Stop the daemon (SIGTERM: it finishes its iteration; runs it launched keep running) and
    start it again; returns once every daemon reports healthy."""
    daemons.stop(state, DAEMON, grace_s=DAEMON_GRACE_S)
    start_daemon(state)
    wait_healthy(state, timeout_s)


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(f"{url}/graphql", data=json.dumps({"query": query, "variables": variables or {}})
                                     .encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.load(response)
    if answer.get("errors"):
        raise RuntimeError(f"GraphQL errors: {answer['errors']}")
    return answer["data"]


def daemon_statuses(url: str) -> dict[str, bool]:
    statuses = graphql(url, HEALTH_QUERY)["instance"]["daemonHealth"]["allDaemonStatuses"]
    return {s["daemonType"]: s["healthy"] for s in statuses if s["required"]}


def wait_healthy(state: Path, timeout_s: float) -> None:
    url = read_state(state)["webserver_url"]
    deadline = time.monotonic() + timeout_s
    while True:
        for name in (WEBSERVER, DAEMON):
            if not daemons.is_running(state, name):
                raise SystemExit(f"{name} exited; see {state / 'logs' / name}.log")
        try:
            statuses = daemon_statuses(url)
            if statuses and all(statuses.values()):
                return
        except (OSError, RuntimeError, KeyError):
            statuses = None
        if time.monotonic() > deadline:
            raise SystemExit(f"the deployment was not healthy in {timeout_s:.0f} s (daemons: {statuses})")
        time.sleep(1.0)


# Up / down --------------------------------------------------------------------------------------

def read_state(state: Path) -> dict:
    return json.loads((state / STATE_FILE).read_text())


def up(state: Path, postgres_port: int, webserver_port: int, code_server_port: int,
       timeout_s: float = 180.0) -> dict:
    """PostgreSQL, the code server, then the webserver and the daemon; returns once every daemon is
    healthy."""
    if (state / STATE_FILE).exists():
        raise SystemExit(f"a deployment is already up for {state} (run `down` first)")
    home = state / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    info = {"postgres_port": postgres_port, "postgres_data": str(data_dir(state)),
            "webserver_url": f"http://{HOST}:{webserver_port}", "code_server_port": code_server_port,
            "dagster_home": str(home), "workspace": str(home / "workspace.yaml")}
    start_postgres(state, postgres_port)
    write_text_atomically(home / "dagster.yaml", instance_config(home))
    write_text_atomically(home / "workspace.yaml", Template((HERE / "workspace.yaml.template").read_text())
                          .substitute(code_server_port=code_server_port))
    write_text_atomically(state / STATE_FILE, json.dumps(info, indent=2))
    try:
        start_code_server(state, timeout_s)
        daemons.start(state, WEBSERVER, [_tool(WEBSERVER), "-h", HOST, "-p", str(webserver_port), "-w",
                                         info["workspace"]], dagster_env(state, postgres_port), cwd=REPO_ROOT)
        start_daemon(state)
        wait_healthy(state, timeout_s)
    except BaseException:
        down(state)
        raise
    return info


def down(state: Path, purge: bool = False) -> None:
    """Stop the daemon, the webserver, the code server (and the runs it launched) and PostgreSQL
    that `up` started for this state dir."""
    daemons.stop(state, DAEMON, grace_s=DAEMON_GRACE_S)  # first: it launches nothing more
    daemons.stop(state, WEBSERVER, CODE_SERVER, grace_s=30.0)
    stop_postgres(state)
    (state / STATE_FILE).unlink(missing_ok=True)
    if purge:
        shutil.rmtree(data_dir(state), ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["up", "down", "status"])
    parser.add_argument("--state-dir", type=Path, default=None)
    parser.add_argument("--postgres-port", type=int, default=5433, help="0: a free one")
    parser.add_argument("--webserver-port", type=int, default=3000, help="0: a free one")
    parser.add_argument("--code-server-port", type=int, default=4266, help="0: a free one")
    parser.add_argument("--purge", action="store_true", help="down: also delete the database")
    args = parser.parse_args(argv)
    state = (args.state_dir or default_state_dir()).resolve()
    if args.action == "up":
        print(json.dumps(up(state, args.postgres_port or free_port(), args.webserver_port or free_port(),
                            args.code_server_port or free_port())))
    elif args.action == "down":
        down(state, args.purge)
    else:
        if not (state / STATE_FILE).exists():
            sys.exit(f"no deployment is up for {state}")
        info = read_state(state)
        print(json.dumps({**info, "daemons_healthy": daemon_statuses(info["webserver_url"])}))


if __name__ == "__main__":
    main()
