"""`flywheel`: headless commands for cron and CI.

    flywheel ingest PATH --batch NAME   copy a folder of crawl files into the landing zone
    flywheel curate --batch NAME        materialize the curation chain of that batch
    flywheel train-classifier           train the quality classifier on every curated batch
    flywheel retrain                    tokenizer, pretraining corpus, pretrained_model, sft_model
    flywheel demo                       ingest and curate the bundled sample, then summarize

Runs are recorded in the Dagster instance under FLYWHEEL_HOME, so they show in the UI.
"""

from __future__ import annotations

import argparse
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
        checks = {f"{e.asset_key.to_user_string()}.{e.check_name}": e for e in result.get_asset_check_evaluations()}
    print(f"Curated crawl batch {batch!r} in {time.monotonic() - started:.1f} s (run {result.run_id})")
    for asset, metadata in materialized.items():
        print(f"  {asset:24s} {metadata.get('dagster/row_count', '?'):>7} rows  {metadata.get('path', '')}")
    failed = {name: e for name, e in checks.items() if not e.passed}
    print(f"  quality checks: {len(checks) - len(failed)} of {len(checks)} passed")
    for name, evaluation in failed.items():
        print(f"  {evaluation.severity.value:5s} {name}: {evaluation.description}")
    if any(e.severity == AssetCheckSeverity.ERROR for e in failed.values()):
        raise SystemExit(f"error: a blocking quality check failed on batch {batch!r}, so the assets "
                         "downstream of it were not materialized; see the check in the Dagster UI")
    materialized["quality_checks"] = {"passed": len(checks) - len(failed), "total": len(checks)}
    return materialized


def _metadata_of(materialization_event) -> dict:
    return {key: value.value for key, value in materialization_event.materialization.metadata.items()}


def _materialize_job(job_name: str, failure: str) -> tuple[str, dict[str, dict]]:
    """Execute an unpartitioned job in the instance: (run id, each materialized asset's metadata).
    Exits with `failure` (formatted with `run_id`) if the run fails."""
    from orchestration.definitions import build_definitions

    definitions = build_definitions(_home())
    with _instance() as instance:
        result = definitions.resolve_job_def(job_name).execute_in_process(instance=instance, raise_on_error=False)
    if not result.success:
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


def demo() -> None:
    """Ingest the bundled sample batches (once each) and curate them end to end, in order. The
    first batch is curated before any quality classifier exists, so the classifier is trained on
    it and the batch scored; the second batch is scored within its curation run."""
    started = time.monotonic()
    home = _home()
    results = {}
    classifier = None
    for batch in SAMPLE_BATCHES:
        if not (home.landing / "crawl" / batch).is_dir():
            ingest(SAMPLE_CRAWL_DIR / batch, batch)
        results[batch] = curate(batch)
        if "quality_scored_docs" not in results[batch]:
            classifier = train_classifier()
            results[batch]["quality_scored_docs"] = curate(batch, only=["quality_scored_docs"])["quality_scored_docs"]
    trained = retrain()
    print("\n=== Flywheel demo summary ===")
    print(f"FLYWHEEL_HOME        {home.root}")
    if classifier is not None:
        print(f"quality_classifier   {classifier['version']}: held-out ROC-AUC {classifier['heldout_roc_auc']} "
              f"(P/R/F1 {classifier['heldout_precision']}/{classifier['heldout_recall']}/"
              f"{classifier['heldout_f1']} at {classifier['threshold']:.3f}, {classifier['threshold_rule']}); "
              f"external ham-vs-spam ROC-AUC {classifier['external_roc_auc']}")
    for batch, materialized in results.items():
        _print_batch_summary(batch, materialized)
    _print_training_summary(trained)
    print(f"\ntotal time           {time.monotonic() - started:.1f} s")
    print("Open the UI with `make ui`, then http://127.0.0.1:3000 (assets, runs, sensors).")


def _print_batch_summary(batch: str, materialized: dict[str, dict]) -> None:
    raw = materialized["raw_crawl"]
    rejected = materialized["raw_crawl_rejected"]
    reasons = ", ".join(f"{r['reason']} {r['count']}" for r in
                        (rec.data for rec in rejected["rejects_by_reason"].records)) or "none"
    filtered = materialized["filtered_docs"]
    top_rules = ", ".join(f"{r['rule']} {r['count']}" for r in
                          (rec.data for rec in filtered["drops_by_rule"].records[:4]))
    dedup = materialized["deduplicated_docs"]
    clusters = materialized["dedup_clusters"]
    print(f"\ncrawl batch          {batch} ({raw['input_bytes']:,} bytes in {len(raw['files'].records)} files)")
    print(f"raw_crawl            {raw['documents_out']} documents of {raw['documents_in']} records -> {raw['path']}")
    print(f"raw_crawl_rejected   {rejected['dagster/row_count']} rejects ({reasons})")
    print(f"filtered_docs        {filtered['rows_kept']} of {filtered['rows_in']} documents kept "
          f"(top drop rules: {top_rules})")
    print(f"deduplicated_docs    {dedup['rows_kept']} of {dedup['rows_in']} documents kept; duplicates "
          f"in batch: {dedup['exact_duplicates_in_batch']} exact, {dedup['near_duplicates_in_batch']} near; "
          f"of earlier batches: {dedup['exact_duplicates_of_earlier_batches']} exact, "
          f"{dedup['near_duplicates_of_earlier_batches']} near ({clusters['lsh_candidate_pairs']} LSH "
          f"candidate pairs, {clusters['false_positives_removed']} below the threshold) -> {dedup['path']}")
    scored = materialized["quality_scored_docs"]
    print(f"quality_scored_docs  {scored['rows_kept']} of {scored['rows_in']} documents kept at "
          f"quality_score >= {scored['threshold']:.3f} (classifier {scored['quality_classifier_version']}) "
          f"-> {scored['path']}")
    checks = materialized["quality_checks"]
    print(f"quality checks       {checks['passed']} of {checks['total']} passed (GX integrity + drift)")


def _print_training_summary(trained: dict[str, dict]) -> None:
    tok, corpus = trained["tokenizer"], trained["pretraining_corpus"]
    print(f"\ntokenizer            {tok['version']}: byte-level BPE, {tok['vocab_size']} tokens, "
          f"{tok['characters_per_token']} characters/token -> {tok['path']}")
    print(f"pretraining_corpus   {corpus['train_tokens']:,} train / {corpus['validation_tokens']:,} validation tokens "
          f"in {corpus['train_sequences'] + corpus['validation_sequences']} sequences of {corpus['sequence_length']}")
    for name in ("pretrained_model", "sft_model"):
        m = trained[name]
        print(f"{name:20s} {m['parameters'] / 1e6:.2f}M parameters, {m['steps']} steps, {m['tokens_seen']:,} tokens; "
              f"validation loss {m['initial_val_loss']:.3f} -> {m['val_loss']:.3f} (perplexity "
              f"{m['val_perplexity']:.1f}); {m['tokens_per_s']:.0f} tokens/s, MFU {m['mfu']:.1%}, "
              f"ZeRO-{m['zero_stage']} -> {m['path']}")


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
        else:
            demo()
    except (InvalidBatchName, BatchExists) as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
