"""`curation_ablation`: what each curation stage does to a model trained on its output."""

import hashlib
import json
import tempfile
import time
from pathlib import Path

import dagster as dg

from flywheel.ablation.heldout import REFERENCE_PROSE
from flywheel.ablation.plan import read_result
from flywheel.ablation.prepare import corpus_summary, plan_runs, prepare
from flywheel.ablation.report import ablation_rows, markdown_table, verdicts
from flywheel.ablation.settings import AblationSettings
from flywheel.datasets import CURATION_ABLATION, CURATION_DATASETS, TOKENIZER
from flywheel.training.launch import launch_command
from flywheel.training.tokenizer import END_OF_TEXT, load_tokenizer
from orchestration.evaluation.plots import ablation_plot
from orchestration.inputs import current_or_fail
from orchestration.metadata import path_value, table
from orchestration.resources import StorageResource
from orchestration.settings import config_class, settings_of
from orchestration.training.pipes import pipes_for_ranks

HELDOUT_DISJOINT = "heldout_disjoint"
RUNNER_MODULE = "flywheel.ablation.runner"


class CurationAblationConfig(config_class(AblationSettings)):
    """The fixed recipe (model preset, token budget, seeds) and the held-out sets. Defaults: the
    `tiny` model, ~200k tokens per run, 2 seeds, every curation stage."""


@dg.asset(
    key=CURATION_ABLATION, group_name="evaluation", kinds={"deepspeed", "pytorch"},
    deps=[*CURATION_DATASETS, TOKENIZER], code_version="1",
    check_specs=[dg.AssetCheckSpec(
        HELDOUT_DISJOINT, asset=CURATION_ABLATION, blocking=True,
        description="No reference-prose document is in any stage's training text: none has `leak_overlap` or "
                    "more of its word n-grams there (raw-slice documents found there leave the slice, counted). "
                    "Checked before anything is trained. Blocking: a leaked evaluation publishes no table.")])
def curation_ablation(context: dg.AssetExecutionContext, config: CurationAblationConfig, storage: StorageResource,
                      pipes_subprocess_client: dg.PipesSubprocessClient):
    """DCLM-style ablation: for each curation stage's output (all batches), the same model (preset,
    tokenizer, initialization per seed) trained on the same number of tokens through the one
    training core, then scored in bits per byte on held-out reference prose (never crawled, and
    held out from the quality classifier) and on a held-out slice of raw crawl text. A stage too
    small for the budget (more than `max_repetition` passes over its tokens) is reported, not
    trained. Metadata: stage x held-out set table (mean and spread over seeds, difference to
    `raw_crawl` with a paired 95% interval), repetition factors, plot. Runs only when launched:
    an analysis, not a gate, so no sensor or schedule starts it; it turns stale when a curation
    asset or the tokenizer changes."""
    settings = settings_of(config, AblationSettings)
    started = time.perf_counter()
    tokenizer_record = current_or_fail(storage, TOKENIZER)
    eos_id = load_tokenizer(tokenizer_record["path"]).convert_tokens_to_ids(END_OF_TEXT)
    runs_dir = Path(storage.checkpoints_dir) / CURATION_ABLATION
    # On the checkpoints' storage, not in this machine's temp folder: ranks on other nodes read the corpora.
    Path(storage.checkpoints_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=storage.checkpoints_dir, prefix=f"{CURATION_ABLATION}-work-") as work_dir:
        try:
            prepared = prepare(storage.lake(), settings, tokenizer_record["path"], tokenizer_record["version"], eos_id,
                               Path(work_dir))
        except ValueError as error:
            raise dg.Failure(str(error)) from None
        corpora = corpus_summary(prepared)
        yield dg.AssetCheckResult(
            asset_key=CURATION_ABLATION, check_name=HELDOUT_DISJOINT, passed=prepared.disjoint,
            severity=dg.AssetCheckSeverity.ERROR,
            description="held-out text is disjoint from every training stage" if prepared.disjoint else
            f"{REFERENCE_PROSE} documents found in training: " + json.dumps(prepared.leaked),
            metadata={"leaked_documents": len(prepared.leaked), "leaked": json.dumps(prepared.leaked),
                      "heldout_documents": {s.name: len(s.documents) for s in prepared.heldout},
                      "near_copies_left_out": {stage: c["near_copies"] for stage, c in corpora.items()},
                      "raw_slice_dropped_as_in_training": len(prepared.dropped_from_slice),
                      "ngram": settings.leak_ngram, "leak_overlap": settings.leak_overlap})
        if not prepared.disjoint:
            raise dg.Failure(f"{REFERENCE_PROSE} text is in the training data; nothing was trained: "
                             + json.dumps(prepared.leaked))
        plan = plan_runs(prepared, settings, tokenizer_record["path"], runs_dir)
        if not plan.runs:
            raise dg.Failure("every stage is too small for the token budget: " + json.dumps(
                {stage: c["too_small"] for stage, c in corpora.items()}))
        plan_path = plan.save(Path(work_dir) / "plan.json")
        command, env = launch_command(str(plan_path), settings.engine, module=RUNNER_MODULE)
        context.log.info(f"{len(plan.runs)} ablation runs of {settings.steps} steps: {' '.join(command)}")
        pipes_for_ranks(pipes_subprocess_client, settings.engine, Path(work_dir)).run(
            context=context, command=command, env=env).get_results()
    results = [{**read_result(run.result_path), "stage": run.stage, "seed": run.seed} for run in plan.runs]
    rows = ablation_rows(results, settings.bootstrap_iterations)
    report = {"settings": settings.model_dump(), "corpora": corpora, "rows": rows, "verdicts": verdicts(rows),
              "heldout": {s.name: {"documents": len(s.documents), "bytes": s.bytes} for s in prepared.heldout},
              "raw_slice_dropped_as_in_training": prepared.dropped_from_slice}
    path, version = _publish(storage, report, results)
    yield dg.MaterializeResult(data_version=dg.DataVersion(version), metadata={
        "table": dg.MetadataValue.md(markdown_table(rows, corpora)),
        "results": table(rows),
        "verdicts": dg.MetadataValue.md("\n".join(f"- {line}" for line in report["verdicts"]) or "-"),
        "plot": ablation_plot(results),
        "repetition": {stage: c["repetition"] for stage, c in corpora.items()},
        "not_trained": {stage: c["too_small"] for stage, c in corpora.items() if c["too_small"]},
        "token_budget": settings.budget_sequences * settings.sequence_length, "steps_per_run": settings.steps,
        "runs": len(plan.runs), "seeds": settings.seeds, "preset": settings.preset,
        "heldout_bytes": {s.name: s.bytes for s in prepared.heldout},
        "raw_slice_dropped_as_in_training": len(prepared.dropped_from_slice),
        "seconds": round(time.perf_counter() - started, 1),
        "path": path_value(storage.versioned_datasets().url(path)),
    })


def _publish(storage: StorageResource, report: dict, results: list[dict]) -> tuple[str, str]:
    """The report and every run's per-document bits, as one version named by their content."""
    body = json.dumps({"report": report, "results": results}, sort_keys=True)
    version = hashlib.sha256(body.encode()).hexdigest()[:16]
    store = storage.versioned_datasets()
    with tempfile.TemporaryDirectory() as staged:
        Path(staged, "report.json").write_text(json.dumps(report, indent=2))
        Path(staged, "results.json").write_text(json.dumps(results))
        path = store.publish(Path(staged), CURATION_ABLATION, version)
    store.set_current(CURATION_ABLATION, version, {"path": path, "rows": report["rows"]})
    return path, version
