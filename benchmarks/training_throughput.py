"""Training throughput: Flywheel's DeepSpeed path vs a plain PyTorch loop, in one run.

Both train the same model (a preset, built from config) on the same packed sequences with the
same micro-batch, AdamW and learning-rate schedule. The plain loop is nanoGPT's: forward,
backward, clip, step. The DeepSpeed side is the real `flywheel.training.run` process that assets
launch (ZeRO-1 by default), so its numbers include everything a run pays per step; evaluation
and checkpoints are kept out of both timings. Then world size 2 with ZeRO 0/1/2/3: tokens/s and
rank 0's peak memory (RSS on CPU). MFU is against the matmul peak measured in the same run.

    .venv/bin/python benchmarks/training_throughput.py [--steps 40] [--preset tiny]
"""

from __future__ import annotations

import argparse
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

from flywheel.home import REPO_ROOT  # noqa: E402
from flywheel.training.datasets import EpochOrder, PackedSequences  # noqa: E402
from flywheel.training.export import SUMMARY  # noqa: E402
from flywheel.training.flops import flops_per_token, measured_matmul_flops  # noqa: E402
from flywheel.training.launch import launch_command  # noqa: E402
from flywheel.training.packing import PackingSettings, pack_documents  # noqa: E402
from flywheel.training.presets import model_config  # noqa: E402
from flywheel.training.schedule import learning_rate  # noqa: E402
from flywheel.training.settings import EngineSettings, TrainingSettings  # noqa: E402
from flywheel.training.spec import TrainingSpec  # noqa: E402
from flywheel.training.tokenizer import END_OF_TEXT, TokenizerSettings, train_tokenizer  # noqa: E402

REFERENCE = REPO_ROOT / "sample_data" / "reference" / "documentation-prose.jsonl.gz"


def build_corpus(workdir: Path, sequence_length: int) -> tuple[Path, Path]:
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as handle:
        docs = [(row["id"], row["text"]) for row in map(json.loads, handle)]
    tokenizer = train_tokenizer((text for _, text in docs), TokenizerSettings(), workdir / "tokenizer")
    pack_documents(docs, str(workdir / "tokenizer" / "tokenizer.json"), tokenizer.convert_tokens_to_ids(END_OF_TEXT),
                   PackingSettings(sequence_length, 0.05, 8192), workdir / "corpus", {"tokenizer_version": "bench"})
    return workdir / "tokenizer", workdir / "corpus"


def plain_pytorch(corpus: Path, preset: str, settings: TrainingSettings, sequence_length: int) -> float:
    """Tokens/s of nanoGPT's loop on the same data, model and batch."""
    from transformers import LlamaForCausalLM

    torch.manual_seed(settings.seed)
    data = PackedSequences(str(corpus), "train")
    model = LlamaForCausalLM(model_config(preset, 8192, sequence_length, 1, 0, 0))
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate, betas=(settings.beta1, settings.beta2))
    order = EpochOrder(len(data), settings.micro_batch_size, 1, 1, settings.seed)
    seconds, tokens = 0.0, 0
    for step in range(settings.max_steps):
        started = time.perf_counter()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, settings.learning_rate, settings.min_learning_rate,
                                        settings.warmup_steps, settings.max_steps)
        batch = data.batch(order.indices(step, 0, 0))
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        float(loss)
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        tokenizer, corpus = build_corpus(workdir, args.sequence_length)

        def settings(**engine) -> TrainingSettings:
            # One evaluation and one checkpoint, both at the end and outside the timed steps.
            return TrainingSettings(max_steps=args.steps, eval_every=args.steps, checkpoint_every=args.steps,
                                    log_every=args.steps, eval_batches=1, engine=EngineSettings(**engine))

        peak = measured_matmul_flops(torch.device("cpu"), torch.float32)
        plain = plain_pytorch(corpus, args.preset, settings(), args.sequence_length)
        single = deepspeed_run(workdir, "ws1-zero1", tokenizer, corpus, args.preset, settings(), args.sequence_length)
        config = model_config(args.preset, 8192, args.sequence_length, 1, 0, 0)
        per_token = flops_per_token(single["parameters"], config.num_hidden_layers, config.hidden_size,
                                    args.sequence_length)
        print(f"model: preset {args.preset}, {single['parameters'] / 1e6:.2f}M parameters, micro-batch 8 x "
              f"{args.sequence_length} tokens, {args.steps} steps, fp32 on CPU; matmul peak {peak / 1e9:.1f} GFLOP/s")
        print(f"plain PyTorch loop         {plain:8.0f} tokens/s  MFU {per_token * plain / peak:6.1%}")
        print(f"DeepSpeed ZeRO-1, 1 rank   {single['tokens_per_s']:8.0f} tokens/s  MFU "
              f"{single['mfu']:6.1%}  overhead {1 - single['tokens_per_s'] / plain:+.1%} "
              f"(target <= 15%)")
        for stage in (0, 1, 2, 3):
            summary = deepspeed_run(workdir, f"ws2-zero{stage}", tokenizer, corpus, args.preset,
                                    settings(world_size=2, zero_stage=stage), args.sequence_length)
            # MFU as the run reports it: against each rank's own measured peak (on a CPU the ranks
            # split the cores, so each rank's peak is its share of the machine's).
            print(f"DeepSpeed ZeRO-{stage}, 2 ranks  {summary['tokens_per_s']:8.0f} tokens/s  MFU "
                  f"{summary['mfu']:6.1%}  rank-0 peak RSS "
                  f"{summary['peak_memory_mb_rank0']:.0f} MB  ({summary['tokens_per_s'] / plain:.2f}x plain)")


if __name__ == "__main__":
    main()
