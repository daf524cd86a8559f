"""The chat page in a real headless browser (Playwright driving Debian's chromium): ask, see which
version answered, rate it; compare production with the canary and pick one."""

import shutil

import httpx
import pytest

from flywheel.feedback.events import parse_event
from flywheel.serving.settings import ServingSettings
from tests.integration.serving_fixtures import V1, V2, registry, running

__all__ = ["registry"]

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "chromium is missing: `make setup` installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def test_chat_rate_and_compare_in_the_browser(home, registry, browser):
    registry.start_canary(V2, 10, "gate passed")
    assert ServingSettings().max_tokens_limit >= 48  # what the page asks for
    with running(home) as (url, server):
        page = browser.new_page()
        page.goto(url)
        page.wait_for_function("document.getElementById('served').textContent.includes('canary')")
        page.fill("#prompt", "How do I open a file?")
        page.click("#send")
        meta = page.wait_for_selector(".turn.assistant .meta")
        assert meta.inner_text().split(" · ")[1].startswith(("aligned_model:v1", "aligned_model:v2"))
        page.click(".turn.assistant button.rate.up")
        page.wait_for_selector(".turn.assistant .rated")
        page.check("#compare")
        page.fill("#prompt", "And how do I close it?")
        page.click("#send")
        page.wait_for_selector(".pair .option >> nth=1")
        shown = page.locator(".pair .option .meta").all_inner_texts()
        assert shown[0].startswith(f"production · {V1}") and shown[1].startswith(f"canary · {V2}")
        page.locator(".pair button.choose").nth(1).click()
        page.wait_for_selector(".pair .option.chosen")
        assert page.locator("#status").inner_text() == ""
        assert httpx.get(f"{url}/v1/stats").json()["feedback"]["pending_feedback"] == 2
        server.flusher.flush()
        events = [line for f in server.flusher.landing.list_feedback_files()
                  for line in open(f.url.removeprefix("file://")).read().splitlines()]
        assert sorted(parse_event(line)["kind"] for line in events) == ["comparison", "rating"]
