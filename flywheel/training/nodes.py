"""A training run across several nodes: one torchrun agent per host, supervised as one process.

`python -m flywheel.training.nodes --hosts A,B --nproc-per-node N --port P --module M SPEC` is what
the Dagster step launches (through Pipes) when `nodes > 1`. Node i runs
`torchrun --nnodes K --node-rank i --nproc-per-node N` with the static rendezvous on the first
host, so ranks i*N .. i*N+N-1 live on host i and rank 0 (which reports) on the first host. A host
that is this machine (127.0.0.1, localhost, its name) runs its agent here, which is how two nodes
are simulated on one machine; any other host runs it over `ssh` with the variables the ranks need
(Pipes, DeepSpeed, threads, Flywheel's own) written on the command line, because ssh passes
none of them. The ssh path is untested here (no second machine): every host needs the project's
environment at the same path and the run folder on a shared file system.

One agent failing (or a node lost) fails the run: the others are stopped, and the step's retry
resumes every node from the newest complete checkpoint. A SIGTERM/SIGINT (Dagster cancelling the
run) stops every agent. Stopping a remote node ends its ssh session; its ranks then fail on the
lost rendezvous store rather than on a signal.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import subprocess
import sys
import time

LOCAL_NAMES = {"127.0.0.1", "localhost", "::1"}
# What the ranks read from the environment; forwarded to nodes reached over ssh.
FORWARDED_PREFIXES = ("DAGSTER_PIPES_", "FLYWHEEL_", "DS_", "OMP_", "TOKENIZERS_", "PYTHONPATH", "HF_")
STOP_GRACE_SECONDS = 30.0


def is_local(host: str) -> bool:
    return host in LOCAL_NAMES or host in (socket.gethostname(), socket.getfqdn())


def agent_command(hosts: list[str], node_rank: int, nproc_per_node: int, port: int, module: str,
                  spec_path: str) -> list[str]:
    """torchrun for one node; every node meets at the first host's `port`."""
    return [sys.executable, "-m", "torch.distributed.run", f"--nnodes={len(hosts)}", f"--node-rank={node_rank}",
            f"--nproc-per-node={nproc_per_node}", "--rdzv-backend=static", f"--master-addr={hosts[0]}",
            f"--master-port={port}", "-m", module, spec_path]


def forwarded_environment(environ: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in environ.items() if name.startswith(FORWARDED_PREFIXES)}


def remote_command(host: str, command: list[str], environ: dict[str, str], cwd: str) -> list[str]:
    """`command` on `host` over ssh, in the same folder, with the forwarded variables set there."""
    assignments = [f"{name}={value}" for name, value in sorted(forwarded_environment(environ).items())]
    remote = f"cd {shlex.quote(cwd)} && exec env {shlex.join(assignments + command)}"
    return ["ssh", "-o", "BatchMode=yes", host, remote]


def node_commands(hosts: list[str], nproc_per_node: int, port: int, module: str, spec_path: str,
                  environ: dict[str, str], cwd: str) -> list[list[str]]:
    commands = []
    for node_rank, host in enumerate(hosts):
        command = agent_command(hosts, node_rank, nproc_per_node, port, module, spec_path)
        commands.append(command if is_local(host) else remote_command(host, command, environ, cwd))
    return commands


def start(commands: list[list[str]]) -> list[subprocess.Popen]:
    """Every node's agent, each in a process group of its own (so stopping a node stops its ranks)."""
    return [subprocess.Popen(command, start_new_session=True) for command in commands]


def wait(agents: list[subprocess.Popen]) -> int:
    """Until every agent succeeds or one fails; the first failure stops the others. Returns the
    run's exit code."""
    while True:
        codes = [agent.poll() for agent in agents]
        failed = [(node, code) for node, code in enumerate(codes) if code not in (None, 0)]
        if failed:
            node, code = failed[0]
            print(f"node {node} exited with {code}: stopping the other nodes", file=sys.stderr, flush=True)
            stop(agents)
            return code if code > 0 else 128 - code
        if all(code == 0 for code in codes):
            return 0
        time.sleep(0.2)


def stop(agents: list[subprocess.Popen]) -> None:
    """SIGTERM every agent's process group (torchrun passes it to its ranks), SIGKILL what outlives
    the grace period."""
    for agent in agents:
        _signal_group(agent, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for agent in agents:
        try:
            agent.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        _signal_group(agent, signal.SIGKILL)
        agent.wait()


def _signal_group(agent: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(agent.pid, signum)
    except ProcessLookupError:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flywheel.training.nodes", description=__doc__.split("\n")[0])
    parser.add_argument("--hosts", required=True, help="comma-separated, one per node; the first hosts rank 0")
    parser.add_argument("--nproc-per-node", type=int, required=True)
    parser.add_argument("--port", type=int, required=True, help="rendezvous port on the first host")
    parser.add_argument("--module", required=True, help="what every rank runs: python -m MODULE SPEC")
    parser.add_argument("spec")
    args = parser.parse_args(argv)
    commands = node_commands(args.hosts.split(","), args.nproc_per_node, args.port, args.module, args.spec,
                             dict(os.environ), os.getcwd())
    agents = start(commands)

    def stop_and_exit(signum, _frame):
        stop(agents)
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop_and_exit)
    signal.signal(signal.SIGINT, stop_and_exit)
    sys.exit(wait(agents))


if __name__ == "__main__":
    main()
