"""The Spark session that curation assets compute with."""

import dagster as dg
from pydantic import Field, PrivateAttr
from pyspark.sql import SparkSession

from flywheel.spark_session import build_spark_session


class SparkResource(dg.ConfigurableResource):
    """A Spark session: `local[*]` on loopback by default; set `master` to `spark://host:7077`,
    `k8s://...` or `yarn` (and clear `bind_address`) to run the same assets on a cluster."""

    master: str = Field(default="local[*]", description="Spark master URL.")
    app_name: str = "flywheel"
    bind_address: str = Field(
        default="127.0.0.1",
        description="Interface the driver binds to; empty on a cluster so executors can reach it.")
    conf: dict[str, str] = Field(default_factory=dict, description="Extra Spark conf, e.g. executor memory.")
    stop_after_run: bool = Field(
        default=True,
        description="Stop the session this step started when the step ends (frees the JVM's "
                    "memory). A session that was already running in the process is left alone.")
    _started: SparkSession | None = PrivateAttr(default=None)

    def get_session(self) -> SparkSession:
        already_running = SparkSession.getActiveSession()
        session = build_spark_session(self.master, self.app_name, self.conf, self.bind_address or None)
        if already_running is None:
            self._started = session
        return session

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self.stop_after_run and self._started is not None:
            self._started.stop()
            self._started = None
