"""The training loop every objective shares (nanoGPT's shape, on a DeepSpeed engine): build the
engine, resume from the newest checkpoint, step with gradient accumulation under a warmup+cosine
learning rate, report metrics, evaluate, checkpoint, and export the final model.

Runs once per rank (see run.py); rank 0 alone reports and exports.
"""

from __future__ import annotations

import json
import math
import resource
import time
from pathlib import Path

import torch
import torch.distributed as dist

from flywheel.training import checkpoints
from flywheel.training.datasets import EpochOrder
from flywheel.training.deepspeed_config import deepspeed_config
from flywheel.training.export import SUMMARY, export_model
from flywheel.training.flops import flops_per_token, machine_peak, mfu
from flywheel.training.objectives import objective_for
from flywheel.training.reporter import Reporter
from flywheel.training.schedule import learning_rate
from flywheel.training.settings import TrainingSettings, precision_dtype
from flywheel.training.spec import TrainingSpec
from flywheel.training.tokenizer import load_tokenizer


def train(spec: TrainingSpec) -> dict:
    import deepspeed

    skip_inference_comm_op()
    deepspeed.init_distributed(verbose=False)
    rank, world = dist.get_rank(), dist.get_world_size()
    reporter = Reporter(spec.metrics_path, enabled=rank == 0)
    try:
        return _train(spec, rank, world, reporter)
    finally:
        reporter.close()


def skip_inference_comm_op() -> None:
    """Keep DeepSpeed from compiling its CPU shared-memory all-reduce op when it starts its comm
    backend: g++ takes 20-60 s for it, again whenever another environment wrote the build cache,
    and only inference's tensor-parallel layers call it (`inference_all_reduce`); training reduces
    through torch.distributed (gloo on CPU). Marking it incompatible is DeepSpeed's own way to skip it."""
    import deepspeed.ops
    from deepspeed.accelerator import get_accelerator

    builder = get_accelerator().create_op_builder("ShareMemCommBuilder")
    if builder is not None:
        deepspeed.ops.__compatible_ops__[builder.NAME] = False


def _train(spec: TrainingSpec, rank: int, world: int, reporter: Reporter) -> dict:
    s = spec.settings
    torch.manual_seed(s.seed)
    tokenizer = load_tokenizer(spec.tokenizer_path)
    objective = objective_for(spec, tokenizer)
    engine, schedule, parameters = _build_engine(objective, s)
    checkpoint_dir = Path(spec.checkpoint_dir)
    step, tokens_seen, first_eval = _resume(engine, checkpoint_dir, reporter)
    resumed_from = step
    reporter.log(f"{spec.objective}: {parameters / 1e6:.2f}M parameters, {len(objective.train)} training "
                 f"examples, world size {world}, ZeRO-{s.engine.zero_stage}, {s.engine.precision}, "
                 + (f"resumed from step {resumed_from}" if resumed_from else "fresh start"))
    peak = s.engine.peak_flops_per_rank or _peak_flops(engine.device, s.engine.precision, rank)
    config = engine.module.config
    flops_token = flops_per_token(parameters, config.num_hidden_layers, config.hidden_size, spec.sequence_length)
    order = EpochOrder(len(objective.train), s.micro_batch_size, s.gradient_accumulation_steps, world, s.seed)
    validation = _fixed_batches(objective.validation, s.micro_batch_size, s.eval_batches, rank, world)
    last_eval = None
    if step == 0:
        first_eval = last_eval = _evaluate(engine, objective, validation, reporter, step)
    window = ThroughputWindow(engine.device)
    run_tokens, run_seconds, steps_this_run = 0, 0.0, 0
    while step < s.max_steps:
        window.seconds += _optimizer_step(engine, objective, order, step, rank, s.gradient_accumulation_steps, window)
        step += 1
        steps_this_run += 1
        checkpoint_due = step % s.checkpoint_every == 0 or step == s.max_steps
        # Also at every checkpoint: it stores the tokens seen, so the window must be counted in
        # them, and a run resumed there starts its first window where an uninterrupted run's starts.
        if step % s.log_every == 0 or checkpoint_due:
            loss, tokens, seconds = window.reduce()
            tokens_seen += tokens
            run_tokens, run_seconds = run_tokens + tokens, run_seconds + seconds
            reporter.metrics(step, {"loss": loss, "lr": schedule.get_last_lr()[0], "tokens_per_s": tokens / seconds,
                                    "mfu": mfu(flops_token * tokens / seconds, peak * world),
                                    "epoch": order.epoch_of(step)})
        if step % s.eval_every == 0 or step == s.max_steps:
            last_eval = _evaluate(engine, objective, validation, reporter, step)
        if checkpoint_due:
            _save_checkpoint(engine, checkpoint_dir, step, tokens_seen, first_eval, rank, s.keep_checkpoints)

    if last_eval is None:  # resumed from the last step's checkpoint: nothing evaluated yet
        last_eval = _evaluate(engine, objective, validation, reporter, step)
    train_eval = {}
    if objective.evaluates_train_split:
        train_sample = _fixed_batches(objective.train, s.micro_batch_size, s.eval_batches, rank, world)
        train_eval = _evaluate(engine, objective, train_sample, reporter, step, split="train")
    export_model(engine, tokenizer, Path(spec.export_dir), rank, spec.record)
    tokens_per_s = run_tokens / run_seconds if run_seconds else 0.0
    summary = {
        "objective": spec.objective, "version": spec.version, "parameters": parameters,
        "steps": step, "steps_this_run": steps_this_run, "resumed_from_step": resumed_from,
        "tokens_seen": tokens_seen, "train_loss": window.last_loss,
        **{f"initial_{k}": v for k, v in (first_eval or {}).items()}, **(last_eval or {}), **train_eval,
        "tokens_per_s": tokens_per_s, "mfu": mfu(flops_token * tokens_per_s, peak * world),
        "peak_flops_per_rank": peak, "world_size": world, "zero_stage": s.engine.zero_stage,
        "precision": s.engine.precision, "peak_memory_mb_rank0": _peak_memory_mb(engine.device),
    }
    summary = {k: round(v, 4) if isinstance(v, float) else v for k, v in summary.items()}
    if rank == 0:
        (Path(spec.export_dir) / SUMMARY).write_text(json.dumps(summary, indent=2))
        reporter.finish(summary)
    dist.barrier()
    return summary


def _build_engine(objective, s: TrainingSettings):
    """(DeepSpeed engine, learning-rate schedule, parameter count) for the objective's model."""
    import deepspeed
    from deepspeed.accelerator import get_accelerator

    model = objective.build_model()
    if s.engine.activation_checkpointing:
        model.config.use_cache = False
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    parameters = sum(p.numel() for p in model.parameters())
    # One fused kernel per step on a GPU (as nanoGPT); ZeRO-Offload steps on the CPU instead.
    fused = get_accelerator().device_name() == "cuda" and not s.engine.offload_optimizer
    optimizer = torch.optim.AdamW(_parameter_groups(model, s.weight_decay), lr=s.learning_rate,
                                  betas=(s.beta1, s.beta2), fused=fused)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: learning_rate(
        step, s.learning_rate, s.min_learning_rate, s.warmup_steps, s.max_steps) / s.learning_rate)
    engine, _, _, schedule = deepspeed.initialize(model=model, optimizer=optimizer, lr_scheduler=schedule,
                                                  config=deepspeed_config(s))
    return engine, schedule, parameters


def _optimizer_step(engine, objective, order: EpochOrder, step: int, rank: int, accumulation: int,
                    window: ThroughputWindow) -> float:
    """One optimizer step over its accumulated micro-batches; returns the seconds it took
    (throughput excludes evaluation and checkpointing)."""
    from deepspeed.accelerator import get_accelerator

    engine.train()
    started = time.perf_counter()
    for micro_step in range(accumulation):
        batch = objective.train.batch(order.indices(step, micro_step, rank))
        loss = objective.loss(engine, _to(engine.device, batch))
        engine.backward(loss)
        engine.step()
        window.add_batch(loss, _input_tokens(batch))
    get_accelerator().synchronize()  # time the step's work, not just its launch
    return time.perf_counter() - started


class ThroughputWindow:
    """Loss, tokens and seconds since the last report. The loss is summed on the device, so a GPU
    is not made to wait for Python every micro-batch; `reduce` adds the window over ranks."""

    def __init__(self, device) -> None:
        self.device = device
        self.loss = torch.zeros(1, dtype=torch.float64, device=device)
        self.batches, self.tokens, self.seconds = 0, 0.0, 0.0
        self.last_loss = float("nan")

    def add_batch(self, loss: torch.Tensor, tokens: float) -> None:
        self.loss += loss.detach()
        self.batches += 1
        self.tokens += tokens

    def reduce(self) -> tuple[float, int, float]:
        """(mean loss, tokens of all ranks, this rank's seconds) of the window, then start a new one."""
        totals = _all_reduce_sum(torch.cat([self.loss.cpu(), torch.tensor(
            [self.batches, self.tokens], dtype=torch.float64)]), self.device)
        self.last_loss = totals[0].item() / totals[1].item()
        result = (self.last_loss, int(totals[2]), self.seconds)
        self.loss.zero_()
        self.batches, self.tokens, self.seconds = 0, 0.0, 0.0
        return result


def _save_checkpoint(engine, checkpoint_dir: Path, step: int, tokens_seen: int, first_eval: dict, rank: int,
                     keep: int) -> None:
    """The evaluation before the first step travels with every checkpoint: a resumed run reports
    it too, and its `learned` check compares against it."""
    name = checkpoints.tag(step)
    engine.save_checkpoint(str(checkpoint_dir), tag=name, save_latest=False,
                           client_state={"step": step, "tokens_seen": tokens_seen, "first_eval": first_eval})
    dist.barrier()  # every rank's shards are on disk: only now is the tag complete
    if rank == 0:
        checkpoints.mark_complete(checkpoint_dir, name)
        checkpoints.prune(checkpoint_dir, keep)


def _parameter_groups(model, weight_decay: float) -> list[dict]:
    """Decay matrices (weights of linear and embedding layers), not norms and biases (nanoGPT)."""
    params = [p for p in model.parameters() if p.requires_grad]
    return [{"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]


def _resume(engine, checkpoint_dir: Path, reporter: Reporter) -> tuple[int, int, dict]:
    """(step, tokens seen, evaluation before the first step) from the newest complete checkpoint,
    if any."""
    name = checkpoints.latest_tag(checkpoint_dir)
    if name is None:
        return 0, 0, {}
    path, client_state = engine.load_checkpoint(str(checkpoint_dir), tag=name)
    if path is None:
        raise RuntimeError(f"could not load the complete checkpoint {checkpoint_dir / name}")
    step = int(client_state["step"])
    reporter.restart_metrics_after(step)
    return step, int(client_state["tokens_seen"]), client_state.get("first_eval") or {}


def _fixed_batches(examples, micro_batch_size: int, batches: int, rank: int, world: int) -> list[dict]:
    """The same evaluation micro-batches every time (the first examples of the set), each example
    scored once: the last batch may be smaller. Ranks take disjoint slices and the same number of
    batches (ZeRO-3 gathers parameters collectively, so a rank with one batch fewer would hang the
    others); a rank whose last slice starts past the end re-scores one example instead."""
    size = len(examples)
    if size == 0:
        raise ValueError("no evaluation examples")
    count = min(batches, math.ceil(size / (micro_batch_size * world)))
    starts = ((b * world + rank) * micro_batch_size for b in range(count))
    return [examples.batch(list(range(start, min(start + micro_batch_size, size))) or [start % size])
            for start in starts]


def _evaluate(engine, objective, batches: list[dict], reporter: Reporter, step: int,
              split: str = "validation") -> dict[str, float]:
    engine.eval()
    sums = objective.evaluate(engine, [_to(engine.device, b) for b in batches])
    names = sorted(sums)
    totals = _all_reduce_sum(torch.tensor([sums[n] for n in names], dtype=torch.float64), engine.device)
    metrics = objective.summarize(dict(zip(names, totals.tolist())), split)
    reporter.metrics(step, metrics)
    return metrics


def _all_reduce_sum(values: torch.Tensor, device) -> torch.Tensor:
    tensor = values.to(device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.cpu()


def _to(device, batch: dict) -> dict:
    return {k: v.to(device) for k, v in batch.items()}


def _input_tokens(batch: dict) -> float:
    mask = batch.get("attention_mask")
    return float(mask.sum()) if mask is not None else float(batch["input_ids"].numel())


def _peak_flops(device, precision: str, rank: int) -> float:
    """The matmul peak of one rank's device, measured on rank 0 while the others wait."""
    dtype = precision_dtype(precision)
    value = torch.zeros(1, dtype=torch.float64)
    if rank == 0:
        value[0] = machine_peak(device, dtype)
    return float(_all_reduce_sum(value, device)[0])


def _peak_memory_mb(device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


