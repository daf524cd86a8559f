"""Find runs whose process died and release what they hold."""

import dagster as dg

from orchestration.dead_runs import release_dead_runs


@dg.sensor(
    name="dead_run_sensor",
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Every 30 s: a started run whose process is gone (SIGKILL, out of memory, a lost machine) is "
                "marked failed and its concurrency-pool slots are freed, so later runs (deduplication waits "
                "on the `minhash_index` pool) proceed without anyone touching the instance. The sensors then "
                "request the failed work again.",
)
def dead_run_sensor(context: dg.SensorEvaluationContext):
    released = release_dead_runs(context.instance)
    if released:
        context.log.error(f"Runs whose process died, marked failed and their pool slots freed: {released}")
        return dg.SkipReason(f"Released {len(released)} dead runs: {released}")
    return dg.SkipReason("No dead runs.")
