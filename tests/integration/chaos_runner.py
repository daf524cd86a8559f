"""One run of the chaos test's victim, in a process of its own (killed with SIGKILL by the test):
`python -m tests.integration.chaos_runner curation BATCH` or `... feedback`, against
FLYWHEEL_HOME's instance."""

import sys

import dagster as dg

from flywheel.datasets import FEEDBACK_EVENTS, REWARD_DATA
from flywheel.home import FlywheelHome
from orchestration.definitions import build_definitions
from orchestration.resources import SparkResource

SPARK = SparkResource(master="local[1]", conf={"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2"})


def run(home: FlywheelHome, instance: dg.DagsterInstance, job: str, batch: str | None,
        spark: SparkResource) -> dg.ExecuteInProcessResult:
    """One run of `job` against `home` and `instance`, in this process."""
    definitions = build_definitions(home, spark=spark)
    if job == "curation":
        return definitions.resolve_job_def("curation").execute_in_process(
            partition_key=batch, instance=instance, raise_on_error=False)
    return definitions.resolve_job_def("feedback_loop").execute_in_process(
        instance=instance, raise_on_error=False,
        asset_selection=[dg.AssetKey(FEEDBACK_EVENTS), dg.AssetKey(REWARD_DATA)])


def main(job: str, batch: str | None = None) -> bool:
    with dg.DagsterInstance.get() as instance:
        return run(FlywheelHome.from_env(), instance, job, batch, SPARK).success


if __name__ == "__main__":
    sys.exit(0 if main(*sys.argv[1:]) else 1)
