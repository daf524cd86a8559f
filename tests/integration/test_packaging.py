"""A non-editable install runs from anywhere: the runtime files (filter lists, the language-id
model, the instance template, the bundled samples) come with the package, not the checkout.

The project is installed with `pip install --no-deps --target` (a wheel built from a copy of the
checkout's tracked files, so no stale `build/` folder leaks deleted modules in; without its
dependencies, which the test environment already has) and run from a folder outside the repository
with only that install on the path.
"""

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow

CHECK = """
import flywheel, orchestration.definitions as definitions, dagster as dg
from pathlib import Path
from flywheel import bundled
from flywheel.home import FlywheelHome
assert Path(flywheel.__file__).is_relative_to(Path(INSTALL)), flywheel.__file__
for path in (bundled.LANGUAGE_ID_MODEL, bundled.URL_BLOCKLIST, bundled.DAGSTER_YAML_TEMPLATE, bundled.SAMPLE_FEEDBACK,
             bundled.BUNDLED_INSTRUCTIONS, bundled.REFERENCE_PROSE, bundled.SPAM_HOLDOUT,
             bundled.SAMPLE_CRAWL_DIR / "sample-0001" / "python-docs.warc.gz"):
    assert path.is_file() and path.is_relative_to(Path(INSTALL)), path
FlywheelHome.from_env().ensure()
dg.Definitions.validate_loadable(definitions.defs)
print("definitions loaded")
"""


def test_an_installed_package_loads_its_definitions_and_cli_outside_the_repository(tmp_path):
    source = tmp_path / "source"
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    for name in tracked.stdout.splitlines():
        if (REPO_ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / name, source / name)
    install = tmp_path / "install"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(install), str(source)], check=True, capture_output=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PYTHONPATH": str(install), "FLYWHEEL_HOME": str(tmp_path / "home")}
    loaded = subprocess.run([sys.executable, "-c", f"INSTALL = {str(install)!r}\n{CHECK}"], cwd=outside, env=env,
                            capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    assert "definitions loaded" in loaded.stdout
    cli = subprocess.run([str(install / "bin" / "flywheel"), "--help"], cwd=outside, env=env,
                         capture_output=True, text=True, check=True)
    assert "flywheel ingest PATH --batch NAME" in cli.stdout
