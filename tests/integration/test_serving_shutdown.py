"""`flywheel serve` as a process: SIGTERM during traffic lets every in-flight request finish and
publishes every acknowledged rating to the landing zone before the process exits."""

import os
import signal
import subprocess
import sys
import threading
import time

import httpx

from flywheel.feedback.events import parse_event
from flywheel.landing import LandingZone
from flywheel.ports import free_port
from flywheel.serving.settings import FaultInjection, ServingSettings
from tests.integration.serving_fixtures import V1, chat, registry, wait_until

__all__ = ["registry"]


def test_sigterm_during_traffic_finishes_requests_and_flushes_feedback(home, registry, tmp_path):
    settings = ServingSettings(port=free_port(), moderation=None, faults={str(V1): FaultInjection(added_latency_s=1.0)},
                               feedback={"flush_events": 1000, "flush_seconds": 3600},
                               batching={"max_batch_size": 4})
    config = tmp_path / "serve.json"
    config.write_text(settings.model_dump_json())
    url = f"http://127.0.0.1:{settings.port}"
    process = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "serve", "--config", str(config)],
                               env={**os.environ, "FLYWHEEL_HOME": str(home.root)}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: _ready(url), timeout=120)
        acknowledged = []
        for i in range(3):
            answer = chat(url, f"question {i}", user="carol").json()
            assert httpx.post(f"{url}/v1/feedback", json={"response_id": answer["id"], "rating": 1}).status_code == 200
            acknowledged.append(f"rating-{answer['id']}")
        in_flight = []
        threads = [threading.Thread(target=lambda: in_flight.append(chat(url, "late question").status_code))
                   for _ in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # the requests are queued or decoding
        process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join(60)
        assert in_flight == [200] * 8
        assert process.wait(60) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal after a clean shutdown
    finally:
        if process.poll() is None:
            process.kill()
        output = process.stdout.read()
    assert "Application shutdown complete" in output and "1 feedback files published" in output, output
    files = LandingZone(str(home.landing)).list_feedback_files()
    published = [parse_event(line)["event_id"] for f in files
                 for line in open(f.url.removeprefix("file://")).read().splitlines()]
    assert sorted(published) == sorted(acknowledged)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/ready", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


