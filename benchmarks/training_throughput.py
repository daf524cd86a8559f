"""Training throughput: Flywheel's DeepSpeed path vs a plain PyTorch loop, in one run.

Both train the same model (a preset, built from config) on the same packed sequences with the
same micro-batch, AdamW and learning-rate schedule. The plain loop is nanoGPT's: forward,
backward, clip, step. The DeepSpeed side is the real `flywheel.training.run` process that assets
launch (ZeRO-1 by default), so its numbers include everything a run pays per step; evaluation
and checkpoints are kept out of both timings. Then ZeRO 0/1/2/3 on several ranks (2 CPU processes,
or one per visible GPU): tokens/s and rank 0's peak memory (RSS on CPU, allocated memory on a GPU).
MFU is against the matmul peak measured in the same run. On CPU both train in fp32; on a GPU in
bf16 (the plain loop with autocast over fp32 weights, DeepSpeed with bf16 weights and fp32 master
weights in the optimizer).

    .venv/bin/python benchmarks/training_throughput.py [--steps 40] [--preset tiny]
    python benchmarks/training_throughput.py --device cuda --preset small --micro-batch 32
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402

from flywheel.bundled import REFERENCE_PROSE  # noqa: E402
from flywheel.training.datasets import EpochOrder, PackedSequences  # noqa: E402
from flywheel.training.export import SUMMARY  # noqa: E402
from flywheel.training.flops import flops_per_token, machine_peak, mfu  # noqa: E402
from flywheel.training.launch import launch_command  # noqa: E402
from flywheel.training.packing import PackingSettings, pack_documents  # noqa: E402
from flywheel.training.presets import model_config  # noqa: E402
from flywheel.training.schedule import learning_rate  # noqa: E402
from flywheel.training.settings import EngineSettings, TrainingSettings, precision_dtype  # noqa: E402
from flywheel.training.spec import TrainingSpec  # noqa: E402
from flywheel.training.tokenizer import END_OF_TEXT, TokenizerSettings, train_tokenizer  # noqa: E402


def build_corpus(workdir: Path, sequence_length: int) -> tuple[Path, Path]:
    with gzip.open(REFERENCE_PROSE, "rt", encoding="utf-8") as handle:
        docs = [(row["id"], row["text"]) for row in map(json.loads, handle)]
    tokenizer = train_tokenizer((text for _, text in docs), TokenizerSettings(), workdir / "tokenizer")
    pack_documents(docs, str(workdir / "tokenizer" / "tokenizer.json"), tokenizer.convert_tokens_to_ids(END_OF_TEXT),
                   PackingSettings(sequence_length, 0.05, 8192), workdir / "corpus", {"tokenizer_version": "bench"})
    return workdir / "tokenizer", workdir / "corpus"


def plain_pytorch(corpus: Path, preset: str, settings: TrainingSettings, sequence_length: int,
                  device: torch.device) -> float:
    """Tokens/s of nanoGPT's loop on the same data, model and batch."""
    from transformers import LlamaForCausalLM

    torch.manual_seed(settings.seed)
    data = PackedSequences(str(corpus), "train")
    model = LlamaForCausalLM(model_config(preset, 8192, sequence_length, 1, 0, 0)).to(device)
    precision = settings.engine.precision
    autocast = (torch.autocast(device.type, dtype=precision_dtype(precision)) if precision != "fp32"
                else contextlib.nullcontext())
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate, betas=(settings.beta1, settings.beta2),
                                  fused=device.type == "cuda")
    order = EpochOrder(len(data), settings.micro_batch_size, 1, 1, settings.seed)
    seconds, tokens = 0.0, 0
    for step in range(settings.max_steps):
        started = time.perf_counter()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, settings.learning_rate, settings.min_learning_rate,
                                        settings.warmup_steps, settings.max_steps)
        batch = {k: v.to(device) for k, v in data.batch(order.indices(step, 0, 0)).items()}
        with autocast:
            loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        float(loss.detach())  # waits for the step, as the DeepSpeed loop does
        seconds += time.perf_counter() - started
        tokens += batch["input_ids"].numel()
    return tokens / seconds


def deepspeed_run(workdir: Path, name: str, tokenizer: Path, corpus: Path, preset: str,
                  settings: TrainingSettings, sequence_length: int) -> dict:
    run = workdir / name
    spec = TrainingSpec(objective="pretrain", version=name, tokenizer_path=str(tokenizer), preset=preset,
                        sequence_length=sequence_length, data={"corpus_dir": str(corpus)},
                        checkpoint_dir=str(run / "checkpoints"), export_dir=str(run / "export"),
                        metrics_path=str(run / "metrics.jsonl"), settings=settings)
    run.mkdir(parents=True)
    command, env = launch_command(str(spec.save(run / "spec.json")), settings.engine)
    subprocess.run(command, env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return json.loads((run / "export" / SUMMARY).read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--preset", default="tiny")
    parser.add_argument("--sequence-length", type=int, default=256)
    parser.add_argument("--micro-batch", type=int, default=8)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    precision = "bf16" if device.type == "cuda" else "fp32"
    ranks = torch.cuda.device_count() if device.type == "cuda" else 2
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        tokenizer, corpus = build_corpus(workdir, args.sequence_length)

        def settings(**engine) -> TrainingSettings:
            # One evaluation and one checkpoint, both at the end and outside the timed steps.
            return TrainingSettings(max_steps=args.steps, eval_every=args.steps, checkpoint_every=args.steps,
                                    log_every=args.steps, eval_batches=1, micro_batch_size=args.micro_batch,
                                    engine=EngineSettings(precision=precision, **engine))

        def run(name: str, **engine) -> dict:
            return deepspeed_run(workdir, name, tokenizer, corpus, args.preset, settings(**engine),
                                 args.sequence_length)

        # One peak for every line of the table: the machine's best (cached, see flops.py), so two
        # runs at equal tokens/s show equal MFU.
        peak = machine_peak(device, precision_dtype(precision))
        plain = plain_pytorch(corpus, args.preset, settings(), args.sequence_length, device)
        single = run("ws1-zero1")
        config = model_config(args.preset, 8192, args.sequence_length, 1, 0, 0)
        per_token = flops_per_token(single["parameters"], config.num_hidden_layers, config.hidden_size,
                                    args.sequence_length)
        print(f"model: preset {args.preset}, {single['parameters'] / 1e6:.2f}M parameters, micro-batch "
              f"{args.micro_batch} x {args.sequence_length} tokens, {args.steps} steps, {precision} on "
              f"{torch.cuda.get_device_name() if device.type == 'cuda' else 'CPU'}; "
              f"matmul peak {peak / 1e12:.3g} TFLOP/s")
        print(f"plain PyTorch loop         {plain:9.0f} tokens/s  MFU {mfu(per_token * plain, peak):6.1%}")
        print(f"DeepSpeed ZeRO-1, 1 rank   {single['tokens_per_s']:9.0f} tokens/s  MFU "
              f"{mfu(per_token * single['tokens_per_s'], peak):6.1%}  overhead "
              f"{1 - single['tokens_per_s'] / plain:+.1%} (target <= 15%)")
        memory = "allocated" if device.type == "cuda" else "RSS"
        for stage in (0, 1, 2, 3):
            summary = run(f"zero{stage}-{ranks}-ranks", world_size=ranks, zero_stage=stage)
            # Against the same peak: on a CPU the ranks split the cores it was measured on; GPUs add up.
            devices_peak = peak * (ranks if device.type == "cuda" else 1)
            run_mfu = mfu(per_token * summary["tokens_per_s"], devices_peak)
            print(f"DeepSpeed ZeRO-{stage}, {ranks} rank{'s' if ranks > 1 else ' '}  "
                  f"{summary['tokens_per_s']:9.0f} tokens/s  MFU {run_mfu:6.1%}"
                  f"  rank-0 peak {memory} "
                  f"{summary['peak_memory_mb_rank0']:.0f} MB  ({summary['tokens_per_s'] / plain:.2f}x plain)")


if __name__ == "__main__":
    main()
