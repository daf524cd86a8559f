"""The command and environment that start a training run's ranks.

- world size 1 on one node: the entry point itself, with the rendezvous variables set;
- several ranks on one node: `torchrun --standalone --nproc_per_node N`;
- several nodes: `flywheel.training.nodes`, which starts one torchrun agent per host (see there).
"""

from __future__ import annotations

import os
import sys

from flywheel.ports import free_port
from flywheel.training.nodes import is_local
from flywheel.training.settings import EngineSettings

ENTRY_MODULE = "flywheel.training.run"


def launch_command(spec_path: str, engine: EngineSettings,
                   module: str = ENTRY_MODULE) -> tuple[list[str], dict[str, str]]:
    """Every rank runs `python -m module spec_path`: a training run (default), or several runs in
    one process (the curation ablation's runner)."""
    port = str(free_port())
    env = {"OMP_NUM_THREADS": str(_threads_per_rank(engine)), "TOKENIZERS_PARALLELISM": "false"}
    if engine.nodes > 1:
        return [sys.executable, "-m", "flywheel.training.nodes", "--hosts", ",".join(engine.hosts),
                "--nproc-per-node", str(engine.world_size), "--port", port, "--module", module, spec_path], env
    if engine.world_size == 1:
        env.update(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        return [sys.executable, "-m", module, spec_path], env
    return [sys.executable, "-m", "torch.distributed.run", "--standalone",
            f"--nproc_per_node={engine.world_size}", "-m", module, spec_path], env


def _threads_per_rank(engine: EngineSettings) -> int:
    """The configured threads, else this machine's cores shared by the ranks it runs (every node
    that is simulated here adds its ranks)."""
    if engine.threads_per_rank:
        return engine.threads_per_rank
    nodes_here = sum(is_local(host) for host in engine.hosts) if engine.nodes > 1 else 1
    return max(1, (os.cpu_count() or 1) // (engine.world_size * max(1, nodes_here)))
