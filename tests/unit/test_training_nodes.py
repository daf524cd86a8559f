"""The multi-node launcher: one torchrun agent per host, remote hosts over ssh with the ranks'
variables on the command line, and one failing node stopping the others."""

import shlex
import sys
import time

from flywheel.training import nodes


def test_each_node_runs_torchrun_with_its_rank_and_the_first_host_as_rendezvous():
    commands = nodes.node_commands(["127.0.0.1", "localhost"], 2, 29511, "flywheel.training.run", "/shared/spec.json",
                                   {}, "/srv/flywheel")
    for node_rank, command in enumerate(commands):
        assert command[:3] == [sys.executable, "-m", "torch.distributed.run"]
        assert {"--nnodes=2", f"--node-rank={node_rank}", "--nproc-per-node=2", "--master-addr=127.0.0.1",
                "--master-port=29511"} <= set(command)
        assert command[-3:] == ["-m", "flywheel.training.run", "/shared/spec.json"]


def test_a_remote_node_gets_the_variables_ssh_would_drop_and_the_same_folder():
    environ = {"DAGSTER_PIPES_CONTEXT": "eyJ4IjogMX0=", "DAGSTER_PIPES_MESSAGES": "{\"path\": \"/shared/m\"}",
               "DS_ACCELERATOR": "cpu", "OMP_NUM_THREADS": "4", "FLYWHEEL_HOME": "/shared/home",
               "PYTHONPATH": "/srv/flywheel", "AWS_SECRET_ACCESS_KEY": "not forwarded", "HOME": "/root"}
    local, remote = nodes.node_commands(["127.0.0.1", "gpu-b"], 1, 29500, "m", "/shared/spec.json", environ,
                                        "/srv/flywheel dir")
    assert local[0] == sys.executable
    assert remote[:4] == ["ssh", "-o", "BatchMode=yes", "gpu-b"]
    words = shlex.split(remote[4])
    assert words[:4] == ["cd", "/srv/flywheel dir", "&&", "exec"]
    assignments = dict(word.split("=", 1) for word in words[5:] if "=" in word and not word.startswith("--"))
    assert assignments == {k: v for k, v in environ.items() if k not in ("AWS_SECRET_ACCESS_KEY", "HOME")}
    assert "--node-rank=1" in words and words[-1] == "/shared/spec.json"


def test_a_failing_node_stops_the_others_and_fails_the_run():
    started = time.monotonic()
    agents = nodes.start([[sys.executable, "-c", "import time; time.sleep(60)"],
                          [sys.executable, "-c", "raise SystemExit(3)"]])
    assert nodes.wait(agents) == 3 and time.monotonic() - started < 20
    assert agents[0].returncode is not None  # stopped, not left running


def test_the_run_succeeds_when_every_node_does():
    assert nodes.wait(nodes.start([[sys.executable, "-c", "pass"], [sys.executable, "-c", "pass"]])) == 0
