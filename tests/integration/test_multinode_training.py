"""Training across two simulated nodes (two torchrun agents on this machine meeting at one
rendezvous) through Dagster: the same loss curve and model as two ranks on one node, Pipes
messages from rank 0, and a run that loses a node resumes from the shared checkpoint folder."""

import json
import signal
import threading
import time
from pathlib import Path

import dagster as dg
import psutil
import pytest

from tests.integration.conftest import materialization_metadata
from tests.integration.training_fixtures import PRETRAIN_CONFIG, run_config

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

STEPS = 12
SETTINGS = {**PRETRAIN_CONFIG, "max_steps": STEPS, "warmup_steps": 2, "eval_every": 4, "checkpoint_every": 4,
            "log_every": 2, "seed": 2}
TWO_NODES = {"nodes": 2, "world_size": 1, "hosts": ["127.0.0.1", "localhost"]}
ONE_NODE = {"nodes": 1, "world_size": 2}


def _lose_node_one_when_checkpointed(checkpoints_root: Path, killed: list) -> None:
    """Once the first checkpoint is complete, SIGKILL node 1's agent and its rank, as a machine
    that goes down would vanish."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if any(checkpoints_root.glob("pretrained_model/*/checkpoints/latest")):
            for process in psutil.Process().children(recursive=True):
                try:
                    command = process.cmdline()
                except psutil.Error:
                    continue
                if "torch.distributed.run" in command and "--node-rank=1" in command:
                    for doomed in [*process.children(recursive=True), process]:
                        doomed.send_signal(signal.SIGKILL)
                        killed.append(doomed.pid)
            return
        time.sleep(0.1)


def _metrics(metadata: dict) -> list[dict]:
    path = Path(metadata["path"].removeprefix("file://")) / "metrics.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def test_two_nodes_train_like_two_ranks_on_one_node_and_resume_after_losing_a_node(retrained):
    home, definitions, instance, _ = retrained[:4]
    job = definitions.resolve_job_def("retraining")
    selection = [dg.AssetKey("pretrained_model")]

    def materialize(engine: dict, **kwargs):
        return job.execute_in_process(instance=instance, asset_selection=selection,
                                      run_config=run_config(pretrained_model={**SETTINGS, "engine": engine}), **kwargs)

    killed: list[int] = []
    watcher = threading.Thread(target=_lose_node_one_when_checkpointed, args=(home.checkpoints, killed))
    watcher.start()
    lost = materialize(TWO_NODES, raise_on_error=False)
    watcher.join()
    assert killed and not lost.success
    resumed_run = materialize(TWO_NODES)
    resumed = materialization_metadata(resumed_run, "pretrained_model")
    assert resumed["world_size"] == 2 and resumed["steps"] == STEPS
    assert resumed["resumed_from_step"] in (4, 8) and resumed["steps_this_run"] == STEPS - resumed["resumed_from_step"]
    # Rank 0's progress reached the Dagster run through Pipes (a message file in the shared run folder).
    logged = [record.user_message for record in instance.all_logs(resumed_run.run_id)]
    assert any(message.startswith(f"step {STEPS}:") for message in logged)

    single = materialization_metadata(materialize(ONE_NODE), "pretrained_model")
    assert single["world_size"] == 2 and single["version"] != resumed["version"]
    # Same ranks, same data order, same optimizer: the curves agree step by step.
    curves = [{(m["step"], key): m[key] for m in _metrics(metadata) for key in ("loss", "val_loss") if key in m}
              for metadata in (resumed, single)]
    assert curves[0].keys() == curves[1].keys() and len(curves[0]) >= STEPS // 2
    assert all(abs(curves[0][point] - curves[1][point]) < 1e-3 * max(1.0, abs(curves[1][point]))
               for point in curves[1])
    assert resumed["parameters"] == single["parameters"] and resumed["val_loss"] < resumed["initial_val_loss"]
    shapes = [json.loads((Path(m["path"].removeprefix("file://")) / "config.json").read_text())
              for m in (resumed, single)]
    assert shapes[0] == shapes[1]
