"""Serving throughput on the demo's production model: dynamic batching against one generate call
per request (what a plain one-request-at-a-time server does), and int8 quantization against float.

    make demo   # once, for a FLYWHEEL_HOME with a production model and evaluation sets
    .venv/bin/python benchmarks/serving_throughput.py [--clients 16] [--requests 192] [--max-tokens 32]

Each configuration is a real `flywheel serve` process on loopback, over a copy of the production
model in a scratch home; a bounded load generator (N concurrent clients, a fixed prompt set, a
fixed request count, greedy answers) drives it after a warm-up. Printed per configuration:
requests/s, generated tokens/s, p50/p99 latency and the server's resident memory, then the ratios.
The int8 model's quality cost is measured with the evaluation's own scorer: bits per byte on the
held-out documents, float against int8.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import httpx  # noqa: E402
import psutil  # noqa: E402

from flywheel.bundled import BUNDLED_INSTRUCTIONS  # noqa: E402
from flywheel.datasets import EVALUATION_SETS  # noqa: E402
from flywheel.home import FlywheelHome  # noqa: E402
from flywheel.registry import ModelRegistry  # noqa: E402
from flywheel.serving.settings import BatchingSettings, ServingSettings  # noqa: E402
from orchestration.resources import StorageResource  # noqa: E402

CONFIGURATIONS = {
    "batched": {"batching": BatchingSettings(max_batch_size=16)},
    "one-at-a-time": {"batching": BatchingSettings(max_batch_size=1)},
    "batched-int8": {"batching": BatchingSettings(max_batch_size=16), "quantize_int8": True},
}


def prompts(count: int) -> list[str]:
    rows = [json.loads(line) for line in BUNDLED_INSTRUCTIONS.read_text().splitlines() if line.strip()]
    return [rows[i % len(rows)]["prompt"] for i in range(count)]


async def load(url: str, clients: int, questions: list[str], max_tokens: int) -> dict:
    latencies, tokens, queue = [], 0, list(questions)
    async with httpx.AsyncClient(timeout=300) as client:
        async def worker() -> None:
            nonlocal tokens
            while queue:
                question = queue.pop()
                started = time.perf_counter()
                response = await client.post(f"{url}/v1/chat/completions", json={
                    "messages": [{"role": "user", "content": question}], "max_tokens": max_tokens,
                    "temperature": 0})
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)
                tokens += response.json()["usage"]["completion_tokens"]

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        seconds = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(latencies), "seconds": seconds, "requests_per_s": len(latencies) / seconds,
            "tokens_per_s": tokens / seconds, "p50_s": statistics.median(latencies),
            "p99_s": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]}


def run_server(home: Path, settings: ServingSettings, clients: int, questions: list[str], max_tokens: int) -> dict:
    config = home / "serve.json"
    config.write_text(settings.model_dump_json())
    process = subprocess.Popen([sys.executable, "-m", "orchestration.cli", "serve", "--config", str(config)],
                               env={**os.environ, "FLYWHEEL_HOME": str(home)}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{settings.port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the server did not become ready")
            time.sleep(0.2)
        asyncio.run(load(url, clients, questions[:clients], max_tokens))  # warm-up
        result = asyncio.run(load(url, clients, questions, max_tokens))
        result["server_rss_mb"] = psutil.Process(process.pid).memory_info().rss / 2**20
        return result
    finally:
        process.terminate()
        process.wait(60)


def weight_megabytes(model_path: str, quantize: bool) -> float:
    """The model's serialized weights: what int8 saves, without the runtime that dominates a tiny
    model's resident memory."""
    import io

    import torch

    from flywheel.serving.generation import ChatModel

    buffer = io.BytesIO()
    torch.save(ChatModel(model_path, quantize_int8=quantize).model.state_dict(), buffer)
    return buffer.tell() / 2**20


def document_bits(model_path: str, sets_dir: Path, quantize: bool) -> list[dict]:
    """Per held-out document: bits and bytes, scored as `model_evaluation` scores them."""
    from flywheel.evaluation.harness import BITS_PER_BYTE, run_harness
    from flywheel.evaluation.language_model import FlywheelLM

    with tempfile.TemporaryDirectory() as work:
        return run_harness(FlywheelLM(model_path, quantize_int8=quantize), sets_dir, Path(work)).items[BITS_PER_BYTE]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=192)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--port", type=int, default=8931)
    args = parser.parse_args()
    storage = StorageResource.for_home(FlywheelHome.from_env())
    source = ModelRegistry(storage.models(), "chat_model")
    production = source.alias("production")
    if production is None:
        raise SystemExit("no production chat model in FLYWHEEL_HOME: run `make demo` first")
    questions = prompts(args.requests)
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        home = FlywheelHome(Path(scratch)).ensure()
        registry = ModelRegistry(storage.__class__.for_home(home).models(), "chat_model")
        registry.store.publish(Path(source.path_of(production)), production.model, production.version)
        registry.promote(production, "serving benchmark", force=True)
        for name, overrides in CONFIGURATIONS.items():
            # Model serving alone: moderation (the safety classifier) is measured by its own benchmark.
            settings = ServingSettings(port=args.port, request_deadline_s=300, moderation=None, **overrides)
            results[name] = run_server(home.root, settings, args.clients, questions, args.max_tokens)
    print(f"model {production}: {args.requests} requests from {args.clients} concurrent clients, "
          f"max_tokens {args.max_tokens}, greedy")
    print(f"{'configuration':15s} {'req/s':>7s} {'tok/s':>8s} {'p50 s':>7s} {'p99 s':>7s} {'RSS MB':>7s}")
    for name, r in results.items():
        print(f"{name:15s} {r['requests_per_s']:7.2f} {r['tokens_per_s']:8.1f} {r['p50_s']:7.3f} {r['p99_s']:7.3f} "
              f"{r['server_rss_mb']:7.0f}")
    batched, single, int8 = results["batched"], results["one-at-a-time"], results["batched-int8"]
    print(f"batching: {batched['requests_per_s'] / single['requests_per_s']:.2f}x the throughput of one at a "
          f"time; p99 {batched['p99_s'] / single['p99_s']:.2f}x (target >= 3x, p99 not worse)")
    path = source.path_of(production)
    print(f"int8: {int8['requests_per_s'] / batched['requests_per_s']:.2f}x the throughput of float, "
          f"server RSS {int8['server_rss_mb'] - batched['server_rss_mb']:+.0f} MB, weights "
          f"{weight_megabytes(path, True):.1f} MB vs {weight_megabytes(path, False):.1f} MB")
    sets = storage.versioned_datasets().current(EVALUATION_SETS)
    if sets is not None:
        from flywheel.evaluation.paired import ratio_difference

        float_docs, int8_docs = (document_bits(path, Path(sets["path"]), q) for q in (False, True))
        size = [d["bytes"] for d in float_docs]
        float_bits, int8_bits = [d["bits"] for d in float_docs], [d["bits"] for d in int8_docs]
        change = ratio_difference(int8_bits, float_bits, size, relative=True)
        print(f"int8 quality: bits per byte {sum(int8_bits) / sum(size):.4f} vs float {sum(float_bits) / sum(size):.4f}"
              f" on {len(size)} held-out documents: {change.estimate:+.2%} (paired 95% CI "
              f"[{change.low:+.2%}, {change.high:+.2%}]; the promotion gate allows +1%)")


if __name__ == "__main__":
    main()
