"""What one Spark session per curation run saves: the cold start of a session (a fresh process, a
new JVM, a first trivial job) measured several times, and the curation job's steps that use
Spark, read from the job itself. With one process per step, every Spark step would pay a start;
the in-process executor (one session per run, started in the background) pays it once.

    python -m benchmarks.spark_session_start [--trials 3] [--master local[2]]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

START_ONE = """
import time
started = time.perf_counter()
from flywheel.spark_session import build_spark_session
session = build_spark_session("{master}", "start-benchmark", {{"spark.ui.enabled": "false"}}, "127.0.0.1")
session.range(10).count()
print(time.perf_counter() - started)
session.stop()
"""


def cold_start_seconds(master: str) -> float:
    """Import, JVM launch, session and a first job, in a fresh Python process."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", START_ONE.format(master=master)], capture_output=True, text=True,
                          check=True)
    inside = float(done.stdout.strip().splitlines()[-1])
    return min(inside, time.perf_counter() - started)


def spark_steps_of_curation() -> list[str]:
    """The curation job's steps (ops) that take the `spark` resource."""
    from flywheel.home import FlywheelHome
    from orchestration.definitions import build_definitions

    job = build_definitions(FlywheelHome.from_env()).resolve_job_def("curation")
    return sorted(node.name for node in job.graph.nodes
                  if "spark" in node.definition.required_resource_keys)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args(argv)
    starts = [cold_start_seconds(args.master) for _ in range(args.trials)]
    median = statistics.median(starts)
    steps = spark_steps_of_curation()
    print(f"cold Spark session start on {args.master}: median {median:.1f} s over {args.trials} trials "
          f"({', '.join(f'{s:.1f}' for s in starts)})")
    print(f"curation steps that use Spark: {len(steps)} ({', '.join(steps)})")
    # raw_crawl takes the session only on a cluster; on local[*] its files are read by local processes.
    on_cluster, on_local = len(steps) - 1, len(steps) - 2
    print(f"one session per run instead of one per step saves {on_cluster} starts = {on_cluster * median:.1f} s per "
          f"batch on a cluster, {on_local} = {on_local * median:.1f} s on local[*] (where the one start left "
          "overlaps ingestion)")

if __name__ == "__main__":
    main()
