"""The chat page in a real headless browser (Playwright driving Debian's chromium): ask, see which
version answered, rate it; compare production with the canary and pick one."""

import httpx

from flywheel.feedback.events import parse_event
from flywheel.serving.settings import ServingSettings
from tests.integration.serving_fixtures import V1, V2, registry, running

__all__ = ["registry"]


def test_chat_rate_and_compare_in_the_browser(home, registry, browser):
    registry.start_canary(V2, 10, "gate passed")
    assert ServingSettings().max_tokens_limit >= 48  # what the page asks for
    with running(home) as (url, server):
        page = browser.new_page()
        page.goto(url)
        page.wait_for_function("document.getElementById('served').textContent.includes('canary')")
        for turn, question in enumerate(["How do I open a file?", "What is a list?", "What is a dict?"]):
            page.fill("#prompt", question)
            page.click("#send")
            meta = page.wait_for_selector(f".turn.assistant >> nth={turn} >> .meta")
            assert meta.inner_text().split(" · ")[1].startswith(("aligned_model:v1", "aligned_model:v2"))
            if meta.query_selector("button.rate.up"):  # the untrained model's answer may be blank: not ratable
                break
        meta.query_selector("button.rate.up").click()
        page.wait_for_selector(".turn.assistant .rated")
        page.check("#compare")
        for turn, question in enumerate(["And how do I close it?", "And how do I delete it?", "And rename it?"]):
            page.fill("#prompt", question)
            page.click("#send")
            pair = page.wait_for_selector(f".turn.pair >> nth={turn}")
            page.wait_for_selector(f".turn.pair >> nth={turn} >> .option >> nth=1")
            shown = [m.inner_text() for m in pair.query_selector_all(".option .meta")]
            assert shown[0].startswith(f"production · {V1}") and shown[1].startswith(f"canary · {V2}")
            if pair.query_selector("button.choose"):  # both answers non-blank
                break
        pair.query_selector_all("button.choose")[1].click()
        page.wait_for_selector(".pair .option.chosen")
        assert page.locator("#status").inner_text() == ""
        assert httpx.get(f"{url}/v1/stats").json()["feedback"]["pending_feedback"] == 2
        server.flusher.flush()
        events = [line for f in server.flusher.landing.list_feedback_files()
                  for line in open(f.url.removeprefix("file://")).read().splitlines()]
        assert sorted(parse_event(line)["kind"] for line in events) == ["comparison", "rating"]
