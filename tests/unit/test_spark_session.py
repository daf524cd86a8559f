"""The defaults a Spark driver gets from the machine it runs on."""

from flywheel.spark_session import LOCAL_CONF, QUICK_JIT, machine_defaults


def test_a_driver_on_few_cores_compiles_with_the_quick_jit_only():
    assert machine_defaults(2, local=True) == {**LOCAL_CONF, **QUICK_JIT}
    assert machine_defaults(2, local=False) == QUICK_JIT  # a cluster's driver on a small machine too
    assert machine_defaults(16, local=True) == LOCAL_CONF  # C2 gets cores of its own there
    assert machine_defaults(16, local=False) == {}
