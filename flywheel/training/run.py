"""One rank of a training run: `python -m flywheel.training.run SPEC.json`.

Launched by `launch.py` (directly for one process, through torchrun, one torchrun agent per node for
several), which sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT. Run by hand, it
defaults to a single process.
"""

from __future__ import annotations

import os
import sys


def single_process_defaults() -> None:
    """The rendezvous variables of a one-process run, where no launcher set them."""
    for name, value in {"RANK": "0", "WORLD_SIZE": "1", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1",
                        "MASTER_PORT": "29500"}.items():
        os.environ.setdefault(name, value)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m flywheel.training.run SPEC.json")
    single_process_defaults()
    from flywheel.training.loop import train
    from flywheel.training.spec import TrainingSpec

    train(TrainingSpec.load(args[0]))


if __name__ == "__main__":
    main()
