"""A model server on loopback over a registry of tiny (untrained) model versions."""

import contextlib
import shutil
import threading
import time

import httpx
import pytest

from flywheel.ports import free_port
from flywheel.registry import ModelRef, ModelRegistry
from flywheel.serving.app import create_app
from flywheel.serving.server import Server
from flywheel.serving.settings import ServingSettings
from flywheel.versioned_store import VersionedStore

V1, V2, V3 = (ModelRef("aligned_model", v) for v in ("v1", "v2", "v3"))


def passed_against(production: ModelRef | None) -> dict:
    return {"verdict": {"passed": True}, "production": str(production) if production else None}


@pytest.fixture
def registry(home, model_dir) -> ModelRegistry:
    """v1 (production), v2 and v3 published, each evaluated and passed against the one before."""
    store = VersionedStore(str(home.models))
    registry = ModelRegistry(store, "chat_model")
    for ref, against in ((V1, None), (V2, V1), (V3, V1)):
        store.publish(model_dir, ref.model, ref.version)
        registry.record_scorecard(ref, passed_against(against))
    registry.promote(V1, "first")
    return registry


def publish_broken(registry: ModelRegistry, model_dir, version: str) -> ModelRef:
    """A version whose weights file is truncated: it must never be switched to."""
    broken = model_dir.parent / f"broken-{version}"
    shutil.copytree(model_dir, broken, dirs_exist_ok=True)
    (broken / "model.safetensors").write_bytes(b"not a model")
    registry.store.publish(broken, "aligned_model", version)
    return ModelRef("aligned_model", version)


@contextlib.contextmanager
def running(home, **settings):
    """A real uvicorn server in a thread; yields (base URL, Server)."""
    import uvicorn

    # No moderation unless a test asks for it: the tiny test models' answers are not what it checks.
    config = ServingSettings(port=free_port(), registry_poll_s=0.2, **{"moderation": None, **settings})
    server = Server(config, home)
    uv = uvicorn.Server(uvicorn.Config(create_app(server), host="127.0.0.1", port=config.port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{config.port}"
    deadline = time.monotonic() + 60
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield url, server
    finally:
        uv.should_exit = True
        thread.join(60)


def chat(url: str, text: str = "How do I read a file?", **body) -> httpx.Response:
    return httpx.post(f"{url}/v1/chat/completions", timeout=60, json={
        "messages": [{"role": "user", "content": text}], "max_tokens": 4, "temperature": 0, **body})


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


class KeywordModerator:
    """A moderator for tests: flags inputs that say "forbidden", and every answer while
    `block_answers` is set."""

    block_answers = False

    def check_input(self, messages):
        from flywheel.serving.moderation import ModerationResult

        return ModerationResult("forbidden" in messages[-1]["content"], "test-keyword")

    def check_output(self, text):
        from flywheel.serving.moderation import ModerationResult

        return ModerationResult(KeywordModerator.block_answers, "test-answers")
