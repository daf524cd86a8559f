"""The Spark session that curation assets compute with."""

import json
import logging
import os
import threading

import dagster as dg
from pydantic import Field, PrivateAttr
from pyspark.sql import SparkSession

from flywheel.spark_session import build_spark_session

log = logging.getLogger("flywheel.spark")


class SparkResource(dg.ConfigurableResource):
    """A Spark session: `local[*]` on loopback by default; set `master` to `spark://host:7077`,
    `k8s://...` or `yarn` (and clear `bind_address`) to run the same assets on a cluster."""

    master: str = Field(default="local[*]", description="Spark master URL.")
    app_name: str = "flywheel"
    bind_address: str = Field(
        default="127.0.0.1",
        description="Interface the driver binds to; empty on a cluster so executors can reach it.")
    conf: dict[str, str] = Field(default_factory=dict, description="Extra Spark conf, e.g. executor memory.")
    checkpoint_dir: str = Field(
        default="",
        description="Where non-local masters write reliable checkpoints (connected components): shared "
                    "storage every executor reaches, so a lost executor does not lose them. Local masters "
                    "keep local checkpoints.")
    stop_after_run: bool = Field(
        default=True,
        description="Stop the session this run started when the run ends (frees the JVM's memory). "
                    "A session that was already running in the process is left alone.")
    start_early: bool = Field(
        default=True,
        description="Start the session in the background as the run starts, so the JVM boots while "
                    "steps without Spark (ingestion) run instead of when the first Spark step asks.")
    _started: SparkSession | None = PrivateAttr(default=None)
    _starting: threading.Thread | None = PrivateAttr(default=None)

    @classmethod
    def from_environment(cls, checkpoint_dir: str = "") -> "SparkResource":
        """Configured by environment, so a deployment moves to a cluster without a code change:
        FLYWHEEL_SPARK_MASTER (default `local[*]`), FLYWHEEL_SPARK_BIND_ADDRESS (default 127.0.0.1;
        empty on a cluster whose executors run on other hosts), FLYWHEEL_SPARK_CONF (a JSON object)."""
        return cls(master=os.environ.get("FLYWHEEL_SPARK_MASTER", "local[*]"),
                   bind_address=os.environ.get("FLYWHEEL_SPARK_BIND_ADDRESS", "127.0.0.1"),
                   conf=_conf_from_environment(), checkpoint_dir=checkpoint_dir)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.start_early and SparkSession.getActiveSession() is None:
            self._starting = threading.Thread(target=self._start_in_background, name="spark-start", daemon=True)
            self._starting.start()

    def _start_in_background(self) -> None:
        try:
            self._started = self._build()
        except Exception:  # get_session builds again and raises it in the step that needs Spark
            log.warning("starting Spark early failed; the first Spark step starts it", exc_info=True)

    def get_session(self) -> SparkSession:
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self._started is not None:
            return self._started
        already_running = SparkSession.getActiveSession()
        session = self._build()
        if already_running is None:
            self._started = session
        return session

    def _build(self) -> SparkSession:
        return build_spark_session(self.master, self.app_name, self.conf, self.bind_address or None,
                                   self.checkpoint_dir or None)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._starting is not None:  # a run that never asked for Spark: let the start finish, then stop it
            self._starting.join()
        if self.stop_after_run and self._started is not None:
            self._started.stop()
            self._started = None


def _conf_from_environment() -> dict[str, str]:
    raw = os.environ.get("FLYWHEEL_SPARK_CONF", "{}")
    try:
        conf = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"FLYWHEEL_SPARK_CONF is not JSON ({error}): {raw!r}") from None
    if not isinstance(conf, dict):
        raise ValueError(f'FLYWHEEL_SPARK_CONF must be a JSON object, e.g. {{"spark.executor.memory": "8g"}}: {raw!r}')
    return {str(key): str(value) for key, value in conf.items()}
