"""`flywheel`: headless commands for cron and CI.

    flywheel ingest PATH --batch NAME   copy a folder of crawl files into the landing zone
    flywheel curate --batch NAME        materialize the curation chain of that batch
    flywheel train-classifier           train the quality classifier on every curated batch
    flywheel train-safety-classifier    train the safety classifier on its bundled labelled set
    flywheel retrain                    tokenizer, pretraining corpus, pretrained_model, sft_model
    flywheel ablate [--token-budget N] [--seeds S ...]   train one model per curation stage, compare them
    flywheel feedback simulate [--events N] [--seed S]   write a batch of simulated feedback events
    flywheel feedback run               ingest feedback, rebuild reward_data, train reward and aligned models
    flywheel models list                aliases (production, candidate, canary) of every model family
    flywheel models show NAME           a family's aliases and its whole history
    flywheel models promote NAME VERSION --reason TEXT [--force]   point production at a version
    flywheel models rollback NAME --reason TEXT                    production back to the one it replaced
    flywheel models evaluate NAME [VERSION]   evaluate the candidate (or VERSION) against production; promote
                                              it if the promotion gate passes
    flywheel serve [--host H] [--port P] [--config F]   the OpenAI-compatible model server (production,
                                              canary share, fallback, feedback capture, /metrics)
    flywheel models canary NAME VERSION [--percent P] --reason TEXT   send a share of users to a candidate
    flywheel demo                       run the whole lifecycle on the bundled sample, then summarize

Every job runs as a run of the code location `flywheel` in the Dagster instance under
FLYWHEEL_HOME (tagged `flywheel/source=cli`), so it shows under its job in the UI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flywheel.batch_names import InvalidBatchName, validate_batch_name
from flywheel.landing import BatchExists


def _lifecycle():
    from orchestration import lifecycle  # Dagster is imported when a command runs, not for --help

    return lifecycle


def _ingest(args: argparse.Namespace) -> None:
    _lifecycle().ingest(args.path, validate_batch_name(args.batch))


def _curate(args: argparse.Namespace) -> None:
    _lifecycle().curate(validate_batch_name(args.batch))


def _train_classifier(args: argparse.Namespace) -> None:
    _lifecycle().train_classifier()


def _train_safety_classifier(args: argparse.Namespace) -> None:
    _lifecycle().train_safety_classifier()


def _retrain(args: argparse.Namespace) -> None:
    _lifecycle().retrain()


def _ablate(args: argparse.Namespace) -> None:
    config = {key: value for key, value in (("token_budget", args.token_budget), ("seeds", args.seeds))
              if value is not None}
    metadata = _lifecycle().ablate(config)
    print(metadata["table"])
    print(metadata["verdicts"])


def _feedback_simulate(args: argparse.Namespace) -> None:
    _lifecycle().simulate_feedback(args.events, args.seed)


def _feedback_run(args: argparse.Namespace) -> None:
    _lifecycle().feedback_loop()


def _model_commands():
    from orchestration import model_commands  # Dagster is imported when a command runs, not for --help

    return model_commands


def _models_list(args: argparse.Namespace) -> None:
    _model_commands().list_models()


def _models_show(args: argparse.Namespace) -> None:
    _model_commands().show(args.name)


def _models_promote(args: argparse.Namespace) -> None:
    _model_commands().promote(args.name, args.version, args.reason, args.force)


def _models_evaluate(args: argparse.Namespace) -> None:
    _model_commands().evaluate(args.name, args.version)


def _models_rollback(args: argparse.Namespace) -> None:
    _model_commands().rollback(args.name, args.reason)


def _models_canary(args: argparse.Namespace) -> None:
    _model_commands().canary(args.name, args.version, args.percent, args.reason)


def _serve(args: argparse.Namespace) -> None:
    from flywheel.home import FlywheelHome
    from flywheel.serving.run import serve
    from flywheel.serving.settings import ServingSettings

    settings = ServingSettings.from_file(args.config) if args.config else ServingSettings()
    overrides = {name: value for name, value in (("host", args.host), ("port", args.port)) if value is not None}
    serve(settings.model_copy(update=overrides), FlywheelHome.from_env())


def _demo(args: argparse.Namespace) -> None:
    from orchestration.demo import demo

    demo()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="flywheel", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = root.add_subparsers(dest="command", required=True)
    ingest = commands.add_parser("ingest", help="copy a folder of crawl files in as a new batch")
    ingest.add_argument("path", type=Path)
    ingest.add_argument("--batch", required=True)
    ingest.set_defaults(handler=_ingest)
    curate = commands.add_parser("curate", help="materialize the curation chain of a batch")
    curate.add_argument("--batch", required=True)
    curate.set_defaults(handler=_curate)
    commands.add_parser("train-classifier", help="train the quality classifier on the curated batches") \
        .set_defaults(handler=_train_classifier)
    commands.add_parser("train-safety-classifier", help="train the safety classifier on its bundled labelled set") \
        .set_defaults(handler=_train_safety_classifier)
    commands.add_parser("retrain", help="refresh tokenizer and corpus, pretrain and fine-tune") \
        .set_defaults(handler=_retrain)
    ablate = commands.add_parser("ablate", help="the curation ablation: one model per curation stage, compared "
                                                "on held-out text (bits per byte)")
    ablate.add_argument("--token-budget", type=int, help="training tokens per run (default: the asset's)")
    ablate.add_argument("--seeds", type=int, nargs="+", help="one run per stage and seed (default: 0 1)")
    ablate.set_defaults(handler=_ablate)
    feedback = commands.add_parser("feedback", help="feedback loop: simulate events, run the loop")
    actions = feedback.add_subparsers(dest="action", required=True)
    simulate = actions.add_parser("simulate", help="write simulated events to landing/feedback/")
    simulate.add_argument("--events", type=int, default=200)
    simulate.add_argument("--seed", type=int, default=None, help="default: a fresh one each time")
    simulate.set_defaults(handler=_feedback_simulate)
    actions.add_parser("run", help="run the feedback_loop job now").set_defaults(handler=_feedback_run)
    models = commands.add_parser("models", help="the model registry: aliases, history, promotion, rollback")
    model_actions = models.add_subparsers(dest="action", required=True)
    model_actions.add_parser("list", help="aliases of every model family").set_defaults(handler=_models_list)
    show = model_actions.add_parser("show", help="a family's aliases and history")
    show.add_argument("name", help="model family: chat_model or reward_model")
    show.set_defaults(handler=_models_show)
    promote = model_actions.add_parser("promote", help="point production at an evaluated version")
    promote.add_argument("name")
    promote.add_argument("version", help="MODEL:VERSION, or a version of one of the family's models")
    promote.add_argument("--reason", required=True)
    promote.add_argument("--force", action="store_true", help="also a version never evaluated (recorded)")
    promote.set_defaults(handler=_models_promote)
    evaluate = model_actions.add_parser("evaluate", help="evaluate a candidate; promote it if the gate passes")
    evaluate.add_argument("name", help="model family, e.g. chat_model")
    evaluate.add_argument("version", nargs="?", help="MODEL:VERSION (default: the family's candidate)")
    evaluate.set_defaults(handler=_models_evaluate)
    rollback = model_actions.add_parser("rollback", help="production back to the version it replaced")
    rollback.add_argument("name")
    rollback.add_argument("--reason", required=True)
    rollback.set_defaults(handler=_models_rollback)
    canary = model_actions.add_parser("canary", help="send a share of users to a version that passed its gate")
    canary.add_argument("name")
    canary.add_argument("version", help="MODEL:VERSION, or a version of one of the family's models")
    canary.add_argument("--percent", type=float, default=10.0)
    canary.add_argument("--reason", required=True)
    canary.set_defaults(handler=_models_canary)
    serve = commands.add_parser("serve", help="the OpenAI-compatible model server")
    serve.add_argument("--host", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="default 8000")
    serve.add_argument("--config", type=Path, help="serving settings, YAML or JSON (see flywheel.serving.settings)")
    serve.set_defaults(handler=_serve)
    commands.add_parser("demo", help="run the whole lifecycle on the bundled sample").set_defaults(handler=_demo)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        args.handler(args)
    except (InvalidBatchName, BatchExists) as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
