"""The Dagster UI as a data engineer sees it, in headless chromium: `dagster-webserver` on a loopback
port over the curated sample's home (one batch curated by the session fixture, a second one
ingested by a CLI run of the `curation` job). Screenshots of a failing page are saved next to the
test's temporary files and named in the failure."""

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from flywheel.bundled import WORKSPACE_YAML
from flywheel.datasets import RAW_CRAWL, RAW_CRAWL_REJECTED
from flywheel.home import FlywheelHome
from flywheel.ports import free_port
from orchestration import lifecycle
from tests.conftest import REPO_ROOT
from tests.integration.serving_fixtures import wait_until

pytestmark = [pytest.mark.spark, pytest.mark.slow]

GROUPS = ["landing", "curation", "quality", "safety", "training", "feedback", "alignment", "evaluation"]
SECOND_BATCH = "ui-0002"
PAGE_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def ui(curated_sample, tmp_path_factory):
    """(base URL, id of the CLI's curation run) of a webserver over the curated sample's home."""
    _, _, instance, _ = curated_sample
    home = FlywheelHome(Path(instance.root_directory).parent)
    env = {"FLYWHEEL_HOME": str(home.root), "DAGSTER_HOME": str(home.dagster_home)}
    source = tmp_path_factory.mktemp("second-batch")
    (source / "pages.jsonl").write_text("".join(
        f'{{"url": "https://example.org/{n}", "text": "Page {n} of the second batch, about Python modules."}}\n'
        for n in range(3)) + "not json\n")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        lifecycle.ingest(source, SECOND_BATCH)
        # raw_crawl only (no Spark): a run of the code location's job, as `flywheel curate` launches it.
        run_id = lifecycle.curate(SECOND_BATCH, only=[RAW_CRAWL, RAW_CRAWL_REJECTED]).run_id
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-webserver"), "-w", str(WORKSPACE_YAML), "-h", "127.0.0.1",
         "-p", str(port)], cwd=REPO_ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(f"{url}/server_info") and server.poll() is None, timeout=180)
        yield url, run_id
    finally:
        server.terminate()
        server.wait(30)


def _answers(url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(url, timeout=5).status_code == 200
    return False


@contextlib.contextmanager
def opened(browser, url: str, tmp_path: Path, name: str):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    # A first visit opens Dagster's newsletter dialog over the page; dismiss it whenever it shows.
    page.add_locator_handler(page.get_by_role("button", name="Skip"), lambda skip: skip.click())
    page.goto(url)
    try:
        yield page
    except Exception:
        shot = tmp_path / f"{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        raise AssertionError(f"{name}: page {url} did not show what was expected; screenshot: {shot}")
    finally:
        page.close()


def test_the_lineage_page_lists_every_group(ui, browser, tmp_path):
    url, _ = ui
    with opened(browser, f"{url}/asset-groups", tmp_path, "lineage") as page:
        for group in GROUPS:
            page.get_by_text(group, exact=True).first.wait_for()


def test_filtered_docs_shows_its_drop_table_owner_and_columns(ui, browser, tmp_path):
    url, _ = ui
    with opened(browser, f"{url}/assets/filtered_docs?view=overview", tmp_path, "filtered_docs") as page:
        page.get_by_text("drops_by_rule", exact=True).first.wait_for()
        page.get_by_text("gopher_repetition", exact=False).first.wait_for()
        page.get_by_text("data-curation", exact=True).first.wait_for()  # the owner
        page.get_by_text("tier: silver", exact=True).first.wait_for()
        page.get_by_text("fastText lid.176 language code of the text.", exact=True).first.wait_for()


def test_a_cli_run_is_listed_under_its_job(ui, browser, tmp_path):
    url, run_id = ui
    with opened(browser, f"{url}/locations/flywheel/jobs/curation/runs", tmp_path, "curation_runs") as page:
        page.get_by_text(run_id[:8], exact=True).first.wait_for()
        page.get_by_text("flywheel/source: cli", exact=True).first.wait_for()


def test_raw_crawl_plots_a_numeric_series_over_both_batches(ui, browser, tmp_path):
    url, _ = ui
    with opened(browser, f"{url}/assets/raw_crawl?view=overview", tmp_path, "raw_crawl_plots") as page:
        page.get_by_text("Plots", exact=True).first.click()
        for series in ("dagster/row_count", "documents_out", "input_bytes"):
            page.get_by_text(series, exact=True).first.wait_for()
        # One chart per series, drawn on a canvas: one point per partition (sample-0001, ui-0002).
        page.wait_for_function("document.querySelectorAll('canvas').length >= 3")
