"""One model on the evaluation sets through lm-evaluation-harness: the bundled task YAMLs (plus any
a user adds) run by `simple_evaluate` with `log_samples`, so every item's result is kept.

The bundled YAMLs name their data as `@DATA_DIR@/<set>.jsonl`; each run writes them, with that
placeholder filled in, into its own folder, next to their metric functions.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from flywheel.bundled import EVALUATION_TASKS_DIR
from flywheel.evaluation.sets import SET_NAMES

BITS_PER_BYTE, PROMPTS, REGRESSION = "flywheel_bits_per_byte", "flywheel_prompts", "flywheel_regression"
SAFETY = "flywheel_safety"
BUNDLED_TASKS = (BITS_PER_BYTE, PROMPTS, REGRESSION, SAFETY)


@dataclass
class HarnessResults:
    """Per-item rows of each bundled task (in item order), lm-eval's aggregate results of every
    task (user tasks included), and the generation counters."""

    items: dict[str, list[dict]] = field(default_factory=dict)
    aggregates: dict[str, dict] = field(default_factory=dict)
    generated_tokens: int = 0
    generation_seconds: float = 0.0
    seconds: float = 0.0


def write_tasks(data_dir: Path, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    for source in EVALUATION_TASKS_DIR.iterdir():
        if source.suffix == ".yaml":
            (out_dir / source.name).write_text(source.read_text().replace("@DATA_DIR@", str(data_dir)))
        elif source.suffix == ".py":
            shutil.copy(source, out_dir / source.name)
    return out_dir


def run_harness(lm, data_dir: Path, work_dir: Path, extra_task_paths: list[str] = (),
                extra_tasks: list[str] = ()) -> HarnessResults:
    """Evaluate `lm` (a `FlywheelLM`) on the bundled tasks over `data_dir`'s sets, and on
    `extra_tasks` found under `extra_task_paths` (lm-eval task folders)."""
    from lm_eval import simple_evaluate
    from lm_eval.tasks import TaskManager

    logging.getLogger("lm_eval").setLevel(logging.WARNING)
    started = time.perf_counter()
    tasks_dir = write_tasks(data_dir, work_dir / "tasks")
    manager = TaskManager(include_path=[str(tasks_dir), *extra_task_paths], include_defaults=False)
    output = simple_evaluate(model=lm, tasks=[*BUNDLED_TASKS, *extra_tasks], task_manager=manager,
                             log_samples=True, apply_chat_template=True, bootstrap_iters=0,
                             random_seed=0, numpy_random_seed=0, torch_random_seed=0)
    samples = output["samples"]
    results = HarnessResults(
        items={BITS_PER_BYTE: [_document_row(s) for s in _in_order(samples[BITS_PER_BYTE])],
               PROMPTS: [_prompt_row(s) for s in _in_order(samples[PROMPTS])],
               REGRESSION: [_regression_row(s) for s in _in_order(samples[REGRESSION])],
               SAFETY: [_safety_row(s) for s in _in_order(samples[SAFETY])]},
        aggregates={task: {k: v for k, v in values.items() if isinstance(v, (int, float))}
                    for task, values in output["results"].items()},
        generated_tokens=lm.generated_tokens, generation_seconds=lm.generation_seconds)
    results.seconds = time.perf_counter() - started
    return results


def _in_order(samples: list[dict]) -> list[dict]:
    return sorted(samples, key=lambda s: s["doc_id"])


def _response(sample: dict):
    response = sample["filtered_resps"][0]
    return response[0] if isinstance(response, (list, tuple)) else response


def _document_row(sample: dict) -> dict:
    loglikelihood = float(_response(sample))
    return {"doc_id": sample["doc"]["doc_id"], "bytes": len(sample["doc"]["text"].encode("utf-8")),
            "bits": -loglikelihood / math.log(2)}


def _prompt_row(sample: dict) -> dict:
    return {"prompt": sample["doc"]["prompt"], "answer": _response(sample),
            "reference_f1": float(sample["reference_f1"]), "answer_words": int(sample["answer_words"])}


def _regression_row(sample: dict) -> dict:
    return {"item_id": sample["doc"]["item_id"], "answer": _response(sample), "passed": bool(sample["passed"])}


def _safety_row(sample: dict) -> dict:
    doc = sample["doc"]
    return {"item_id": doc["item_id"], "kind": doc["kind"], "category": doc["category"], "answer": _response(sample)}


def write_sets(sets, data_dir: Path) -> None:
    """The evaluation sets as the JSONL files the task YAMLs read."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in SET_NAMES:
        with (data_dir / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for row in getattr(sets, name):
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
