"""The current version of an upstream artifact, or a clear failure naming what to materialize."""

import dagster as dg

from orchestration.resources import StorageResource


def current_or_fail(storage: StorageResource, name: str, versioned_dataset: bool = False) -> dict:
    store = storage.versioned_datasets() if versioned_dataset else storage.models()
    current = store.current(name)
    if current is None:
        raise dg.Failure(f"no {name} yet: materialize `{name}` first")
    return current
