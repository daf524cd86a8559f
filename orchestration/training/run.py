"""Train a model version from an asset: the part every training asset shares.

The version hashes everything that determines the result (objective, input versions, preset,
sequence length, settings). An existing version is reused. Otherwise the run's folder
`checkpoints/<asset>/<version>/` holds its spec, DeepSpeed checkpoints and metrics, so a run that
dies or is retried resumes from its newest checkpoint; the ranks are launched through Dagster
Pipes (rank 0 streams logs and reports the final metrics), the exported model is published to
`models/<asset>/<version>/`, and the run folder is removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import dagster as dg

from flywheel.registry import ModelRef, ModelRegistry, family_of
from flywheel.training.export import SUMMARY
from flywheel.training.instructions import write_jsonl
from flywheel.training.launch import launch_command
from flywheel.training.learning_check import CRITERIA, learning_verdict
from flywheel.training.settings import TrainingSettings
from flywheel.training.spec import TrainingSpec
from orchestration import plots
from orchestration.resources import StorageResource
from orchestration.training.pipes import pipes_for_ranks

METRICS = "metrics.jsonl"
LEARNED = "learned"


@dataclass
class TrainingRequest:
    asset: str
    objective: str
    inputs: dict[str, str]  # name -> version of everything trained from (shown and hashed)
    tokenizer_path: str
    settings: TrainingSettings
    sequence_length: int
    preset: str = "tiny"
    init_model_path: str | None = None
    data: dict[str, str] = field(default_factory=dict)  # paths the objective reads
    data_files: dict[str, list[dict]] = field(default_factory=dict)  # rows written as <run>/data/<name>.jsonl
    options: dict = field(default_factory=dict)  # the objective's own options (its `options_model`)

    def version(self) -> str:
        data_files = hashlib.sha256(json.dumps(self.data_files, sort_keys=True).encode()).hexdigest()
        key = {"objective": self.objective, "inputs": self.inputs, "preset": self.preset,
               "sequence_length": self.sequence_length, "settings": self.settings.result_determining(),
               "options": self.options, "data_files": data_files}
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def train_model(context: dg.AssetExecutionContext, storage: StorageResource, pipes: dg.PipesSubprocessClient,
                request: TrainingRequest, metadata: dict | None = None,
                evaluate: Callable[[str], dict] | None = None
                ) -> Iterator[dg.AssetCheckResult | dg.MaterializeResult]:
    """Train (or reuse) the request's version, then audit it: a version whose run did not learn
    (`learning_check`) fails its blocking `learned` check and never becomes current or a registry
    candidate; it stays published under its version for inspection, so a rerun fails the same way
    at once. Yields the check result (objectives with a criterion) and the materialization, with
    `metadata` added, and what `evaluate` returns for the published model's path."""
    # Imported here, not at module level: the objectives pull in torch, which the code location
    # itself never needs.
    from flywheel.training.objectives import objective_class

    objective = objective_class(request.objective)
    # Defaults filled in, so leaving an option unset and setting its default give one version.
    request = replace(request, options=objective.options_model.model_validate(request.options).model_dump())
    version = request.version()
    store = storage.models()
    # One run per model version at a time: a second one waits, then finds the version published.
    with _exclusive(Path(storage.checkpoints_dir) / request.asset / f"{version}.lock", context, version):
        reused = store.has_version(request.asset, version)
        if reused:
            context.log.info(f"{request.asset} {version} was already trained with these inputs and settings: reused")
            path = store.version_path(request.asset, version)
        else:
            export_dir = _run(context, storage, pipes, request, version)
            path = store.publish(export_dir, request.asset, version)
            shutil.rmtree(export_dir.parent, ignore_errors=True)
    reported = json.loads(Path(path, SUMMARY).read_text())
    verdict = learning_verdict(request.objective, reported)
    if verdict is not None:
        yield dg.AssetCheckResult(
            asset_key=request.asset, check_name=LEARNED, passed=verdict.passed, description=verdict.description,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"version": version, "observed": verdict.observed, "bound": verdict.bound,
                      "path": dg.MetadataValue.path(store.url(path))})
        if not verdict.passed:
            raise dg.Failure(f"{request.asset} {version} did not learn ({verdict.description}): it is not the current "
                             f"version or a candidate; kept at {path} for inspection")
    store.set_current(request.asset, version, {"path": path, "inputs": request.inputs})
    candidate = _register_candidate(store, ModelRef(request.asset, version), context.run_id)
    metrics = [json.loads(line) for line in Path(path, METRICS).read_text().splitlines() if line]
    evaluated = evaluate(path) if evaluate else {}
    yield dg.MaterializeResult(data_version=dg.DataVersion(version), metadata={
        **summary_metadata(reported),
        **{f"input_{name}": value for name, value in request.inputs.items()},
        "reused": reused,
        "registry": candidate,
        "loss_curve": _loss_curve(metrics, request.asset, objective.plotted_metrics),
        "path": dg.MetadataValue.path(store.url(path)),
        **(metadata or {}),
        **evaluated,
    })


def learned_spec(asset: str, objective: str) -> dg.AssetCheckSpec:
    """The blocking `learned` check of a model asset trained with `objective`, described by that
    objective's criterion (`learning_check.CRITERIA`)."""
    return dg.AssetCheckSpec(
        LEARNED, asset=asset, blocking=True,
        description=f"The run learned: {CRITERIA[objective].describe()}. Blocking: a model that fails never "
                    "becomes current or a registry candidate.")


def summary_metadata(summary: dict) -> dict:
    """The run summary as UI metadata, numbers in readable units so they plot across versions: MFU
    in percent, the device peak in TFLOP/s, throughput and memory to one decimal."""
    units = {"mfu": ("mfu_percent", 100.0, 2), "peak_flops_per_rank": ("peak_tflops_per_rank", 1e-12, 3),
             "tokens_per_s": ("tokens_per_s", 1.0, 1), "peak_memory_mb_rank0": ("peak_memory_mb_rank0", 1.0, 1)}
    shown = {}
    for key, value in summary.items():
        if value is None:
            continue
        name, scale, digits = units.get(key, (key, 1.0, 4))
        shown[name] = round(value * scale, digits) if isinstance(value, float) else value
    return shown


@contextlib.contextmanager
def _exclusive(lock_path: Path, context, version: str) -> Iterator[None]:
    """An exclusive lock on one model version's run (an fcntl lock: the OS releases it when its
    holder dies, so a killed run never blocks the next)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            context.log.info(f"Another run is training version {version}; waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _register_candidate(store, ref: ModelRef, run_id: str) -> str:
    """A new version of a served model family becomes its `candidate`; what users get (`production`)
    moves only through the promotion gate or `flywheel models promote`."""
    family = family_of(ref.model)
    if family is None:
        return "not a registry family"
    registry = ModelRegistry(store, family)
    if ref not in (registry.alias("candidate"), registry.alias("production")):
        registry.set_alias("candidate", ref, action="register", reason="trained", run_id=run_id)
    return f"{family} candidate {ref}" if registry.alias("candidate") == ref else f"{family} production {ref}"


def _run(context, storage: StorageResource, pipes: dg.PipesSubprocessClient, request: TrainingRequest,
         version: str) -> Path:
    """Launch (or resume) the run; returns its export folder."""
    run_dir = Path(storage.checkpoints_dir) / request.asset / version
    export_dir = run_dir / "export"
    shutil.rmtree(export_dir, ignore_errors=True)  # a partial export of a killed run
    run_dir.mkdir(parents=True, exist_ok=True)
    data = dict(request.data)
    for name, rows in request.data_files.items():
        data[f"{name}_path"] = str(write_jsonl(rows, run_dir / "data" / f"{name}.jsonl"))
    spec = TrainingSpec(
        objective=request.objective, version=version, tokenizer_path=request.tokenizer_path,
        init_model_path=request.init_model_path, preset=request.preset,
        sequence_length=request.sequence_length, data=data, checkpoint_dir=str(run_dir / "checkpoints"),
        export_dir=str(export_dir), metrics_path=str(run_dir / METRICS), settings=request.settings,
        options=request.options,
        record={"asset": request.asset, "version": version, "objective": request.objective,
                "inputs": request.inputs, "preset": request.preset, "sequence_length": request.sequence_length,
                "settings": request.settings.model_dump(), "options": request.options})
    command, env = launch_command(str(spec.save(run_dir / "spec.json")), request.settings.engine)
    context.log.info(f"Training {request.asset} {version}: {' '.join(command)}")
    # Rank 0 reports the run's metrics as this materialization; the summary file it also writes
    # serves reruns that reuse the version, so both paths build the same metadata from it.
    pipes_for_ranks(pipes, request.settings.engine, run_dir).run(
        context=context, command=command, env=env).get_materialize_result()
    shutil.copy(run_dir / METRICS, export_dir / METRICS)
    return export_dir


def _loss_curve(metrics: list[dict], title: str, plotted_metrics: tuple[str, ...]) -> dg.MarkdownMetadataValue:
    accuracy = [(key, [(m["step"], m[key]) for m in metrics if key in m]) for key in plotted_metrics]
    accuracy = [(key, points) for key, points in accuracy if points]
    fig = plots.figure()
    axes = fig.add_subplot(1, 2 if accuracy else 1, 1)
    for key, label in (("loss", "train loss"), ("val_loss", "validation loss")):
        points = [(m["step"], m[key]) for m in metrics if key in m]
        if points:
            axes.plot(*zip(*points), marker="o" if key == "val_loss" else None, markersize=3, label=label)
    axes.set_xlabel("step")
    axes.set_ylabel("loss")
    axes.set_title(title)
    axes.legend(fontsize=8)
    if accuracy:
        right = fig.add_subplot(1, 2, 2)
        for key, points in accuracy:
            right.plot(*zip(*points), marker="o", markersize=3, label=f"held-out {key}")
        right.axhline(0.5, color="grey", linestyle=":", linewidth=1)
        right.set_xlabel("step")
        right.set_ylim(0.0, 1.0)
        right.set_title("held-out metrics")
        right.legend(fontsize=8)
    return plots.as_markdown(fig)
