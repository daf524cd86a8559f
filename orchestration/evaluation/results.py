"""A model's per-item results on the current evaluation sets: read from the lake when this model
was already evaluated on this sets version with these settings, else computed and published."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import dagster as dg

from flywheel.datasets import SFT_MODEL
from flywheel.evaluation.model_results import MODEL_RESULTS, EvaluationSettings, ModelResults, evaluate_model
from flywheel.registry import ModelRef, ModelRegistry
from flywheel.training.export import RECORD
from orchestration.resources import StorageResource


def results_for(context: dg.AssetExecutionContext, storage: StorageResource, registry: ModelRegistry,
                ref: ModelRef, sets: dict, preferences: list[dict],
                settings: EvaluationSettings, safety_classifier=None) -> tuple[ModelResults, bool]:
    """(results, whether they were reused). `settings.safety_classifier` names the version of
    `safety_classifier` (it judges the safety answers), so a new classifier re-evaluates."""
    lake = storage.versioned_datasets()
    settings_hash = hashlib.sha256(json.dumps(settings.key(), sort_keys=True).encode()).hexdigest()[:8]
    version = f"{ref.model}-{ref.version}-{sets['version']}-{settings_hash}"
    if lake.has_version(MODEL_RESULTS, version):
        context.log.info(f"{ref}: reusing its results on evaluation sets {sets['version']}")
        return ModelResults.read(lake.fs, lake.version_path(MODEL_RESULTS, version)), True
    model_path = registry.path_of(ref)
    reference = _dpo_reference(storage, model_path)
    context.log.info(f"Evaluating {ref} on evaluation sets {sets['version']}"
                     + (f" (DPO reference {reference})" if reference else ""))
    with tempfile.TemporaryDirectory() as workdir:
        results = evaluate_model(model_path, reference, Path(sets["path"]), preferences, Path(workdir) / "work",
                                 settings, safety_classifier=safety_classifier)
        out = Path(workdir) / "results"
        out.mkdir()
        results.summary["model"] = str(ref)
        results.write(out)
        lake.publish(out, MODEL_RESULTS, version)
    return results, False


def _dpo_reference(storage: StorageResource, model_path: str) -> str | None:
    """The model a DPO-aligned version was aligned from (its `flywheel_record.json` says), if any."""
    record_path = Path(model_path, RECORD)
    if not record_path.exists():
        return None
    record = json.loads(record_path.read_text())
    if record.get("objective") != "dpo":
        return None
    sft_version = record.get("inputs", {}).get(SFT_MODEL)
    store = storage.models()
    return store.version_path(SFT_MODEL, sft_version) if sft_version and store.has_version(SFT_MODEL, sft_version) \
        else None
