"""Tokenizer, pretraining corpus, pretrained_model and sft_model materialized through Dagster on
real text with the `tiny` preset: real DeepSpeed engines in processes launched through Pipes."""

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import dagster as dg
import psutil
import pytest
import torch

from flywheel.training.export import RECORD
from flywheel.training.launch import launch_command
from flywheel.training.spec import TrainingSpec
from tests.integration.conftest import materialization_metadata
from tests.integration.training_fixtures import PRETRAIN_CONFIG, SFT_CONFIG, read_json, run_config

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(retrained):
    """(home, definitions, instance, result) of the shared `retraining` run; these tests may change
    its home (the feedback chain starts from a copy taken before)."""
    return retrained[:4]


def _path(metadata: dict) -> Path:
    return Path(metadata["path"].removeprefix("file://"))


def test_tokenizer_and_corpus_describe_what_they_hold(trained):
    _, _, _, result = trained
    tokenizer = materialization_metadata(result, "tokenizer")
    corpus = materialization_metadata(result, "pretraining_corpus")
    assert tokenizer["vocab_size"] == 8192 and tokenizer["documents"] == 244
    assert 2.5 < tokenizer["characters_per_token"] < 6
    assert corpus["tokenizer_version"] == tokenizer["version"]
    assert corpus["train_tokens"] == corpus["train_sequences"] * 256 > 100_000
    assert corpus["validation_sequences"] > 0 and corpus["train_documents"] + corpus["validation_documents"] == 244
    assert (_path(corpus) / "manifest.json").exists()


def test_pretraining_lowers_the_loss_and_reports_its_run(trained):
    home, _, _, result = trained
    metadata = materialization_metadata(result, "pretrained_model")
    assert metadata["steps"] == 30 and metadata["tokens_seen"] == 30 * 8 * 256
    assert metadata["val_loss"] < metadata["initial_val_loss"] - 1.0  # from ~ln(8192) = 9.0
    assert metadata["train_loss"] < 8.0 and metadata["val_perplexity"] < 3000
    assert metadata["tokens_per_s"] > 0 and 0 < metadata["mfu_percent"] <= 100 and metadata["zero_stage"] == 1
    assert "data:image/png;base64" in metadata["loss_curve"]
    assert not (home.checkpoints / "pretrained_model" / metadata["version"]).exists()  # finished runs clean up


def test_exported_models_load_with_transformers_and_generate(trained):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    _, _, _, result = trained
    pretrained, sft = (materialization_metadata(result, name) for name in ("pretrained_model", "sft_model"))
    for metadata in (pretrained, sft):
        path = _path(metadata)
        model = AutoModelForCausalLM.from_pretrained(path)
        tokenizer = AutoTokenizer.from_pretrained(path)
        assert sum(p.numel() for p in model.parameters()) == metadata["parameters"]
        prompt = tokenizer.apply_chat_template([{"role": "user", "content": "What is a module?"}],
                                               add_generation_prompt=True, return_tensors="pt", return_dict=True)
        with torch.no_grad():
            output = model.generate(**prompt, max_new_tokens=12, do_sample=False)
        new_tokens = output[0, prompt["input_ids"].shape[1]:]
        # A 30-step model's words are not yet good; that it extends the prompt with decodable tokens is.
        assert len(new_tokens) > 0 and isinstance(tokenizer.decode(new_tokens), str)
    record = read_json(_path(sft) / RECORD)
    assert record["inputs"]["pretrained_model"] == pretrained["version"] and record["objective"] == "sft"


def test_sft_trains_on_instructions_and_lowers_held_out_loss(trained):
    _, _, _, result = trained
    metadata = materialization_metadata(result, "sft_model")
    assert metadata["train_examples"] > 250 and metadata["validation_examples"] > 20
    assert metadata["rejected_lines"] == 0
    assert metadata["val_loss"] < metadata["initial_val_loss"]
    assert metadata["input_pretrained_model"] == materialization_metadata(result, "pretrained_model")["version"]
    # A trained chat model is a candidate; what users get (production) is not touched by training.
    assert metadata["registry"] == f"chat_model candidate sft_model:{metadata['version']}"
    assert materialization_metadata(result, "pretrained_model")["registry"] == "not a registry family"


def test_rerun_with_the_same_inputs_reuses_every_version(trained):
    _, definitions, instance, result = trained
    again = definitions.resolve_job_def("retraining").execute_in_process(
        instance=instance, run_config=run_config(pretrained_model=PRETRAIN_CONFIG, sft_model=SFT_CONFIG))
    for name in ("tokenizer", "pretraining_corpus", "pretrained_model", "sft_model"):
        assert materialization_metadata(again, name)["version"] == materialization_metadata(result, name)["version"]
    assert materialization_metadata(again, "pretrained_model")["reused"] is True
    assert materialization_metadata(again, "sft_model")["reused"] is True


def _kill_training_when_checkpointed(checkpoints_root: Path, killed: list) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if any(checkpoints_root.glob("pretrained_model/*/checkpoints/latest")):
            for process in psutil.Process().children(recursive=True):
                try:
                    command = " ".join(process.cmdline())
                except psutil.Error:  # a zombie left by an earlier test, or a process that just ended
                    continue
                if "flywheel.training.run" in command:
                    process.send_signal(signal.SIGKILL)
                    killed.append(process.pid)
            return
        time.sleep(0.2)


def test_a_killed_run_resumes_from_its_newest_checkpoint_on_the_same_curve(trained, tmp_path):
    home, definitions, instance, _ = trained
    steps, every = 12, 4
    config = run_config(pretrained_model={**PRETRAIN_CONFIG, "max_steps": steps, "checkpoint_every": every, "seed": 1})
    job = definitions.resolve_job_def("retraining")
    killed: list[int] = []
    watcher = threading.Thread(target=_kill_training_when_checkpointed, args=(home.checkpoints, killed))
    watcher.start()
    first = job.execute_in_process(instance=instance, run_config=config, raise_on_error=False,
                                   asset_selection=[dg.AssetKey("pretrained_model")])
    watcher.join()
    assert killed and not first.success
    assert any(home.checkpoints.glob("pretrained_model/*/checkpoints/step-*"))
    [spec_path] = home.checkpoints.glob("pretrained_model/*/spec.json")
    uninterrupted = _train_uninterrupted(TrainingSpec.load(str(spec_path)), tmp_path)
    second = job.execute_in_process(instance=instance, run_config=config,
                                    asset_selection=[dg.AssetKey("pretrained_model")])
    metadata = materialization_metadata(second, "pretrained_model")
    assert every <= metadata["resumed_from_step"] < steps and metadata["resumed_from_step"] % every == 0
    assert metadata["steps_this_run"] == steps - metadata["resumed_from_step"] and metadata["steps"] == steps
    assert metadata["tokens_seen"] == steps * 8 * 256  # counted across both processes
    # Same data order, same optimizer and schedule state: the resumed curve is the uninterrupted one.
    resumed = read_metrics(Path(metadata["path"].removeprefix("file://")) / "metrics.jsonl")
    for key in ("loss", "val_loss"):
        after = [(m["step"], m[key]) for m in resumed if key in m and m["step"] > metadata["resumed_from_step"]]
        expected = dict((m["step"], m[key]) for m in uninterrupted if key in m)
        assert after and all(abs(value - expected[step]) < 1e-3 * max(1.0, abs(value)) for step, value in after)


def _train_uninterrupted(spec: TrainingSpec, workdir: Path) -> list[dict]:
    """The same spec trained in one go, outside Dagster: its metrics."""
    spec = spec.model_copy(update={"checkpoint_dir": str(workdir / "checkpoints"),
                                   "export_dir": str(workdir / "export"),
                                   "metrics_path": str(workdir / "metrics.jsonl")})
    command, env = launch_command(str(spec.save(workdir / "spec.json")), spec.settings.engine)
    subprocess.run(command, env={**os.environ, **env}, check=True, capture_output=True)
    return read_metrics(workdir / "metrics.jsonl")


def read_metrics(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def test_zero3_on_two_ranks_trains_and_exports_the_full_model(trained):
    from transformers import AutoModelForCausalLM

    _, definitions, instance, _ = trained
    config = run_config(pretrained_model={**PRETRAIN_CONFIG, "max_steps": 6, "eval_every": 3,
                                          "checkpoint_every": 3, "log_every": 3,
                                          "engine": {"world_size": 2, "zero_stage": 3}})
    result = definitions.resolve_job_def("retraining").execute_in_process(
        instance=instance, run_config=config, asset_selection=[dg.AssetKey("pretrained_model")])
    metadata = materialization_metadata(result, "pretrained_model")
    assert metadata["world_size"] == 2 and metadata["zero_stage"] == 3
    assert metadata["val_loss"] < metadata["initial_val_loss"]
    model = AutoModelForCausalLM.from_pretrained(_path(metadata))
    assert sum(p.numel() for p in model.parameters()) == metadata["parameters"]
    assert all(p.abs().sum() > 0 for p in model.parameters())  # every shard was gathered


def test_activation_checkpointing_and_optimizer_offload_train_from_config(trained):
    _, definitions, instance, _ = trained
    config = run_config(pretrained_model={**PRETRAIN_CONFIG, "max_steps": 4, "eval_every": 4, "checkpoint_every": 4,
                                          "log_every": 2, "gradient_accumulation_steps": 2,
                                          "engine": {"zero_stage": 2, "offload_optimizer": True,
                                                     "activation_checkpointing": True}})
    result = definitions.resolve_job_def("retraining").execute_in_process(
        instance=instance, run_config=config, asset_selection=[dg.AssetKey("pretrained_model")])
    metadata = materialization_metadata(result, "pretrained_model")
    assert metadata["zero_stage"] == 2 and metadata["tokens_seen"] == 4 * 2 * 8 * 256
    assert metadata["val_loss"] < metadata["initial_val_loss"]
