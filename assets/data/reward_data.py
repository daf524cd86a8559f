"""`reward_data`: preference pairs built from the feedback log, split by prompt."""

import json
import tempfile
import time
from pathlib import Path

import dagster as dg
import pandas as pd
from pydantic import Field

from flywheel.datasets import FEEDBACK_EVENTS, REWARD_DATA, SAFETY_CLASSIFIER
from flywheel.evaluation.holdout import PROMPT_FRACTION
from flywheel.feedback.ingest import FeedbackLog
from flywheel.feedback.pair_buckets import PAIRING_COLUMNS, bucket_count, write_pairs
from flywheel.feedback.pairs import PAIR_COLUMNS
from flywheel.feedback.reward_data import SPLITS, read_split
from flywheel.quality.feedback_suites import preference_pairs_suite, with_pair_flags
from flywheel.safety.published import load_current
from orchestration.audit import INTEGRITY, set_current_if_passed
from orchestration.gx_checks import check_result
from orchestration.metadata import path_value, table
from orchestration.resources import StorageResource


class RewardDataConfig(dg.Config):
    held_out_fraction: float = Field(default=0.15, ge=PROMPT_FRACTION, lt=0.5,
                                     description="Share of prompts held out (stable hash of the prompt); at "
                                                 "least the evaluation share, which it contains.")
    max_pairs_per_prompt: int = Field(default=4, ge=1,
                                      description="Cap on pairs made from the ratings of one prompt.")
    events_per_bucket: int = Field(default=50_000, ge=1000,
                                   description="Events are paired in buckets (by prompt) of about this many, one in "
                                               "memory at a time.")
    off_prompt_share: float = Field(
        default=0.25, ge=0.0, le=1.0,
        description="Share of training prompts that also get an off-prompt hard negative: their chosen answer "
                    "against another prompt's chosen answer (`source` off_prompt), so the reward model learns "
                    "whether an answer fits its prompt, not only whether it reads well.")
    drop_unsafe_chosen: bool = Field(default=True,
                                     description="Drop pairs whose chosen answer the safety classifier flags, and "
                                                 "count flagged answers users rated -1, by model version.")


@dg.asset(key=REWARD_DATA, group_name="feedback", kinds={"parquet"}, deps=[FEEDBACK_EVENTS, SAFETY_CLASSIFIER],
          code_version="1",
          check_specs=[dg.AssetCheckSpec(
              INTEGRITY, asset=REWARD_DATA, blocking=True,
              description="GX suite on the written train split before it becomes current: non-empty prompt/"
                          "chosen/rejected within length bounds, chosen != rejected, no held-out pair in train. "
                          "Blocking: a failure keeps the previous version current and stops the models.")])
def reward_data(context: dg.AssetExecutionContext, config: RewardDataConfig, storage: StorageResource):
    """Preference pairs (`prompt`, `chosen`, `rejected`, `source`) from every feedback event:
    comparisons as they are, ratings paired per prompt (a +1 answer against a -1 answer), and
    off-prompt hard negatives for `off_prompt_share` of the training prompts (the prompt's chosen
    answer against another prompt's: `source` off_prompt).
    Deduplicated on normalized text; pairs with chosen == rejected, or whose chosen answer the
    safety classifier flags, dropped and counted. Split into
    train and held-out by a stable hash of the prompt, so held-out prompts never move into train
    as feedback grows. Written as an immutable version `lake/reward_data/<version>/`, which becomes
    the current one only if its integrity check passes."""
    store = storage.versioned_datasets()
    with tempfile.TemporaryDirectory() as workdir:
        out = Path(workdir, "version")
        out.mkdir()
        log = FeedbackLog(storage.lake())
        safety = load_current(storage.models()) if config.drop_unsafe_chosen else None
        pairs = write_pairs(log.iter_events(PAIRING_COLUMNS), config.held_out_fraction, config.max_pairs_per_prompt,
                            out, Path(workdir, "spill"), bucket_count(log.count(), config.events_per_bucket),
                            (lambda texts: [r.flagged for r in safety.classify(texts)]) if safety else None,
                            config.off_prompt_share)
        if not pairs.pairs["train"] or not pairs.pairs["held_out"]:
            raise dg.Failure(f"too few preference pairs ({pairs.pairs['train']} train, {pairs.pairs['held_out']} "
                             f"held out) from {pairs.events} feedback events: add feedback to landing/feedback/")
        version = pairs.version
        manifest = {"version": version, "train_pairs": pairs.pairs["train"],
                    "held_out_pairs": pairs.pairs["held_out"], "held_out_fraction": config.held_out_fraction,
                    "events": pairs.events}
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
        path = store.publish(out, REWARD_DATA, version)
    started = time.perf_counter()
    train, held_out = (pd.DataFrame(read_split(store, path, split)) for split in SPLITS)
    check = check_result(with_pair_flags(train, held_out), preference_pairs_suite(), "reward_data_integrity",
                         started, check_name=INTEGRITY, version=version,
                         staged_path=dg.MetadataValue.path(store.url(path)))
    yield from set_current_if_passed(store, check, REWARD_DATA, version, {"path": path, "manifest": manifest})
    context.log.info(f"reward_data {version}: {pairs.pairs['train']} train and {pairs.pairs['held_out']} "
                     "held-out pairs")
    yield dg.MaterializeResult(data_version=dg.DataVersion(version), metadata={
        "version": version, "train_pairs": pairs.pairs["train"], "held_out_pairs": pairs.pairs["held_out"],
        "train_prompts": pairs.prompts["train"], "held_out_prompts": pairs.prompts["held_out"],
        "feedback_events": pairs.events, **{f"pairs_from_{k}": v for k, v in sorted(pairs.by_source.items())},
        "flagged_feedback": sum(pairs.flagged_feedback.values()),
        "flagged_feedback_by_version": table([{"model_version": v, "answers_rated_down_and_flagged": n}
                                              for v, n in pairs.flagged_feedback.most_common()],
                                             ["model_version", "answers_rated_down_and_flagged"]),
        "dropped": table([{"reason": k, "count": v} for k, v in pairs.dropped.most_common()], ["reason", "count"]),
        "examples": table([{c: str(row[c])[:120] for c in PAIR_COLUMNS[1:5]} for row in pairs.examples],
                          PAIR_COLUMNS[1:5]),
        "dagster/row_count": pairs.pairs["train"] + pairs.pairs["held_out"],
        "path": path_value(store.url(path)),
    })
