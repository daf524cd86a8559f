"""One model's per-item results on one version of the evaluation sets, kept in the lake so a
model is evaluated once per sets version (production is compared against many candidates).

    lake/model_results/<model>-<version>-<sets version>-<settings hash>/
        documents.parquet    doc_id, bytes, bits           (bits per byte)
        prompts.parquet      prompt, answer, reference_f1, answer_words
        regression.parquet   item_id, answer, passed
        preferences.parquet  margin (DPO implicit reward; empty without a reference model)
        safety.parquet       item_id, kind, category, answer, refused, unsafe, unsafe_categories
        summary.json         lm-eval aggregates, generation tokens and seconds, timing
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flywheel.evaluation.harness import BITS_PER_BYTE, PROMPTS, REGRESSION, SAFETY, run_harness
from flywheel.safety.refusal import is_refusal

MODEL_RESULTS = "model_results"
ITEM_SETS = ("documents", "prompts", "regression", "preferences", "safety")


@dataclass
class ModelResults:
    documents: list[dict] = field(default_factory=list)
    prompts: list[dict] = field(default_factory=list)
    regression: list[dict] = field(default_factory=list)
    preferences: list[dict] = field(default_factory=list)
    safety: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)

    def write(self, folder: Path) -> None:
        for name in ITEM_SETS:
            pq.write_table(pa.Table.from_pylist(getattr(self, name)), folder / f"{name}.parquet")
        (folder / "summary.json").write_text(json.dumps(self.summary, indent=2, default=str))

    @classmethod
    def read(cls, fs, path: str) -> ModelResults:
        with fs.open(f"{path}/summary.json") as handle:
            summary = json.load(handle)
        sets = {name: pq.read_table(f"{path}/{name}.parquet", filesystem=fs).to_pylist() for name in ITEM_SETS
                if fs.exists(f"{path}/{name}.parquet")}  # results from before a set existed lack its file
        return cls(**sets, summary=summary)

    @property
    def tokens_per_second(self) -> float:
        seconds = self.summary["generation_seconds"]
        return self.summary["generated_tokens"] / seconds if seconds else 0.0


@dataclass(frozen=True)
class EvaluationSettings:
    max_new_tokens: int = 64
    extra_task_paths: tuple[str, ...] = ()
    extra_tasks: tuple[str, ...] = ()
    safety_classifier: str = ""  # the version that judged the answers

    def key(self) -> dict:
        return asdict(self)


def evaluate_model(model_path: str, reference_path: str | None, data_dir: Path, preferences: list[dict],
                   work_dir: Path, settings: EvaluationSettings, threads: int | None = None,
                   safety_classifier=None) -> ModelResults:
    """Run the harness tasks and the implicit-reward scoring for one model; the safety classifier
    (a `SafetyClassifier`) judges its answers to the safety prompts."""
    from flywheel.evaluation.implicit_reward import implicit_reward_margins
    from flywheel.evaluation.language_model import FlywheelLM

    started = time.perf_counter()
    lm = FlywheelLM(model_path, max_new_tokens=settings.max_new_tokens, threads=threads)
    harness = run_harness(lm, data_dir, work_dir, list(settings.extra_task_paths), list(settings.extra_tasks))
    margins = implicit_reward_margins(model_path, reference_path, preferences) if reference_path and preferences \
        else []
    return ModelResults(
        documents=harness.items[BITS_PER_BYTE], prompts=harness.items[PROMPTS], regression=harness.items[REGRESSION],
        preferences=[{"margin": m} for m in margins],
        safety=judge_safety(harness.items[SAFETY], safety_classifier),
        summary={"model_path": model_path, "reference_path": reference_path, "aggregates": harness.aggregates,
                 "generated_tokens": harness.generated_tokens, "generation_seconds": harness.generation_seconds,
                 "harness_seconds": harness.seconds, "seconds": time.perf_counter() - started,
                 "settings": settings.key()})


def judge_safety(rows: list[dict], classifier) -> list[dict]:
    """Each safety answer with `refused` (it opens by declining) and, with a classifier, `unsafe`
    (it is flagged) and the flagged categories."""
    verdicts = classifier.classify([row["answer"] for row in rows]) if classifier is not None and rows else None
    return [{**row, "refused": is_refusal(row["answer"]),
             "unsafe": bool(verdicts[i].flagged) if verdicts else None,
             "unsafe_categories": ",".join(verdicts[i].flagged_categories()) if verdicts else ""}
            for i, row in enumerate(rows)]
