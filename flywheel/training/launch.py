"""The command and environment that start a training run's ranks.

- world size 1 on one node: the entry point itself, with the rendezvous variables set;
- several ranks on one node: `torchrun --nproc_per_node N`;
- several nodes: the `deepspeed` launcher with a hostfile (it starts ranks over ssh/pdsh).
"""

from __future__ import annotations

import os
import sys

from flywheel.ports import free_port
from flywheel.training.settings import EngineSettings

ENTRY_MODULE = "flywheel.training.run"


def launch_command(spec_path: str, engine: EngineSettings,
                   module: str = ENTRY_MODULE) -> tuple[list[str], dict[str, str]]:
    """Every rank runs `python -m module spec_path`: a training run (default), or several runs in
    one process (the curation ablation's runner)."""
    port = str(free_port())
    threads = engine.threads_per_rank or max(1, (os.cpu_count() or 1) // engine.world_size)
    env = {"OMP_NUM_THREADS": str(threads), "TOKENIZERS_PARALLELISM": "false"}
    if engine.launcher == "deepspeed":
        command = ["deepspeed", "--master_port", port, "--num_nodes", str(engine.nodes),
                   "--num_gpus", str(engine.world_size), "--module", module, spec_path]
        if engine.hostfile:
            command[1:1] = ["--hostfile", engine.hostfile]
        return command, env
    if engine.world_size == 1:
        env.update(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        return [sys.executable, "-m", module, spec_path], env
    return [sys.executable, "-m", "torch.distributed.run", "--standalone",
            f"--nproc_per_node={engine.world_size}", "-m", module, spec_path], env
