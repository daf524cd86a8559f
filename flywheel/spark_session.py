"""Build a Spark session from plain settings, so one code path serves a laptop and a cluster."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from pyspark.sql import DataFrame, SparkSession

# Arrow moves data between the JVM and Python in columnar batches (pandas/Arrow UDFs, toArrow).
DEFAULT_CONF: dict[str, str] = {
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.compression.codec": "zstd",
    # Standard INT64 microsecond timestamps instead of legacy INT96, so pyarrow round-trips them.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.ui.showConsoleProgress": "false",  # progress bars garble Dagster's logs
    # Web documents are ~10 KB each: the default 4,096-row Parquet reader batches and 10,000-row
    # Arrow batches are 40-120 MB contiguous buffers outside Spark's memory manager, which ran a
    # million-document deduplication out of a 4 GiB heap while its cached frames held the rest.
    # 1,024 rows keep each near 10 MB (no measurable cost in throughput).
    "spark.sql.parquet.columnarReaderBatchSize": "1024",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "1024",
}
# On one machine Spark's default of 200 shuffle partitions makes small joins pay for 200 tasks
# each, and its 1 GiB driver heap (which is all of local mode's memory) is too small for
# batches of web documents; a cluster's conf should set both for its own size.
LOCAL_CONF: dict[str, str] = {"spark.sql.shuffle.partitions": "8", "spark.driver.memory": "4g"}
# A driver JVM on a machine of few cores shares them with the run's Python processes (and, in local
# mode or on a cluster on the same machine, with the tasks), and the JIT's optimizing tier (C2)
# compiles on those same cores throughout runs of seconds to minutes. With the quick tier (C1)
# alone, 2 cores ran a cold 4-file curation in 34-35 s instead of 36-40 s, filtering of 8,000
# documents in 23.1-23.4 s instead of 24.8-24.9 s and deduplication of 50,000 in 56.6-56.8 s
# instead of 58.8-64.2 s, and the JVM started in 4.8 s instead of 5.5-6.1 s. With more cores, C2 has
# cores of its own (not measured here), so it keeps them. `spark.driver.extraJavaOptions` overrides.
QUICK_JIT_MAX_CORES = 4
QUICK_JIT_OPTION = "-XX:TieredStopAtLevel=1"
QUICK_JIT = {"spark.driver.extraJavaOptions": QUICK_JIT_OPTION}


def wants_quick_jit(cores: int) -> bool:
    """Whether a Spark JVM on a machine with `cores` cores compiles with the quick tier only."""
    return cores <= QUICK_JIT_MAX_CORES


def machine_defaults(cores: int, local: bool) -> dict[str, str]:
    """The conf defaults of a driver on a machine with `cores` cores, and of a local master."""
    return {**(LOCAL_CONF if local else {}), **(QUICK_JIT if wants_quick_jit(cores) else {})}


def is_local_master(master: str) -> bool:
    """`local`, `local[N]`, `local[*]`: the driver's own JVM runs the tasks."""
    return master.startswith("local")


def build_spark_session(master: str, app_name: str, conf: Mapping[str, str],
                        bind_address: str | None, checkpoint_dir: str | None = None) -> SparkSession:
    """Get or create the process's Spark session.

    `bind_address` pins the driver to one interface (loopback on a laptop, where the host name
    may resolve to an unreachable address); leave it empty on a cluster so executors can connect.
    `checkpoint_dir` (shared storage) gives a non-local master reliable checkpoints, which survive
    losing an executor; a local master keeps local checkpoints.
    """
    # Executors must run the same interpreter (and virtualenv) as the driver.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.master(master).appName(app_name)
    if bind_address:
        os.environ.setdefault("SPARK_LOCAL_IP", bind_address)
        builder = builder.config("spark.driver.host", bind_address).config(
            "spark.driver.bindAddress", bind_address)
    local = is_local_master(master)
    for key, value in {**DEFAULT_CONF, **machine_defaults(os.cpu_count() or 1, local), **conf}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    if checkpoint_dir and not local:
        session.sparkContext.setCheckpointDir(checkpoint_dir)
    return session


def spread_over_cores(frame: DataFrame) -> DataFrame:
    """Use every core even when the input has fewer files (partitions) than cores."""
    cores = frame.sparkSession.sparkContext.defaultParallelism
    if frame.rdd.getNumPartitions() < cores:
        return frame.repartition(cores * 2)
    return frame
