"""A job whose one step holds a slot of the `minhash_index` pool for a while, run in its own process
by the dead-run test (`python -m tests.integration.pool_holder SECONDS`)."""

import sys
import time

import dagster as dg


@dg.op(pool="minhash_index", config_schema={"seconds": float})
def hold_slot(context) -> None:
    time.sleep(context.op_config["seconds"])


@dg.job
def holds_pool() -> None:
    hold_slot()


def run(instance: dg.DagsterInstance, seconds: float) -> dg.ExecuteInProcessResult:
    return holds_pool.execute_in_process(instance=instance, raise_on_error=False,
                                         run_config={"ops": {"hold_slot": {"config": {"seconds": seconds}}}})


if __name__ == "__main__":
    with dg.DagsterInstance.get() as dagster_instance:
        run(dagster_instance, float(sys.argv[1]))
