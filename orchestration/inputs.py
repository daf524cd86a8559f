"""What an asset reads from upstream, or a clear failure that says what to materialize first."""

import dagster as dg

from flywheel.bundled import BUNDLED_INSTRUCTIONS, SAFETY_INSTRUCTIONS
from flywheel.lake import Lake
from orchestration.resources import StorageResource


def require_partition(lake: Lake, dataset: str, partition: str) -> str:
    """The lake path of `dataset`'s `partition`; fails the step if it was never published."""
    if not lake.has_partition(dataset, partition):
        raise dg.Failure(f"{dataset} has no partition {partition!r}; materialize {dataset} first")
    return lake.partition_path(dataset, partition)


def instruction_files(storage: StorageResource, include_bundled: bool, include_safety: bool = True) -> list[str]:
    """The instruction files SFT trains on (and the evaluation sets hold prompts out of): the bundled
    Python-docs set and the bundled safety refusals, if included, and every JSONL in
    `landing/instructions/`."""
    return ([str(BUNDLED_INSTRUCTIONS)] if include_bundled else []) \
        + ([str(SAFETY_INSTRUCTIONS)] if include_safety else []) + storage.landing().list_instruction_files()


def current_or_fail(storage: StorageResource, name: str, versioned_dataset: bool = False) -> dict:
    """The current version's record of a model (or a whole-version lake dataset)."""
    store = storage.versioned_datasets() if versioned_dataset else storage.models()
    current = store.current(name)
    if current is None:
        raise dg.Failure(f"no {name} yet: materialize `{name}` first")
    return current
