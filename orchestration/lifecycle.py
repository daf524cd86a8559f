"""The lifecycle's steps as the CLI and the demo run them: land data, then launch the job that
processes it as a run of the code location (`runs.py`), print a concise log and the outcome.

Each step exits with a clear `SystemExit` message when its run fails or a blocking data quality
check failed (Dagster counts such a run as a success, but what is downstream of the check did not
run, so the step did not do its work).
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from flywheel.datasets import CURATION_ABLATION, QUALITY_CLASSIFIER, QUALITY_SCORED_DOCS, RAW_CRAWL, SAFETY_CLASSIFIER
from flywheel.home import FlywheelHome
from flywheel.registry import ModelRegistry
from orchestration.partitions import crawl_batch_partitions, model_candidate_partitions
from orchestration.resources import StorageResource
from orchestration.runs import RunOutcome, run_job


def home() -> FlywheelHome:
    """FLYWHEEL_HOME, created if needed, with DAGSTER_HOME pointing at its instance."""
    flywheel_home = FlywheelHome.from_env().ensure()
    os.environ["DAGSTER_HOME"] = str(flywheel_home.dagster_home)
    return flywheel_home


@contextmanager
def instance():
    home()
    with dg.DagsterInstance.get() as dagster_instance:
        yield dagster_instance


def storage() -> StorageResource:
    return StorageResource.for_home(home())


def ingest(path: Path, batch: str) -> None:
    """Copy a folder of crawl files into the landing zone as a new batch and register its partition."""
    if not path.is_dir():
        raise SystemExit(f"error: {path} is not a folder of crawl files")
    landing = storage().landing()
    final = landing.add_crawl_batch(str(path), batch)
    with instance() as dagster_instance:
        dagster_instance.add_dynamic_partitions(crawl_batch_partitions.name, [batch])
    print(f"Landed {len(landing.list_batch_files(batch))} files as crawl batch {batch!r} at {final}")


def curate(batch: str, only: list[str] | None = None, reason: str = "flywheel curate") -> RunOutcome:
    """Run the curation job for one batch (`only` these assets of it, if given)."""
    crawl_dir = home().landing / "crawl"
    if not (crawl_dir / batch).is_dir():
        raise SystemExit(f"error: no crawl batch {batch!r} in {crawl_dir}; "
                         "run `flywheel ingest PATH --batch NAME` first")
    with instance() as dagster_instance:
        _ensure_partition(dagster_instance, crawl_batch_partitions, batch)
        outcome = run_job(dagster_instance, "curation", reason, partition=batch, assets=only)
    _require_success(outcome, f"curation of batch {batch!r}")
    print(f"Curated crawl batch {batch!r} in {outcome.seconds:.1f} s (run {outcome.run_id})")
    for asset, metadata in outcome.materialized.items():
        print(f"  {asset:28s} {metadata.get('dagster/row_count', '?'):>7} rows  {metadata.get('path', '')}")
    if RAW_CRAWL in outcome.materialized and QUALITY_SCORED_DOCS not in outcome.materialized:
        print(f"  {QUALITY_SCORED_DOCS} was not materialized: there is no {QUALITY_CLASSIFIER} yet. Run "
              f"`flywheel train-classifier`: then `flywheel curate` scores the batch (with `make ui` running, the "
              f"`quality_rescoring` sensor does).")
    return outcome


def train_classifier(reason: str = "flywheel train-classifier") -> dict:
    """Materialize `quality_classifier`; returns its metadata."""
    outcome = _run_unpartitioned("quality_classifier_training", reason, "training the quality classifier")
    metadata = outcome.materialized[QUALITY_CLASSIFIER]
    print(f"Trained quality classifier {metadata['version']}: held-out ROC-AUC "
          f"{metadata['heldout_roc_auc']}, external (ham vs spam) {metadata['external_roc_auc']}")
    return metadata


def train_safety_classifier(reason: str = "flywheel train-safety-classifier") -> dict:
    """Materialize `safety_classifier`; returns its metadata."""
    outcome = _run_unpartitioned("safety_classifier_training", reason, "training the safety classifier")
    metadata = outcome.materialized[SAFETY_CLASSIFIER]
    print(f"Trained safety classifier {metadata['version']}: held-out recall {metadata['heldout_recall']}, "
          f"false positives {metadata['heldout_false_positive_rate']} on benign look-alikes, "
          f"{metadata['reference_false_positive_rate']} on reference prose")
    return metadata


def retrain(reason: str = "flywheel retrain") -> RunOutcome:
    """Run the retraining job (tokenizer, corpus, pretraining, SFT)."""
    outcome = _run_unpartitioned("retraining", reason, "retraining",
                                 "Re-running resumes an interrupted training run from its newest checkpoint.")
    print(f"Retrained in {outcome.seconds:.1f} s (run {outcome.run_id})")
    return outcome


def feedback_loop(reason: str = "flywheel feedback run") -> RunOutcome:
    """Run the feedback loop job (ingest, reward_data, reward_model, aligned_model)."""
    outcome = _run_unpartitioned("feedback_loop", reason, "the feedback loop")
    print(f"Feedback loop done in {outcome.seconds:.1f} s (run {outcome.run_id})")
    return outcome


def evaluate(version: str | None = None, family: str = "chat_model",
             reason: str = "flywheel models evaluate") -> dict:
    """Run the evaluation job for a candidate (default: the family's `candidate` alias); returns the
    verdict and scorecard the registry recorded. A failed gate is a verdict, not an error."""
    registry = ModelRegistry(storage().models(), family)
    ref = registry.resolve(version) if version else registry.alias("candidate")
    if ref is None:
        raise SystemExit(f"error: {family} has no candidate to evaluate; train one, or name a version")
    with instance() as dagster_instance:
        _ensure_partition(dagster_instance, model_candidate_partitions, str(ref))
        outcome = run_job(dagster_instance, "evaluation", reason, partition=str(ref))
    scorecard = registry.scorecard(ref)
    # A failed blocking gate fails its run in Dagster; here it is the verdict this run recorded.
    if scorecard is None or scorecard["run_id"] != outcome.run_id:
        raise SystemExit(f"error: evaluating {ref} failed (run {outcome.run_id}); see the run's logs in the "
                         "Dagster UI")
    verdict = "passed: promoted to production" if registry.alias("production") == ref \
        else "failed: production unchanged"
    print(f"Evaluated {ref} against {scorecard['production'] or 'no production (first promotion)'} in "
          f"{outcome.seconds:.1f} s (run {outcome.run_id}); gate {verdict}")
    for rule in scorecard["verdict"]["rules"]:
        print(f"  {rule_state(rule)} {rule['rule']}: {rule['detail']}")
    return {"ref": ref, "scorecard": scorecard, "seconds": outcome.seconds}


def ablate(config: dict | None = None, reason: str = "flywheel ablate") -> dict:
    """Run the curation ablation (`config`: `curation_ablation`'s run config); returns its metadata."""
    run_config = {"ops": {CURATION_ABLATION: {"config": config}}} if config else None
    with instance() as dagster_instance:
        outcome = run_job(dagster_instance, "ablation", reason, run_config=run_config)
    _require_success(outcome, "the curation ablation")
    metadata = outcome.materialized[CURATION_ABLATION]
    print(f"Curation ablation in {outcome.seconds:.1f} s (run {outcome.run_id}): {metadata['runs']} runs of "
          f"{metadata['token_budget']:,} tokens")
    return metadata


def rule_state(rule: dict) -> str:
    """A promotion-gate rule's outcome in four characters: pass, FAIL, or n/a (not applied)."""
    return "n/a " if rule["passed"] is None else "pass" if rule["passed"] else "FAIL"


def simulate_feedback(events: int, seed: int | None) -> Path:
    """Write a new batch of simulated feedback events to `landing/feedback/`."""
    from flywheel.feedback.simulate import simulate_events

    now = datetime.now(UTC)
    seed = now.microsecond if seed is None else seed
    batch = f"simulated-{now:%Y%m%dT%H%M%S}-{seed}"
    rows = simulate_events(events, seed=seed, id_prefix=batch, start=now)
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    path = storage().landing().add_feedback_file(f"{batch}.jsonl", lines)
    print(f"Wrote {len(rows)} feedback events to {path}. With `make ui` running, feedback_sensor requests a "
          f"feedback_loop run within its interval; or run `flywheel feedback run`.")
    return Path(path)


def _ensure_partition(dagster_instance: dg.DagsterInstance, partitions: dg.DynamicPartitionsDefinition,
                      key: str) -> None:
    if not dagster_instance.has_dynamic_partition(partitions.name, key):
        dagster_instance.add_dynamic_partitions(partitions.name, [key])


def _run_unpartitioned(job: str, reason: str, what: str, hint: str = "") -> RunOutcome:
    with instance() as dagster_instance:
        outcome = run_job(dagster_instance, job, reason)
    _require_success(outcome, what, hint)
    return outcome


def _require_success(outcome: RunOutcome, what: str, hint: str = "") -> None:
    passed = len(outcome.checks) - sum(not c.passed for c in outcome.checks)
    if outcome.checks:
        print(f"  quality checks: {passed} of {len(outcome.checks)} passed")
    for check in outcome.checks:
        if not check.passed:
            severity = "ERROR" if check.blocking_failure else "WARN"
            print(f"  {severity:5s} {check.asset}.{check.check}: {check.description}")
    if not outcome.success:
        raise SystemExit(f"error: {what} failed (run {outcome.run_id}); see the run's logs in the Dagster UI. {hint}")
    if outcome.blocking_failures:
        raise SystemExit(f"error: a blocking quality check failed in {what} (run {outcome.run_id}), so the "
                         "assets downstream of it were not materialized; see the check in the Dagster UI")
