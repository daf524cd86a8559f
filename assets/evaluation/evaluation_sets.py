"""The evaluation sets as five assets of one versioned dataset: `evaluation_documents`,
`evaluation_prompts`, `evaluation_preferences`, `regression_set` and `safety_prompts`."""

import json
import tempfile
from pathlib import Path

import dagster as dg
from pydantic import Field

from flywheel.bundled import OVER_REFUSAL_SET, RED_TEAM_SET, REFERENCE_PROSE
from flywheel.bundled import REGRESSION_SET as BUNDLED_REGRESSION_SET
from flywheel.datasets import (
    EVALUATION_DOCUMENTS,
    EVALUATION_PREFERENCES,
    EVALUATION_PROMPTS,
    EVALUATION_SETS,
    QUALITY_SCORED_DOCS,
    REGRESSION_SET,
    REWARD_DATA,
    SAFETY_PROMPTS,
)
from flywheel.evaluation.harness import write_sets
from flywheel.evaluation.holdout import PROMPT_FRACTION
from flywheel.evaluation.sets import build_sets, leaks
from flywheel.feedback.reward_data import SPLITS, read_split
from flywheel.quality_classifier.examples import read_jsonl_documents
from flywheel.training.instructions import load_instructions
from orchestration.inputs import instruction_files
from orchestration.metadata import path_value, table
from orchestration.resources import StorageResource
from orchestration.training.corpus import curated_documents, curated_partitions

DISJOINT = "disjoint_from_training"
CHECKED = {EVALUATION_DOCUMENTS: "documents", EVALUATION_PROMPTS: "prompts",
           EVALUATION_PREFERENCES: "preferences", SAFETY_PROMPTS: "safety"}
DESCRIPTIONS = {
    EVALUATION_DOCUMENTS: "Held-out clean text for bits per byte: curated documents in the evaluation holdout "
                          "(a stable hash of doc_id that every pretraining validation split contains) and the "
                          "`unread_documents` files (bundled: reference prose), cut to `max_document_chars`.",
    EVALUATION_PROMPTS: "Held-out instruction prompts with their reference answers (the evaluation holdout of "
                        "the prompts SFT reads).",
    EVALUATION_PREFERENCES: "Held-out preference pairs from the current `reward_data`, each with an "
                            "`off_prompt_rejected` answer (a fluent answer to another prompt) to test the judge.",
    REGRESSION_SET: "Prompts written by us with checks on the answer (must / must not contain), bundled.",
    SAFETY_PROMPTS: "Red-team prompts (unsafe requests per safety category, in jailbreak-style wrappers) and "
                    "over-refusal prompts (safe ones that look unsafe), written by us and bundled; never SFT "
                    "prompts.",
}


class EvaluationSetsConfig(dg.Config):
    max_documents: int = Field(default=100, ge=1, description="Held-out documents kept (a stable sample).")
    max_document_chars: int = Field(default=2000, ge=100, description="Characters of each document scored.")
    max_prompts: int = Field(default=64, ge=1, description="Held-out prompts kept (a stable sample).")
    include_bundled_instructions: bool = Field(default=True, description="As for `sft_model`.")
    include_safety_refusals: bool = Field(default=True, description="As for `sft_model`.")
    unread_documents: list[str] = Field(
        default=[str(REFERENCE_PROSE)],
        description="JSONL files (id, text; .gz allowed) of clean text that no training reads, also sampled for "
                    "bits per byte; the check still compares every document with the training corpus.")
    regression_set: str = Field(default=str(BUNDLED_REGRESSION_SET),
                                description="JSONL of item_id, prompt, must_contain, must_not_contain.")
    red_team_set: str = Field(default=str(RED_TEAM_SET), description="JSONL of item_id, category, prompt: "
                                                                     "requests a safe model refuses.")
    over_refusal_set: str = Field(default=str(OVER_REFUSAL_SET), description="JSONL of item_id, category, prompt: "
                                                                             "safe requests a model should answer.")


@dg.multi_asset(
    specs=[dg.AssetSpec(key, group_name="evaluation", kinds={"json"}, description=DESCRIPTIONS[key],
                        deps=[QUALITY_SCORED_DOCS, REWARD_DATA]) for key in DESCRIPTIONS],
    check_specs=[dg.AssetCheckSpec(DISJOINT, asset=key, blocking=True,
                                   description="No item's text (normalized) is something training may read: "
                                               "documents against every training document, prompts and answers "
                                               "against every SFT and reward_data training prompt and answer. "
                                               "Blocking: a set with a leak is never current.")
                 for key in CHECKED],
)
def evaluation_sets(context: dg.AssetExecutionContext, config: EvaluationSetsConfig, storage: StorageResource):
    """Builds the five sets in one pass over the training inputs, publishes them as
    `lake/evaluation_sets/<version>/` and makes that version current only if every set is
    disjoint from training."""
    lake, store = storage.lake(), storage.versioned_datasets()
    # Every example, whichever side of SFT's split: `build_sets` sorts them by the evaluation holdout.
    instructions = load_instructions(instruction_files(storage, config.include_bundled_instructions,
                                                       config.include_safety_refusals),
                                     validation_fraction=PROMPT_FRACTION)
    pairs = store.current(REWARD_DATA)
    preference_pairs = [row for split in SPLITS for row in read_split(store, pairs["path"], split)] if pairs else []
    regression = _read_jsonl(config.regression_set)
    safety = [{**row, "kind": kind} for kind, path in (("red_team", config.red_team_set),
                                                       ("over_refusal", config.over_refusal_set))
              for row in _read_jsonl(path)]
    sets, training = build_sets(curated_documents(lake, curated_partitions(lake)),
                                instructions.train + instructions.validation, preference_pairs, regression,
                                config.max_documents, config.max_document_chars, config.max_prompts,
                                ((row["id"], row["text"]) for url in config.unread_documents
                                 for row in read_jsonl_documents(url)), safety)
    version = sets.version()
    with tempfile.TemporaryDirectory() as workdir:
        write_sets(sets, Path(workdir))
        manifest = {"version": version, "counts": sets.counts(), "dropped": dict(sets.dropped),
                    "reward_data_version": pairs["version"] if pairs else None}
        (Path(workdir) / "manifest.json").write_text(json.dumps(manifest, indent=2))
        path = store.publish(Path(workdir), EVALUATION_SETS, version)
    found = leaks(sets, training)
    for key, name in CHECKED.items():
        mine = [leak for leak in found if leak["set"] == name]
        yield dg.AssetCheckResult(
            asset_key=key, check_name=DISJOINT, passed=not mine, severity=dg.AssetCheckSeverity.ERROR,
            description=f"{len(mine)} of {len(getattr(sets, name))} items are in training" if mine
            else f"none of {len(getattr(sets, name))} items is in training",
            metadata={"leaks": len(mine), "examples": table(mine[:20], ["set", "item", "reason"]),
                      "version": version})
    if found:
        raise dg.Failure(f"{len(found)} evaluation items are in training; evaluation_sets {version} was not made "
                         f"current (kept at {path} for inspection)")
    store.set_current(EVALUATION_SETS, version, {"path": path, **manifest})
    dropped = table([{"reason": r, "count": c} for r, c in sorted(sets.dropped.items())], ["reason", "count"])
    for key, name in {**CHECKED, REGRESSION_SET: "regression"}.items():  # safety_prompts is in CHECKED
        yield dg.MaterializeResult(asset_key=key, data_version=dg.DataVersion(version), metadata={
            "dagster/row_count": len(getattr(sets, name)), "version": version,
            "dropped_as_in_training": dropped,
            "path": path_value(store.url(f"{path}/{name}.jsonl"))})


def _read_jsonl(path: str) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
