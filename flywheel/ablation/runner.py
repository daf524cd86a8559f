"""The ablation's runs in one process: `python -m flywheel.ablation.runner PLAN.json`.

Each run trains through the one training core (`flywheel.training.loop.train`, DeepSpeed engine,
checkpoints, export) and its exported model is then scored on every held-out set; its result file
is written atomically, so a killed ablation resumes at the first run without one. One process
for all runs pays the torch/transformers/DeepSpeed imports once instead of once per run.

Launched like a training run (`launch_command`): several ranks train together and rank 0 scores.
Progress goes to Dagster through Pipes when launched by the asset.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from flywheel.atomic_files import write_text_atomically


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m flywheel.ablation.runner PLAN.json")
    from flywheel.ablation.plan import AblationPlan
    from flywheel.training.run import single_process_defaults

    single_process_defaults()

    run_plan(AblationPlan.load(args[0]), rank=int(os.environ["RANK"]))


def run_plan(plan, rank: int) -> None:
    import torch.distributed as dist
    from transformers import AutoTokenizer

    from flywheel.training.loop import train
    from flywheel.training.spec import TrainingSpec

    pipes = _open_pipes() if rank == 0 else None
    tokenizer = AutoTokenizer.from_pretrained(plan.tokenizer_path)
    heldout = {name: ([_ids(tokenizer, text) for _, text in docs], [len(text.encode("utf-8")) for _, text in docs])
               for name, docs in plan.heldout.items()}
    try:
        for number, run in enumerate(plan.runs, start=1):
            label = f"run {number}/{len(plan.runs)}: {run.stage}, seed {run.seed}"
            if Path(run.result_path).exists():
                _log(pipes, f"{label}: already trained and scored")
                continue
            spec = TrainingSpec.load(run.spec_path)
            summary = train(spec)
            if rank == 0:
                result = {"stage": run.stage, "seed": run.seed, "summary": summary,
                          "heldout": _score(spec, heldout, tokenizer.eos_token_id)}
                write_text_atomically(Path(run.result_path), json.dumps(result))
                # The result is what is kept; the model was only a means to it.
                shutil.rmtree(spec.checkpoint_dir, ignore_errors=True)
                shutil.rmtree(spec.export_dir, ignore_errors=True)
                bpb = ", ".join(f"{name} {sum(r['bits']) / sum(r['bytes']):.4f}"
                                for name, r in result["heldout"].items())
                _log(pipes, f"{label}: {summary['tokens_seen']} tokens, bits per byte {bpb}")
            dist.barrier()
    finally:
        if pipes is not None:
            pipes.close()


def _score(spec, heldout: dict, eos_id: int) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    from flywheel.ablation.bits_per_byte import document_bits

    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = AutoModelForCausalLM.from_pretrained(spec.export_dir, dtype=torch.float32).to(device).eval()
    return {name: {"bits": document_bits(model, ids, spec.sequence_length, eos_id), "bytes": sizes}
            for name, (ids, sizes) in heldout.items()}


def _ids(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False)["input_ids"]


def _open_pipes():
    """This process's Pipes connection, if launched by Dagster. The runs' own reporters then
    write to stderr (the step's log): one process opens Pipes once."""
    from dagster_pipes import DAGSTER_PIPES_CONTEXT_ENV_VAR, open_dagster_pipes

    if DAGSTER_PIPES_CONTEXT_ENV_VAR not in os.environ:
        return None
    pipes = open_dagster_pipes()
    del os.environ[DAGSTER_PIPES_CONTEXT_ENV_VAR]
    return pipes


def _log(pipes, message: str) -> None:
    if pipes is not None:
        pipes.log.info(message)
    print(message, file=sys.stderr, flush=True)



if __name__ == "__main__":
    main()
