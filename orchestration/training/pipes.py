"""The Pipes client that launches a run's ranks, wherever rank 0 runs."""

from pathlib import Path

import dagster as dg

from flywheel.training.settings import EngineSettings

MESSAGES = "pipes-messages.jsonl"


def pipes_for_ranks(configured: dg.PipesSubprocessClient, engine: EngineSettings,
                    run_dir: Path) -> dg.PipesSubprocessClient:
    """On one node, the configured client. Across nodes, rank 0 may run on another machine, which
    can read neither the context file nor the message file the default client keeps in this
    machine's temp folder: the context travels in the environment (forwarded to every node) and
    rank 0 writes its messages to a file in the run's folder, which every node shares."""
    if engine.nodes == 1:
        return configured
    return dg.PipesSubprocessClient(context_injector=dg.PipesEnvContextInjector(),
                                    message_reader=dg.PipesFileMessageReader(str(run_dir / MESSAGES)))
