"""GX's import inside a process whose `__main__` has neither spec nor file (as in the step processes
the Dagster daemon launches): it goes through, and the process can still start spawn pools."""

import subprocess
import sys

from tests.conftest import REPO_ROOT

# `python -c` gives exactly such a `__main__`.
SCRIPT = """
import multiprocessing, sys
from concurrent.futures import ProcessPoolExecutor
from flywheel.quality.gx_runner import expectations
expectations()
assert not hasattr(sys.modules["__main__"], "__file__")
with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
    assert pool.submit(abs, -3).result() == 3
print("ok")
"""


def test_gx_imports_without_a_main_file_and_spawn_pools_still_start():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
