"""Evaluation throughput on the demo's models: items/s, the share of time spent generating, and the
cost of a full evaluation next to the training run it judges.

    make demo   # once, for a FLYWHEEL_HOME with models and evaluation sets
    .venv/bin/python benchmarks/evaluation_throughput.py [--model aligned_model:VERSION]

Evaluates the model (default: the chat model's production version) on the current evaluation
sets twice in this process: as `model_evaluation` does (greedy answers 16 prompts at a time), and
with one request at a time — the baseline a plain harness loop gives — and prints the ratio.
Nothing is written to the lake.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from flywheel.datasets import EVALUATION_SETS  # noqa: E402
from flywheel.evaluation.harness import run_harness  # noqa: E402
from flywheel.evaluation.language_model import FlywheelLM  # noqa: E402
from flywheel.home import FlywheelHome  # noqa: E402
from flywheel.registry import ModelRegistry  # noqa: E402
from flywheel.training.export import SUMMARY  # noqa: E402
from orchestration.resources import StorageResource  # noqa: E402


def measure(model_path: str, sets_dir: Path, batch_size: int) -> dict:
    lm = FlywheelLM(model_path, batch_size=batch_size)
    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        results = run_harness(lm, sets_dir, Path(work))
        seconds = time.perf_counter() - started
    items = sum(len(rows) for rows in results.items.values())
    return {"items": items, "seconds": seconds, "items_per_s": items / seconds,
            "generation_share": results.generation_seconds / seconds,
            "generated_tokens_per_s": results.generated_tokens / results.generation_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="MODEL:VERSION (default: chat_model production, else its candidate)")
    args = parser.parse_args()
    storage = StorageResource.for_home(FlywheelHome.from_env())
    registry = ModelRegistry(storage.models(), "chat_model")
    ref = registry.resolve(args.model) if args.model else registry.alias("production") or registry.alias("candidate")
    sets = storage.versioned_datasets().current(EVALUATION_SETS)
    if ref is None or sets is None:
        raise SystemExit("no chat model or evaluation sets in FLYWHEEL_HOME: run `make demo` first")
    path = registry.path_of(ref)
    batched, sequential = measure(path, Path(sets["path"]), 16), measure(path, Path(sets["path"]), 1)
    summary = json.loads(Path(path, SUMMARY).read_text())
    training_seconds = summary["tokens_seen"] / summary["tokens_per_s"]
    print(f"model {ref} on evaluation sets {sets['version']} ({json.dumps(sets['counts'])})")
    for name, run in (("batched (16)", batched), ("one at a time", sequential)):
        print(f"  {name:14s} {run['items']} items in {run['seconds']:.1f} s: {run['items_per_s']:.2f} items/s, "
              f"{run['generation_share']:.0%} of it generating at {run['generated_tokens_per_s']:.0f} tokens/s")
    print(f"  speed-up over one request at a time: {sequential['seconds'] / batched['seconds']:.2f}x")
    print(f"  training it took ~{training_seconds:.0f} s of compute ({summary['steps']} steps, "
          f"{summary['tokens_seen']:,} tokens); one evaluation costs {batched['seconds'] / training_seconds:.0%} "
          f"of that (twice per candidate when production is new on these sets, else once: results are reused)")


if __name__ == "__main__":
    main()
