"""The defaults a local Spark master gets from the machine it runs on."""

from flywheel.spark_session import QUICK_JIT, local_conf


def test_a_local_jvm_on_few_cores_compiles_with_the_quick_jit_only():
    assert local_conf(2).items() >= QUICK_JIT.items()
    assert "spark.driver.extraJavaOptions" not in local_conf(16)  # C2 gets cores of its own there
    assert local_conf(16)["spark.driver.memory"] == local_conf(2)["spark.driver.memory"]
