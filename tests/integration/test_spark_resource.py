import os

import dagster as dg
import pytest

from flywheel.spark_session import machine_defaults
from orchestration.resources import SparkResource


def test_session_already_running_is_left_alone(spark):
    @dg.asset
    def counted(spark: SparkResource) -> None:
        assert spark.get_session().range(5).count() == 5

    result = dg.materialize([counted], resources={"spark": SparkResource(stop_after_run=True)})
    assert result.success
    assert spark.range(3).count() == 3  # the shared session still works


def test_the_environment_chooses_master_bind_address_and_conf(monkeypatch):
    monkeypatch.setenv("FLYWHEEL_SPARK_MASTER", "spark://10.0.0.5:7077")
    monkeypatch.setenv("FLYWHEEL_SPARK_BIND_ADDRESS", "")
    monkeypatch.setenv("FLYWHEEL_SPARK_CONF", '{"spark.executor.memory": "8g"}')
    resource = SparkResource.from_environment(checkpoint_dir="/shared/checkpoints")
    assert (resource.master, resource.bind_address, resource.conf, resource.checkpoint_dir) == (
        "spark://10.0.0.5:7077", "", {"spark.executor.memory": "8g"}, "/shared/checkpoints")
    for name in ("FLYWHEEL_SPARK_MASTER", "FLYWHEEL_SPARK_BIND_ADDRESS", "FLYWHEEL_SPARK_CONF"):
        monkeypatch.delenv(name)
    assert SparkResource.from_environment().master == "local[*]"


@pytest.mark.parametrize("conf", ["spark.executor.memory=8g", '["spark.executor.memory"]'])
def test_a_malformed_conf_in_the_environment_is_a_clear_error(monkeypatch, conf):
    monkeypatch.setenv("FLYWHEEL_SPARK_CONF", conf)
    with pytest.raises(ValueError, match="FLYWHEEL_SPARK_CONF"):
        SparkResource.from_environment()


def test_the_local_jvm_runs_with_the_options_chosen_for_this_machine(spark):
    arguments = list(spark.sparkContext._jvm.java.lang.management.ManagementFactory.getRuntimeMXBean()
                     .getInputArguments())
    options = machine_defaults(os.cpu_count() or 1, local=True).get("spark.driver.extraJavaOptions")
    assert options is None or options in arguments
