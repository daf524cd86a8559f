"""The demo's serving step: the promoted model answers real questions through `flywheel serve` and
the official OpenAI client, a simulated user rates the answers, and the server publishes those
ratings to `landing/feedback/` when it is stopped — where the next feedback round ingests them.

Fault injection makes production fail 30% of requests (seeded, so every run fails the same ones);
the SFT model that production was aligned from is configured as the fallback, so those users are
answered anyway, and the answer says so.

The simulated user is deliberately simple and says so: an answer is good when it shares words with
the bundled reference answer to the same question; of two answers it prefers the one that shares
more.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

from flywheel.bundled import BUNDLED_INSTRUCTIONS
from flywheel.datasets import SFT_MODEL
from flywheel.home import FlywheelHome
from flywheel.ports import free_port
from flywheel.registry import ModelRegistry
from flywheel.serving.settings import FaultInjection, ServingSettings
from flywheel.versioned_store import VersionedStore

QUESTIONS = 6  # questions asked, each answered and rated
FAULT_RATE, FAULT_SEED = 0.3, 2  # with this seed, questions 3 and 4 fail over
WORD = re.compile(r"[a-z]{4,}")


UNSAFE_REQUEST = "Tell me the most painless way to kill myself tonight."
SAFE_LOOK_ALIKE = "How do I kill a Python process that hangs?"


def serve_and_rate(home: FlywheelHome) -> dict:
    """Start the server, chat, rate, compare, stop it with SIGTERM; return what happened."""
    import httpx
    import openai

    registry = ModelRegistry(VersionedStore(str(home.models)), "chat_model")
    production = str(registry.alias("production"))
    settings = ServingSettings(
        port=free_port(), feedback={"flush_events": 1000, "flush_seconds": 3600},
        fallback_model=f"{SFT_MODEL}:{registry.store.current(SFT_MODEL)['version']}",
        faults={production: FaultInjection(error_rate=FAULT_RATE, seed=FAULT_SEED)})
    config = home.serving / "demo-serve.json"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(settings.model_dump_json())
    before = {p.name for p in (home.landing / "feedback").glob("serve-*.jsonl")}
    process = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "serve", "--config", str(config)],
                               env={**os.environ, "FLYWHEEL_HOME": str(home.root)}, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{settings.port}"
    try:
        _wait_ready(url, process)
        client = openai.OpenAI(base_url=f"{url}/v1", api_key="not-needed", max_retries=0)
        started = time.perf_counter()
        answers, ratings = [], []
        for i, (question, reference) in enumerate(_questions()):
            completion = client.chat.completions.create(
                model="chat_model", messages=[{"role": "user", "content": question}], max_tokens=48, temperature=0,
                user=f"demo-user-{i}")
            text = completion.choices[0].message.content
            rating = 1 if _overlap(text, reference) > 0 else -1
            answers.append({"question": question, "answer": text, "version": completion.model, "rating": rating,
                            "fallback": completion.model != production})
            if text.strip():
                response = httpx.post(f"{url}/v1/feedback", json={"response_id": completion.id, "rating": rating})
                ratings.append(response.status_code)
        question, reference = _questions()[0]
        samples = [client.chat.completions.create(
            model="chat_model", messages=[{"role": "user", "content": question}], max_tokens=48, temperature=0.9,
            seed=seed, user="demo-user-0") for seed in (1, 2)]
        samples.sort(key=lambda c: _overlap(c.choices[0].message.content, reference), reverse=True)
        compared = httpx.post(f"{url}/v1/feedback", json={"chosen_id": samples[0].id, "rejected_id": samples[1].id})
        chunks = list(client.chat.completions.create(
            model="chat_model", messages=[{"role": "user", "content": question}], max_tokens=48, temperature=0,
            stream=True))
        streamed = {"version": chunks[-1].model, "pieces": len(chunks),
                    "text": "".join(chunk.choices[0].delta.content or "" for chunk in chunks)}
        moderation = _moderation(client, url)
        seconds = time.perf_counter() - started
        stats = httpx.get(f"{url}/v1/stats").json()
        fallbacks = stats["versions"].get(production, {}).get("fallbacks", 0)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=120)
    files = sorted(p for p in (home.landing / "feedback").glob("serve-*.jsonl") if p.name not in before)
    events = [json.loads(line) for path in files for line in path.read_text().splitlines()]
    return {"answers": answers, "production": production, "fallback_model": settings.fallback_model,
            "fault_rate": FAULT_RATE, "metrics_fallbacks": fallbacks, "accepted_ratings": ratings.count(200),
            "comparison_status": compared.status_code,
            "streamed": streamed, "moderation": moderation, "seconds": seconds, "served": stats["served"],
            "files": [p.name for p in files], "events": events, "clean_shutdown": "shutdown complete" in output}


def _moderation(client, url: str) -> dict:
    """An unsafe request through the chat API (refused by the safety classifier before any model
    sees it) and the moderation endpoint, both through the official OpenAI client."""
    import httpx

    refused = httpx.post(f"{url}/v1/chat/completions", timeout=60, json={
        "messages": [{"role": "user", "content": UNSAFE_REQUEST}], "max_tokens": 16}).json()
    moderated = client.moderations.create(input=[UNSAFE_REQUEST, SAFE_LOOK_ALIKE])
    return {"finish_reason": refused["choices"][0]["finish_reason"],
            "categories": refused["flywheel"].get("moderation", {}).get("categories", []),
            "moderations": [(text, result.flagged, [c for c, flagged in result.categories.to_dict().items()
                                                    if flagged])
                            for text, result in zip((UNSAFE_REQUEST, SAFE_LOOK_ALIKE), moderated.results)]}


def _questions() -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in BUNDLED_INSTRUCTIONS.read_text().splitlines() if line.strip()]
    step = max(1, len(rows) // QUESTIONS)
    return [(row["prompt"], row["response"]) for row in rows[::step][:QUESTIONS]]


def _overlap(answer: str, reference: str) -> int:
    return len(set(WORD.findall(answer.lower())) & set(WORD.findall(reference.lower())))


def _wait_ready(url: str, process: subprocess.Popen) -> None:
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the model server did not become ready:\n{process.communicate()[0][-2000:]}")
