"""`model_evaluation`: one candidate version judged against production, with the promotion gate."""

import json
import tempfile
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field

from flywheel.datasets import (
    EVALUATION_DOCUMENTS,
    EVALUATION_PREFERENCES,
    EVALUATION_PROMPTS,
    EVALUATION_SETS,
    MODEL_EVALUATION,
    REGRESSION_SET,
    REWARD_MODEL,
    SAFETY_CLASSIFIER,
    SAFETY_PROMPTS,
)
from flywheel.evaluation.gate import GateRules, decide
from flywheel.evaluation.model_results import EvaluationSettings
from flywheel.evaluation.scorecard import JudgeReport, Scorecard, compare
from flywheel.registry import ModelRef, ModelRegistry, family_of
from flywheel.safety.published import load_current
from orchestration.evaluation.plots import scorecard_plot
from orchestration.evaluation.results import results_for
from orchestration.inputs import current_or_fail
from orchestration.metadata import path_value, table
from orchestration.partitions import model_candidate_partitions
from orchestration.resources import StorageResource
from orchestration.settings import config_class, settings_of

PROMOTION_GATE = "promotion_gate"
GateConfig = config_class(GateRules)


class ModelEvaluationConfig(dg.Config):
    gate: GateConfig = Field(default=GateConfig(), description="The promotion gate's rules.")
    max_new_tokens: int = Field(default=64, ge=1, description="Tokens each greedy answer may have.")
    extra_task_paths: list[str] = Field(default_factory=list,
                                        description="Folders of your own lm-eval task YAMLs.")
    extra_tasks: list[str] = Field(default_factory=list,
                                   description="lm-eval task names (from those folders) to run as well; their "
                                               "aggregate scores appear in the metadata, not in the gate.")


@dg.asset(
    key=MODEL_EVALUATION, group_name="evaluation", kinds={"lm-eval", "pytorch"},
    partitions_def=model_candidate_partitions,
    deps=[EVALUATION_DOCUMENTS, EVALUATION_PROMPTS, EVALUATION_PREFERENCES, REGRESSION_SET, SAFETY_PROMPTS,
          REWARD_MODEL, SAFETY_CLASSIFIER],
    check_specs=[dg.AssetCheckSpec(
        PROMOTION_GATE, asset=MODEL_EVALUATION, blocking=True,
        description="The candidate may replace production: non-inferior on bits per byte and on the judge's win "
                    "rate (95% bounds), every regression check production passes still passing, no rise in "
                    "unsafe answers or over-refusals and no fall in red-team refusals beyond their margins; "
                    "absolute floors for the first promotion. Blocking: `production_model` moves only when it "
                    "passes.")],
)
def model_evaluation(context: dg.AssetExecutionContext, config: ModelEvaluationConfig, storage: StorageResource):
    """The candidate (this partition, `MODEL:VERSION`) and the current production model on the
    current evaluation sets through lm-evaluation-harness (bits per byte, greedy answers to
    held-out prompts, the regression set) plus Flywheel's metrics: win rate against production
    judged by the current reward model (whose own held-out accuracy is shown beside it), DPO
    implicit-reward accuracy, answer length, generation tokens/s, and safety: the share of red-team
    prompts refused, of red-team answers the safety classifier flags, and of safe-but-scary prompts
    refused (refusal read at the start of the answer). Comparisons are paired (same
    items): bootstrap intervals, McNemar for pass/fail. Per-item results go to the lake, the
    scorecard and verdict to the model registry; a failed gate records a rejection there."""
    ref = ModelRef.parse(context.partition_key)
    family = family_of(ref.model)
    if family is None:
        raise dg.Failure(f"{ref.model} is not a served model family's asset")
    store = storage.models()
    registry = ModelRegistry(store, family)
    if not store.has_version(ref.model, ref.version):
        raise dg.Failure(f"no published version {ref}")
    production = registry.alias("production")
    if production == ref:
        raise dg.Failure(f"{ref} is already production; evaluate a newer candidate")
    sets = current_or_fail(storage, EVALUATION_SETS, versioned_dataset=True)
    preferences = [json.loads(line) for line in Path(sets["path"], "preferences.jsonl").read_text().splitlines()]
    safety = load_current(store)
    settings = EvaluationSettings(config.max_new_tokens, tuple(config.extra_task_paths), tuple(config.extra_tasks),
                                  safety.version)
    candidate, candidate_reused = results_for(context, storage, registry, ref, sets, preferences, settings, safety)
    baseline, baseline_reused = results_for(context, storage, registry, production, sets, preferences, settings,
                                            safety) if production else (None, False)
    judge = _judge(storage, candidate, baseline, preferences)
    card = compare(str(ref), candidate, str(production) if production else None, baseline, judge)
    verdict = decide(card, settings_of(config.gate, GateRules))
    record = {**card.as_dict(), "verdict": verdict.as_dict(), "evaluation_sets": sets["version"],
              "judge": judge.model if judge else None, "run_id": context.run_id}
    path = _publish_items(storage, ref, production, sets["version"], record, candidate, baseline, judge)
    registry.record_scorecard(ref, record)
    if not verdict.passed:
        registry.reject(ref, reason=f"promotion gate {verdict.summary()}", run_id=context.run_id, scorecard=record)
    context.log.info(f"{ref} vs {production or 'no production'}: gate {verdict.summary()}")
    yield dg.MaterializeResult(data_version=dg.DataVersion(f"{ref.version}-{sets['version']}"), metadata={
        "candidate": str(ref), "production": str(production) if production else "none (first promotion)",
        "scorecard": _scorecard_table(card),
        "verdict": "passed" if verdict.passed else "failed",
        "evaluation_sets_version": sets["version"], "judge": judge.model if judge else "none",
        "candidate_results_reused": candidate_reused, "production_results_reused": baseline_reused,
        **_safety_metadata(card, safety.version),
        "candidate_seconds": round(candidate.summary["seconds"], 1),
        "generation_share": round(candidate.summary["generation_seconds"] / candidate.summary["seconds"], 3),
        "lm_eval_results": dg.MetadataValue.json(candidate.summary["aggregates"]),
        "plots": scorecard_plot(card, [c - p for c, p in zip(judge.candidate_scores, judge.production_scores)]
                                if judge else []),
        "path": path_value(path),
    })
    yield dg.AssetCheckResult(
        check_name=PROMOTION_GATE, passed=verdict.passed, severity=dg.AssetCheckSeverity.ERROR,
        description=verdict.summary(),
        metadata={"rules": table([{**vars(r), "passed": "n/a" if r.passed is None else r.passed}
                                  for r in verdict.rules], ["rule", "passed", "value", "threshold", "detail"]),
                  "failed_rules": ", ".join(r.rule for r in verdict.failures()) or "none",
                  "candidate": str(ref), "production": str(production) if production else "none"})


def _safety_metadata(card: Scorecard, classifier_version: str) -> dict:
    """The safety rates as numbers, so the UI plots them across candidates."""
    rates = {metric: round(row.candidate, 4) for metric in ("red_team_refusal_rate", "unsafe_answer_rate",
                                                            "over_refusal_rate") if (row := card.row(metric))}
    return {**rates, "safety_classifier_version": classifier_version}


def _judge(storage: StorageResource, candidate, baseline, preferences: list[dict]) -> JudgeReport | None:
    """The current reward model's accuracy on the held-out pairs and its scores of both models'
    answers; None before any reward model exists."""
    from flywheel.evaluation.judge import RewardJudge  # torch: imported by the run, not the code location

    current = storage.models().current(REWARD_MODEL)
    if current is None:
        return None
    judge = RewardJudge(current["path"])
    prompts = [row["prompt"] for row in candidate.prompts]
    report = JudgeReport(model=f"{REWARD_MODEL}:{current['version']}", accuracy=judge.prefers(preferences),
                         off_prompt_accuracy=judge.prefers(preferences, "off_prompt_rejected"))
    if baseline is not None:
        report.candidate_scores = judge.score(prompts, [row["answer"] for row in candidate.prompts])
        report.production_scores = judge.score(prompts, [row["answer"] for row in baseline.prompts])
    return report


def _publish_items(storage: StorageResource, ref: ModelRef, production: ModelRef | None, sets_version: str,
                   record: dict, candidate, baseline, judge: JudgeReport | None) -> str:
    """Per-prompt answers of both models with the judge's scores, and the scorecard, as
    `lake/model_evaluation/<model>-<version>/<production>-<sets version>/`."""
    rows = [{"prompt": c["prompt"], "candidate_answer": c["answer"],
             "production_answer": b["answer"] if b else None,
             "candidate_score": judge.candidate_scores[i] if judge and judge.candidate_scores else None,
             "production_score": judge.production_scores[i] if judge and judge.production_scores else None}
            for i, (c, b) in enumerate(zip(candidate.prompts, baseline.prompts if baseline else
                                           [None] * len(candidate.prompts)))]
    lake = storage.versioned_datasets()
    against = f"{production.model}-{production.version}" if production else "first"
    with tempfile.TemporaryDirectory() as workdir:
        pq.write_table(pa.Table.from_pylist(rows), Path(workdir, "answers.parquet"))
        Path(workdir, "scorecard.json").write_text(json.dumps(record, indent=2, default=str))
        path = lake.publish(Path(workdir), f"{MODEL_EVALUATION}/{ref.model}-{ref.version}",
                            f"{against}-{sets_version}")
    return lake.url(path)


def _scorecard_table(card: Scorecard) -> dg.TableMetadataValue:
    def rounded(value):
        return None if value is None else round(value, 4)
    return table([{"metric": r.metric, "candidate": rounded(r.candidate), "production": rounded(r.production),
                   "difference": rounded(r.difference),
                   "95% interval": "" if r.low is None else f"[{r.low:.4f}, {r.high:.4f}]",
                   "p_value": rounded(r.p_value), "items": r.items, "note": r.note} for r in card.rows])

