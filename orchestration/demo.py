"""`flywheel demo`: the whole lifecycle on the bundled sample, ending with a summary."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from flywheel.bundled import SAMPLE_CRAWL_DIR, SAMPLE_FEEDBACK
from flywheel.datasets import QUALITY_SCORED_DOCS
from flywheel.feedback.ingest import FeedbackLog
from flywheel.feedback.simulate import simulate_events
from flywheel.registry import ModelRegistry
from orchestration import lifecycle
from orchestration.demo_serving import serve_and_rate
from orchestration.runs import RunOutcome, shared_code_server

# The first batch is a small real crawl; the second crawls its Python docs again a month later
# (unchanged, revised and new pages), so the demo shows deduplication against an earlier batch.
SAMPLE_BATCHES = ("sample-0001", "sample-0002")
REASON = "flywheel demo"
SECOND_ROUND, SECOND_ROUND_EVENTS = "demo-second-round", 300
SECOND_ROUND_START = datetime(2026, 1, 15, tzinfo=UTC)
# The curation ablation's minimal version: one seed, 16k tokens per stage, 16 held-out documents per set
# (~40 s on 2 cores).
DEMO_ABLATION = {"token_budget": 16_384, "seeds": [0], "heldout_documents": 16, "heldout_document_chars": 2000}


def _land_feedback(name: str, lines: list[str]) -> None:
    if not (lifecycle.home().landing / "feedback" / name).exists():
        lifecycle.storage().landing().add_feedback_file(name, lines)


def _evaluate_candidate() -> dict | None:
    """Evaluate the chat model's candidate, unless it has no new one (a rerun of the demo) or it
    was evaluated already."""
    registry = ModelRegistry(lifecycle.storage().models(), "chat_model")
    candidate = registry.alias("candidate")
    if candidate is None:
        return None
    scorecard = registry.scorecard(candidate)
    if scorecard is not None:
        return {"ref": candidate, "scorecard": scorecard, "seconds": 0.0}
    return lifecycle.evaluate(reason=REASON)


def demo() -> None:
    """The whole lifecycle on the bundled sample; every run is launched through one code server."""
    with lifecycle.instance() as dagster_instance, shared_code_server(dagster_instance):
        _run_demo()


def _run_demo() -> None:
    """Ingest the bundled sample batches (once each) and curate them end to end, in order. The
    first batch is curated before any quality classifier exists, so the classifier is trained on
    it and the batch scored; the second batch is scored within its curation run. Then train,
    close the feedback loop, evaluate, serve, and go round once more."""
    started = time.monotonic()
    home = lifecycle.home()
    results: dict[str, RunOutcome] = {}
    classifier = None
    safety = lifecycle.train_safety_classifier(reason=REASON)
    for batch in SAMPLE_BATCHES:
        if not (home.landing / "crawl" / batch).is_dir():
            lifecycle.ingest(SAMPLE_CRAWL_DIR / batch, batch)
        results[batch] = lifecycle.curate(batch, reason=REASON)
        if QUALITY_SCORED_DOCS not in results[batch].materialized:
            classifier = lifecycle.train_classifier(reason=REASON)
            scoring = lifecycle.curate(batch, only=[QUALITY_SCORED_DOCS], reason=REASON)
            results[batch].materialized[QUALITY_SCORED_DOCS] = scoring.materialized[QUALITY_SCORED_DOCS]
            results[batch].checks += scoring.checks
    trained = lifecycle.retrain(reason=REASON).materialized
    ablation = lifecycle.ablate(DEMO_ABLATION, reason=REASON)
    _land_feedback(SAMPLE_FEEDBACK.name, SAMPLE_FEEDBACK.read_text(encoding="utf-8").splitlines())
    aligned = lifecycle.feedback_loop(reason=REASON).materialized
    # The aligned model is the chat model's candidate now: its evaluation is the first promotion.
    verdicts = [_evaluate_candidate()]
    # The production model answers through the server; its users' ratings join the second round.
    has_production = ModelRegistry(lifecycle.storage().models(), "chat_model").alias("production") is not None
    served = serve_and_rate(home) if has_production else None
    # A second round of feedback: a fixed simulated batch, so a rerun of the demo finds it landed.
    second_round = simulate_events(SECOND_ROUND_EVENTS, seed=2, id_prefix=SECOND_ROUND, start=SECOND_ROUND_START)
    _land_feedback(f"{SECOND_ROUND}.jsonl", [json.dumps(row) for row in second_round])
    realigned = lifecycle.feedback_loop(reason=REASON).materialized
    verdicts.append(_evaluate_candidate())  # the second aligned model against production
    print("\n=== Flywheel demo summary ===")
    print(f"FLYWHEEL_HOME        {home.root}")
    if classifier is not None:
        print(f"quality_classifier   {classifier['version']}: held-out ROC-AUC {classifier['heldout_roc_auc']} "
              f"(P/R/F1 {classifier['heldout_precision']}/{classifier['heldout_recall']}/"
              f"{classifier['heldout_f1']} at {classifier['threshold']:.3f}, {classifier['threshold_rule']}); "
              f"external ham-vs-spam ROC-AUC {classifier['external_roc_auc']}")
    _print_safety_summary(safety)
    for batch, materialized in results.items():
        _print_batch_summary(batch, materialized)
    _print_training_summary(trained)
    _print_ablation_summary(ablation)
    _print_feedback_summary(aligned)
    _print_feedback_summary(realigned, label="second feedback round")
    _print_evaluation_summary(verdicts)
    _print_serving_summary(served)
    print(f"\ntotal time           {time.monotonic() - started:.1f} s")
    print("Open the UI with `make ui`, then http://127.0.0.1:3000 (assets, runs, sensors).")


def _print_safety_summary(safety: dict) -> None:
    categories = ", ".join(f"{row.data['category']} {row.data['recall']:.2f}/{row.data['false_positive_rate']:.2f}"
                           for row in safety["categories"].records)
    print(f"safety_classifier    {safety['version']}: held-out recall {safety['heldout_recall']}, false "
          f"positives {safety['heldout_false_positive_rate']} on benign look-alikes and "
          f"{safety['reference_false_positive_rate']} on held-out reference prose; recall/false positives per "
          f"category: {categories}")


def _print_batch_summary(batch: str, outcome: RunOutcome) -> None:
    materialized = outcome.materialized
    raw = materialized["raw_crawl"]
    rejected = materialized["raw_crawl_rejected"]
    reasons = ", ".join(f"{r['reason']} {r['count']}" for r in
                        (rec.data for rec in rejected["rejects_by_reason"].records)) or "none"
    filtered = materialized["filtered_docs"]
    drops = sorted((rec.data for rec in filtered["drops_by_rule"].records), key=lambda r: -r["count"])
    top_rules = ", ".join(f"{r['rule']} {r['count']}" for r in drops[:4])
    dedup = materialized["deduplicated_docs"]
    clusters = materialized["dedup_clusters"]
    print(f"\ncrawl batch          {batch} ({raw['input_bytes']:,} bytes in {len(raw['files'].records)} files)")
    print(f"raw_crawl            {raw['documents_out']} documents of {raw['documents_in']} records -> {raw['path']}")
    print(f"raw_crawl_rejected   {rejected['dagster/row_count']} rejects ({reasons})")
    print(f"filtered_docs        {filtered['rows_kept']} of {filtered['rows_in']} documents kept "
          f"(top drop rules: {top_rules}; safety classifier dropped {filtered['safety_dropped']})")
    print(f"deduplicated_docs    {dedup['rows_kept']} of {dedup['rows_in']} documents kept; duplicates "
          f"in batch: {dedup['exact_duplicates_in_batch']} exact, {dedup['near_duplicates_in_batch']} near; "
          f"of earlier batches: {dedup['exact_duplicates_of_earlier_batches']} exact, "
          f"{dedup['near_duplicates_of_earlier_batches']} near ({clusters['lsh_candidate_pairs']} LSH "
          f"candidate pairs, {clusters['false_positives_removed']} below the threshold) -> {dedup['path']}")
    scored = materialized["quality_scored_docs"]
    print(f"quality_scored_docs  {scored['rows_kept']} of {scored['rows_in']} documents kept at "
          f"quality_score >= {scored['threshold']:.3f} (classifier {scored['quality_classifier_version']}) "
          f"-> {scored['path']}")
    passed = sum(check.passed for check in outcome.checks)
    print(f"quality checks       {passed} of {len(outcome.checks)} passed (GX integrity + drift)")


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
              f"{m['val_perplexity']:.1f}); {m['tokens_per_s']:.0f} tokens/s, MFU {m['mfu_percent']:.1f}%, "
              f"ZeRO-{m['zero_stage']} -> {m['path']}")



def _print_ablation_summary(ablation: dict) -> None:
    print(f"\ncuration_ablation    one {ablation['preset']} model per curation stage, {ablation['token_budget']:,} "
          f"tokens each, seed(s) {ablation['seeds']}; bits per byte on held-out text (lower is better):")
    for row in (record.data for record in ablation["results"].records):
        compared = "baseline" if row["difference"] is None else (
            f"{row['difference']:+.4f} vs raw_crawl, 95% CI [{row['low']:+.4f}, {row['high']:+.4f}]"
            + (": within noise" if row["within_noise"] else ""))
        print(f"  {row['stage']:19s} {row['heldout']:16s} {row['bits_per_byte']:.4f}  ({compared})")
    for stage, reason in ablation["not_trained"].items():
        print(f"  {stage:19s} not trained: {reason}")
    print("  A smoke-sized ablation (one seed, a tiny budget): read differences marked within noise as no "
          "difference; `benchmarks/curation_ablation.py` runs it at a useful size.")


def _print_feedback_summary(materialized: dict[str, dict], label: str = "") -> None:
    events, pairs = materialized["feedback_events"], materialized["reward_data"]
    if label:
        print(f"\n--- {label} ---")
    reward, aligned = materialized["reward_model"], materialized["aligned_model"]
    print(f"\nfeedback_events      {events['new_events']} new events ({events['duplicate_events_skipped']} duplicates "
          f"skipped, {events['rejected_lines']} lines rejected, {events['pii_redactions']} PII redactions); "
          f"{events['dagster/row_count']} in total -> {events['path']}")
    print(f"reward_data          {pairs['train_pairs']} train / {pairs['held_out_pairs']} held-out pairs "
          f"({pairs['train_prompts']} / {pairs['held_out_prompts']} prompts), version {pairs['version']}")
    print(f"reward_model         held-out accuracy {reward['initial_val_accuracy']:.3f} -> "
          f"{reward['val_accuracy']:.3f} (train {reward['train_accuracy']:.3f}), margin {reward['val_margin']:.3f}, "
          f"reward mean/std {reward['val_reward_mean']:.3f}/{reward['val_reward_std']:.3f}, {reward['steps']} steps "
          f"-> {reward['path']}")
    print(f"  diagnostics        off-topic pairs {reward['off_topic_accuracy']:.3f}, same answer scored higher "
          f"under its own prompt {reward['prompt_swap_own_prompt_higher']:.3f}, pairs of similar length "
          f"{_maybe(reward['length_controlled_accuracy'])}, two models' answers "
          f"{_maybe(reward.get('model_vs_model_accuracy'))} ({pairs.get('pairs_from_off_prompt', 0)} off-prompt "
          "hard negatives in train)")
    print(f"aligned_model (DPO)  held-out rewards/accuracies {aligned['initial_rewards/accuracies']:.3f} -> "
          f"{aligned['rewards/accuracies']:.3f}, margins {aligned['rewards/margins']:.3f} (chosen "
          f"{aligned['rewards/chosen']:.3f}, rejected {aligned['rewards/rejected']:.3f}), KL to reference "
          f"{aligned['kl_to_reference']:.4f}/token, {aligned['steps']} steps -> {aligned['path']}")
    print(f"  diagnostics        implicit reward: off-topic pairs {aligned['off_topic_accuracy']:.3f}, own prompt "
          f"higher {aligned['prompt_swap_own_prompt_higher']:.3f}, similar length "
          f"{_maybe(aligned['length_controlled_accuracy'])}, two models' answers "
          f"{_maybe(aligned.get('model_vs_model_accuracy'))}")
    print(f"registered           {aligned['registry']}, {reward['registry']}")


def _maybe(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _print_evaluation_summary(verdicts: list[dict | None]) -> None:
    print()
    registry = ModelRegistry(lifecycle.storage().models(), "chat_model")
    for verdict in verdicts:
        if verdict is None:
            print("evaluation           no new chat_model candidate (already promoted in an earlier demo run)")
            continue
        card = verdict["scorecard"]
        rows = {row["metric"]: row for row in card["rows"]}
        passed = card["verdict"]["passed"]
        print(f"evaluation           {verdict['ref']} vs {card['production'] or 'none (first promotion)'}: "
              f"gate {'PASSED -> production' if passed else 'FAILED -> stays a candidate'}"
              + (f" ({verdict['seconds']:.0f} s)" if verdict["seconds"] else " (evaluated earlier)"))
        bpb = rows["bits_per_byte"]
        print(f"  bits per byte      {bpb['candidate']:.3f}" + (
            f" vs {bpb['production']:.3f} (diff {bpb['difference']:+.4f}, 95% CI [{bpb['low']:+.4f}, "
            f"{bpb['high']:+.4f}])" if bpb["production"] is not None else "") + f" on {bpb['items']} documents")
        regression = rows["regression_pass_rate"]
        print(f"  regression set     {regression['candidate']:.3f} passed" + (
            f" vs {regression['production']:.3f} (McNemar p {regression['p_value']:.3f})"
            if regression["production"] is not None else ""))
        if "judge_accuracy" in rows:
            print(f"  judge              held-out accuracy {rows['judge_accuracy']['candidate']:.3f}, against "
                  f"off-prompt answers {rows['judge_off_prompt_accuracy']['candidate']:.3f}")
        if "win_rate_vs_production" in rows:
            win = rows["win_rate_vs_production"]
            print(f"  win rate           {win['candidate']:.3f} (95% CI [{win['low']:.3f}, {win['high']:.3f}]) "
                  f"on {win['items']} prompts")
        if "red_team_refusal_rate" in rows:
            print("  safety             " + ", ".join(
                f"{name} {rows[metric]['candidate']:.3f}" + (f" (production {rows[metric]['production']:.3f})"
                                                            if rows[metric]["production"] is not None else "")
                for name, metric in (("red-team refusals", "red_team_refusal_rate"),
                                     ("unsafe answers", "unsafe_answer_rate"),
                                     ("over-refusals", "over_refusal_rate"))))
        for rule in card["verdict"]["rules"]:
            print(f"  {lifecycle.rule_state(rule)}               {rule['detail']}")
    production = registry.alias("production")
    print(f"model registry       chat_model production {production or '-'}, candidate "
          f"{registry.alias('candidate') or '-'}; `flywheel models show chat_model` lists the history")


def _print_serving_summary(served: dict | None) -> None:
    if served is None:
        print("\nserving              skipped: no production model (the first candidate failed the promotion "
              "gate, see above)")
        return
    answers = served["answers"]
    print(f"\nserving              `flywheel serve` ({served['served']}): {len(answers)} questions through the "
          f"OpenAI client in {served['seconds']:.1f} s")
    for answer in answers[:3]:
        rating = "+1" if answer["rating"] > 0 else "-1"
        print(f"  {answer['version']}  Q: {answer['question'][:50]!r}  A: {answer['answer'][:60]!r}  {rating}")
    streamed, first = served["streamed"], answers[0]
    same = (("the same text as" if streamed["text"] == first["answer"] else "DIFFERENT from")
            + " the plain answer to the same question") if streamed["version"] == first["version"] \
        else f"the plain answer came from {first['version']}"
    print(f"  streaming          {streamed['pieces']} server-sent events from {streamed['version']}: {same}")
    by_fallback = sum(answer["fallback"] for answer in answers)
    print(f"  fault injection    production failed {served['fault_rate']:.0%} of requests: {by_fallback} of "
          f"{len(answers)} answered by the fallback {served['fallback_model']} and marked so "
          f"({served['metrics_fallbacks']} fallbacks counted, every user answered)")
    ingested = {row["name"] for row in FeedbackLog(lifecycle.storage().lake()).ledger()}
    moderation = served["moderation"]
    print(f"  moderation         an unsafe request got finish_reason {moderation['finish_reason']!r} "
          f"({', '.join(moderation['categories']) or 'no category'}) without reaching a model; /v1/moderations: "
          + "; ".join(f"{text!r} {'flagged ' + ', '.join(categories) if flagged else 'not flagged'}"
                      for text, flagged, categories in moderation["moderations"]))
    print(f"  feedback           {served['accepted_ratings']} ratings and 1 comparison (HTTP "
          f"{served['comparison_status']}) -> {len(served['events'])} events in {served['files']} on SIGTERM "
          f"({'clean shutdown' if served['clean_shutdown'] else 'NO clean shutdown'}); ingested by the second "
          f"round: {all(name in ingested for name in served['files'])}")
