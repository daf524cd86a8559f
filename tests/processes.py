"""Run a function in several processes at once, as concurrent writers are in production."""

import multiprocessing
from collections.abc import Callable, Iterable


def run_concurrently(target: Callable, argument_tuples: Iterable[tuple], timeout: float = 60) -> None:
    """One spawned process per argument tuple, all started before any is awaited; each must exit 0."""
    processes = [multiprocessing.get_context("spawn").Process(target=target, args=args) for args in argument_tuples]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout)
        assert process.exitcode == 0, f"a writer failed (exit code {process.exitcode})"
