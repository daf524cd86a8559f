"""`flywheel`: headless commands for cron and CI.

    flywheel ingest PATH --batch NAME   copy a folder of crawl files into the landing zone
    flywheel curate --batch NAME        materialize the curation chain of that batch
    flywheel train-classifier           train the quality classifier on every curated batch
    flywheel retrain                    tokenizer, pretraining corpus, pretrained_model, sft_model
    flywheel feedback simulate [--events N] [--seed S]   write a batch of simulated feedback events
    flywheel feedback run               ingest feedback, rebuild reward_data, train reward and aligned models
    flywheel demo                       run the whole lifecycle on the bundled sample, then summarize

Runs are recorded in the Dagster instance under FLYWHEEL_HOME, so they show in the UI.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from flywheel.batch_names import InvalidBatchName, validate_batch_name
from flywheel.home import REPO_ROOT, FlywheelHome
from flywheel.landing import BatchExists

SAMPLE_CRAWL_DIR = REPO_ROOT / "sample_data" / "crawl"
# The first batch is a small real crawl; the second crawls its Python docs again a month later
# (unchanged, revised and new pages), so the demo shows deduplication against an earlier batch.
SAMPLE_BATCHES = ("sample-0001", "sample-0002")


def _home() -> FlywheelHome:
    home = FlywheelHome.from_env().ensure()
    os.environ["DAGSTER_HOME"] = str(home.dagster_home)
    return home


def _instance():
    from dagster import DagsterInstance

    return DagsterInstance.get()


def ingest(path: Path, batch: str) -> None:
    from orchestration.partitions import crawl_batch_partitions
    from orchestration.resources import StorageResource

    home = _home()
    if not path.is_dir():
        raise SystemExit(f"error: {path} is not a folder of crawl files")
    landing = StorageResource.for_home(home).landing()
    final = landing.add_crawl_batch(str(path), batch)
    with _instance() as instance:
        instance.add_dynamic_partitions(crawl_batch_partitions.name, [batch])
    print(f"Landed {len(landing.list_batch_files(batch))} files as crawl batch {batch!r} at {final}")


def curate(batch: str, only: list[str] | None = None) -> dict[str, dict]:
    """Run the curation job for one batch (`only` these assets of it, if given); returns each
    materialized asset's metadata (and the count of quality checks that passed, under
    `quality_checks`)."""
    from dagster import AssetCheckSeverity, AssetKey

    from orchestration.definitions import build_definitions
    from orchestration.partitions import crawl_batch_partitions

    home = _home()
    definitions = build_definitions(home)
    if not (home.landing / "crawl" / batch).is_dir():
        raise SystemExit(f"error: no crawl batch {batch!r} in {home.landing / 'crawl'}; "
                         "run `flywheel ingest PATH --batch NAME` first")
    with _instance() as instance:
        if not instance.has_dynamic_partition(crawl_batch_partitions.name, batch):
            instance.add_dynamic_partitions(crawl_batch_partitions.name, [batch])
        started = time.monotonic()
        result = definitions.resolve_job_def("curation_job").execute_in_process(
            partition_key=batch, instance=instance, raise_on_error=False,
            asset_selection=[AssetKey(name) for name in only] if only else None)
        if not result.success:
            raise SystemExit(f"error: curation of batch {batch!r} failed (run {result.run_id}); "
                             "see the run's logs in the Dagster UI")
        materialized = {
            event.asset_key.to_user_string(): _metadata_of(event)
            for event in result.get_asset_materialization_events()}
        checks = result.get_asset_check_evaluations()
    print(f"Curated crawl batch {batch!r} in {time.monotonic() - started:.1f} s (run {result.run_id})")
    for asset, metadata in materialized.items():
        print(f"  {asset:24s} {metadata.get('dagster/row_count', '?'):>7} rows  {metadata.get('path', '')}")
    failed = _print_checks(checks)
    if any(e.severity == AssetCheckSeverity.ERROR for e in failed):
        raise SystemExit(f"error: a blocking quality check failed on batch {batch!r}, so the assets "
                         "downstream of it were not materialized; see the check in the Dagster UI")
    materialized["quality_checks"] = {"passed": len(checks) - len(failed), "total": len(checks)}
    return materialized


def _print_checks(evaluations) -> list:
    """Print how many data quality checks passed and each failure; returns the failed ones."""
    failed = [e for e in evaluations if not e.passed]
    print(f"  quality checks: {len(evaluations) - len(failed)} of {len(evaluations)} passed")
    for evaluation in failed:
        print(f"  {evaluation.severity.value:5s} {evaluation.asset_key.to_user_string()}.{evaluation.check_name}: "
              f"{evaluation.description}")
    return failed


def _metadata_of(materialization_event) -> dict:
    return {key: value.value for key, value in materialization_event.materialization.metadata.items()}


def _materialize_job(job_name: str, failure: str) -> tuple[str, dict[str, dict]]:
    """Execute an unpartitioned job in the instance: (run id, each materialized asset's metadata).
    Exits with `failure` (formatted with `run_id`) if the run fails."""
    from orchestration.definitions import build_definitions

    definitions = build_definitions(_home())
    with _instance() as instance:
        result = definitions.resolve_job_def(job_name).execute_in_process(instance=instance, raise_on_error=False)
    from dagster import AssetCheckSeverity

    failed = _print_checks(result.get_asset_check_evaluations()) if result.get_asset_check_evaluations() else []
    # A failed blocking check skips what is downstream of it: the job did not do its work.
    if not result.success or any(e.severity == AssetCheckSeverity.ERROR for e in failed):
        raise SystemExit(failure.format(run_id=result.run_id))
    return result.run_id, {e.asset_key.to_user_string(): _metadata_of(e)
                           for e in result.get_asset_materialization_events()}


def train_classifier() -> dict:
    """Materialize `quality_classifier`; returns its metadata."""
    _, materialized = _materialize_job("quality_classifier_job",
                                       "error: training the quality classifier failed (run {run_id})")
    metadata = materialized["quality_classifier"]
    print(f"Trained quality classifier {metadata['version']}: held-out ROC-AUC "
          f"{metadata['heldout_roc_auc']}, external (ham vs spam) {metadata['external_roc_auc']}")
    return metadata


def retrain() -> dict[str, dict]:
    """Run the retraining job (tokenizer, corpus, pretraining, SFT); returns each asset's metadata."""
    started = time.monotonic()
    run_id, materialized = _materialize_job(
        "retraining", "error: retraining failed (run {run_id}); see its logs in the Dagster UI. "
                      "Re-running resumes an interrupted training run from its newest checkpoint.")
    print(f"Retrained in {time.monotonic() - started:.1f} s (run {run_id})")
    return materialized


def feedback_loop() -> dict[str, dict]:
    """Run the feedback loop job (ingest, reward_data, reward_model, aligned_model)."""
    started = time.monotonic()
    run_id, materialized = _materialize_job(
        "feedback_loop", "error: the feedback loop failed (run {run_id}); see its logs in the Dagster UI.")
    print(f"Feedback loop done in {time.monotonic() - started:.1f} s (run {run_id})")
    return materialized


def simulate_feedback(events: int, seed: int | None) -> Path:
    """Write a new batch of simulated feedback events to `landing/feedback/`."""
    from datetime import UTC, datetime

    from flywheel.feedback.simulate import simulate_events
    from orchestration.resources import StorageResource

    now = datetime.now(UTC)
    seed = now.microsecond if seed is None else seed
    batch = f"simulated-{now:%Y%m%dT%H%M%S}-{seed}"
    rows = simulate_events(events, seed=seed, id_prefix=batch, start=now)
    path = StorageResource.for_home(_home()).landing().add_feedback_file(
        f"{batch}.jsonl", [json.dumps(row, ensure_ascii=False) for row in rows])
    print(f"Wrote {len(rows)} feedback events to {path}. With `make ui` running, feedback_sensor requests a "
          f"feedback_loop run within its interval; or run `flywheel feedback run`.")
    return Path(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="flywheel", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    ingest_cmd = commands.add_parser("ingest", help="copy a folder of crawl files in as a new batch")
    ingest_cmd.add_argument("path", type=Path)
    ingest_cmd.add_argument("--batch", required=True)
    curate_cmd = commands.add_parser("curate", help="materialize the curation chain of a batch")
    curate_cmd.add_argument("--batch", required=True)
    commands.add_parser("train-classifier", help="train the quality classifier on the curated batches")
    commands.add_parser("retrain", help="refresh tokenizer and corpus, pretrain and fine-tune")
    feedback_cmd = commands.add_parser("feedback", help="feedback loop: simulate events, run the loop")
    feedback_actions = feedback_cmd.add_subparsers(dest="action", required=True)
    simulate_cmd = feedback_actions.add_parser("simulate", help="write simulated events to landing/feedback/")
    simulate_cmd.add_argument("--events", type=int, default=200)
    simulate_cmd.add_argument("--seed", type=int, default=None, help="default: a fresh one each time")
    feedback_actions.add_parser("run", help="run the feedback_loop job now")
    commands.add_parser("demo", help="run the whole lifecycle on the bundled sample")
    args = parser.parse_args(argv)
    try:
        if args.command == "ingest":
            ingest(args.path, validate_batch_name(args.batch))
        elif args.command == "curate":
            curate(validate_batch_name(args.batch))
        elif args.command == "train-classifier":
            train_classifier()
        elif args.command == "retrain":
            retrain()
        elif args.command == "feedback" and args.action == "simulate":
            simulate_feedback(args.events, args.seed)
        elif args.command == "feedback":
            feedback_loop()
        else:
            from orchestration.demo import demo

            demo()
    except (InvalidBatchName, BatchExists) as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
