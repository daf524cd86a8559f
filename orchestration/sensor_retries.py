"""Which run a sensor should request for a piece of work that is still pending, with bounded
retries: the instance's run history is the state, so a sensor's cursor needs none of it.

A piece of work has a base run key (`feedback:<hash of the files>`, `crawl_batch:<batch>`). Attempt
n uses the key `<base>` (n = 1) or `<base>:retry-<n>`. A sensor asks `next_attempt` only for work
that is not done (the data says so: the ledger, the published partitions), so a finished run of
the current key means that attempt failed to do it, and the next key is due; after
`max_attempts` failed runs the work is given up on until it changes (a new base key).
"""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg

RUN_KEY_TAG = "dagster/run_key"


@dataclass(frozen=True)
class Attempt:
    run_key: str
    number: int
    in_progress: bool = False  # a run with this key is queued or running: wait for it
    gave_up: bool = False  # `number` runs finished without doing the work


def run_key(base: str, number: int) -> str:
    return base if number == 1 else f"{base}:retry-{number}"


def next_attempt(instance: dg.DagsterInstance, base: str, max_attempts: int) -> Attempt:
    for number in range(1, max_attempts + 1):
        key = run_key(base, number)
        runs = instance.get_runs(filters=dg.RunsFilter(tags={RUN_KEY_TAG: key}), limit=1)
        if not runs:
            return Attempt(key, number)
        if not runs[0].is_finished:
            return Attempt(key, number, in_progress=True)
    return Attempt(run_key(base, max_attempts), max_attempts, gave_up=True)
