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


def main(job: str, batch: str | None = None) -> bool:
    definitions = build_definitions(FlywheelHome.from_env(), spark=SPARK)
    with dg.DagsterInstance.get() as instance:
        if job == "curation":
            result = definitions.resolve_job_def("curation").execute_in_process(
                partition_key=batch, instance=instance, raise_on_error=False)
        else:
            result = definitions.resolve_job_def("feedback_loop").execute_in_process(
                instance=instance, raise_on_error=False,
                asset_selection=[dg.AssetKey(FEEDBACK_EVENTS), dg.AssetKey(REWARD_DATA)])
        return result.success


if __name__ == "__main__":
    sys.exit(0 if main(*sys.argv[1:]) else 1)
