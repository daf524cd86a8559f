"""The training core on a CUDA GPU in bf16: pretraining, SFT, the reward model and DPO chained as
the assets chain them, each through the real `flywheel.training.run` process that assets launch,
under a different ZeRO stage each. Skipped where no GPU is visible (CI and laptops); run it on a
GPU machine with `python -m pytest tests/gpu` (needs only the training dependencies, not Dagster).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from pathlib import Path

import pytest
import torch

from flywheel.bundled import BUNDLED_INSTRUCTIONS
from flywheel.bundled import REFERENCE_PROSE as REFERENCE
from flywheel.bundled import SAMPLE_FEEDBACK as FEEDBACK
from flywheel.feedback.events import InvalidEvent, parse_event
from flywheel.feedback.pairs import build_pairs
from flywheel.training.export import SUMMARY
from flywheel.training.instructions import load_instructions, write_jsonl
from flywheel.training.launch import launch_command
from flywheel.training.packing import PackingSettings, pack_documents
from flywheel.training.settings import EngineSettings, TrainingSettings
from flywheel.training.spec import TrainingSpec
from flywheel.training.tokenizer import END_OF_TEXT, TokenizerSettings, train_tokenizer

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]

SEQUENCE_LENGTH = 256


def _settings(zero_stage: int, **loop) -> TrainingSettings:
    return TrainingSettings(**{"micro_batch_size": 16, "warmup_steps": 10, "log_every": 10, "eval_every": 20,
                               "checkpoint_every": 1000, "eval_batches": 8, **loop},
                            engine=EngineSettings(precision="bf16", zero_stage=zero_stage))


def _train(workdir: Path, name: str, objective: str, tokenizer: Path, data: dict, settings: TrainingSettings,
           init_model: Path | None = None, preset: str = "small") -> tuple[Path, dict]:
    """Run one objective as an asset would and return (export folder, reported summary)."""
    run = workdir / name
    run.mkdir()
    for split in ("train", "validation"):
        if split in data:
            data[f"{split}_path"] = str(write_jsonl(data.pop(split), run / f"{split}.jsonl"))
    spec = TrainingSpec(objective=objective, version=name, tokenizer_path=str(init_model or tokenizer),
                        init_model_path=str(init_model) if init_model else None, preset=preset,
                        sequence_length=SEQUENCE_LENGTH, data=data, checkpoint_dir=str(run / "checkpoints"),
                        export_dir=str(run / "export"), metrics_path=str(run / "metrics.jsonl"), settings=settings)
    command, env = launch_command(str(spec.save(run / "spec.json")), settings.engine)
    environment = {k: v for k, v in os.environ.items() if k != "DS_ACCELERATOR"}  # the Makefile pins cpu
    subprocess.run(command, env={**environment, **env}, check=True)
    return run / "export", json.loads((run / "export" / SUMMARY).read_text())


@pytest.fixture(scope="module")
def chain(tmp_path_factory) -> dict[str, dict]:
    """Summaries of pretrain (ZeRO-1) -> SFT (ZeRO-2) -> reward model (ZeRO-2) and DPO (ZeRO-3)."""
    workdir = tmp_path_factory.mktemp("gpu")
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as handle:
        docs = [(row["id"], row["text"]) for row in map(json.loads, handle)]
    tokenizer_dir = workdir / "tokenizer"
    tokenizer = train_tokenizer((text for _, text in docs), TokenizerSettings(), tokenizer_dir)
    pack_documents(docs, str(tokenizer_dir / "tokenizer.json"), tokenizer.convert_tokens_to_ids(END_OF_TEXT),
                   PackingSettings(SEQUENCE_LENGTH, 0.05, 8192), workdir / "corpus", {"tokenizer_version": "gpu"})
    summaries = {}
    base, summaries["pretrain"] = _train(workdir, "pretrain", "pretrain", tokenizer_dir,
                                         {"corpus_dir": str(workdir / "corpus")},
                                         _settings(1, max_steps=150, learning_rate=1e-3, min_learning_rate=1e-4))
    instructions = load_instructions([str(BUNDLED_INSTRUCTIONS)], 0.1)
    sft, summaries["sft"] = _train(workdir, "sft", "sft", tokenizer_dir,
                                   {"train": instructions.train, "validation": instructions.validation},
                                   _settings(2, max_steps=60, learning_rate=2e-4, min_learning_rate=2e-5), base)
    events = []
    for line in FEEDBACK.read_text(encoding="utf-8").splitlines():
        try:
            events.append(parse_event(line))
        except InvalidEvent:
            pass  # the sample's deliberately invalid lines
    pairs = build_pairs(events, held_out_fraction=0.15)
    preference_data = {"train": pairs.train, "validation": pairs.held_out}
    _, summaries["reward"] = _train(workdir, "reward", "reward", tokenizer_dir, dict(preference_data),
                                    _settings(2, max_steps=60, learning_rate=1e-4, min_learning_rate=1e-5), sft)
    _, summaries["dpo"] = _train(workdir, "dpo", "dpo", tokenizer_dir, dict(preference_data),
                                 _settings(3, max_steps=40, micro_batch_size=8, eval_batches=16,
                                           learning_rate=5e-5, min_learning_rate=5e-6), sft)
    print(json.dumps(summaries, indent=1))  # the numbers a GPU run is judged by, in the -s output
    return summaries


def test_every_stage_ran_in_bf16_on_the_gpu(chain):
    for summary in chain.values():
        assert summary["precision"] == "bf16"
        assert 0 < summary["peak_memory_mb_rank0"] < torch.cuda.get_device_properties(0).total_memory / 2**20
        assert 0 < summary["mfu"] <= 1


def test_pretraining_and_fine_tuning_lower_held_out_loss(chain):
    assert chain["pretrain"]["val_loss"] < chain["pretrain"]["initial_val_loss"] - 2.0
    assert chain["sft"]["val_loss"] < chain["sft"]["initial_val_loss"]


def test_preference_models_learn_the_held_out_pairs(chain):
    # ~120 held-out pairs: a chance ranker scores 0.5 +- 0.045, so 0.65 is over 3 sigma above it.
    assert chain["reward"]["val_accuracy"] >= 0.65
    # The reference runs in the policy's bf16, so they start level: what margin there is at step 0
    # is kernel rounding (different weight layouts under ZeRO-3), far below the learned margin.
    assert abs(chain["dpo"]["initial_rewards/margins"]) < 0.01 < chain["dpo"]["rewards/margins"]
    assert chain["dpo"]["rewards/accuracies"] > 0.6 and chain["dpo"]["kl_to_reference"] > 0
