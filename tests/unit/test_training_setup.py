"""Learning-rate schedule, DeepSpeed config, checkpoint retention, launch commands and presets."""

import json
import os
import socket
import sys

import pytest

from flywheel.training import checkpoints
from flywheel.training.deepspeed_config import deepspeed_config
from flywheel.training.flops import flops_per_token
from flywheel.training.launch import ENTRY_MODULE, launch_command
from flywheel.training.presets import PRESETS, parameter_count
from flywheel.training.schedule import learning_rate
from flywheel.training.settings import EngineSettings, TrainingSettings


def test_schedule_warms_up_then_decays_to_the_floor():
    lrs = [learning_rate(step, 1.0, 0.1, warmup_steps=10, max_steps=100) for step in range(120)]
    assert lrs[0] < lrs[5] < lrs[9] < 1.0 and lrs[10] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(lrs[10:100], lrs[11:100]))
    assert lrs[99] == pytest.approx(0.1, abs=1e-3) and lrs[110] == 0.1


def test_deepspeed_config_follows_the_settings():
    settings = TrainingSettings(micro_batch_size=4, gradient_accumulation_steps=3, grad_clip=0.5,
                                engine=EngineSettings(zero_stage=3, precision="bf16", offload_optimizer=True))
    config = deepspeed_config(settings)
    assert config["train_micro_batch_size_per_gpu"] == 4 and config["gradient_accumulation_steps"] == 3
    assert config["zero_optimization"]["stage"] == 3
    assert config["zero_optimization"]["offload_optimizer"]["device"] == "cpu"
    assert config["bf16"]["enabled"] and not config["fp16"]["enabled"] and config["gradient_clipping"] == 0.5


def test_engine_settings_refuse_launches_that_cannot_work():
    with pytest.raises(ValueError, match="hosts"):
        EngineSettings(nodes=2)
    with pytest.raises(ValueError, match="hosts"):
        EngineSettings(nodes=2, hosts=["gpu-a", "gpu-b", "gpu-c"])
    with pytest.raises(ValueError, match="zero_stage"):
        EngineSettings(zero_stage=0, offload_optimizer=True)
    with pytest.raises(ValueError):
        TrainingSettings(learning_rate=1e-4, min_learning_rate=1e-3)


def test_launch_commands_per_world_size():
    command, env = launch_command("spec.json", EngineSettings())
    assert command == [sys.executable, "-m", ENTRY_MODULE, "spec.json"]
    assert env["RANK"] == "0" and env["WORLD_SIZE"] == "1" and int(env["MASTER_PORT"]) > 0
    command, env = launch_command("spec.json", EngineSettings(world_size=2, threads_per_rank=3))
    assert "--nproc_per_node=2" in command and command[-3:] == ["-m", ENTRY_MODULE, "spec.json"]
    assert env["OMP_NUM_THREADS"] == "3" and "RANK" not in env
    command, env = launch_command("spec.json", EngineSettings(nodes=2, world_size=4, hosts=["gpu-a", "gpu-b"],
                                                              threads_per_rank=8))
    assert command[1:3] == ["-m", "flywheel.training.nodes"] and command[-1] == "spec.json"
    assert command[command.index("--hosts") + 1] == "gpu-a,gpu-b" and env["OMP_NUM_THREADS"] == "8"
    # Two nodes simulated here share this machine's cores.
    _, env = launch_command("spec.json", EngineSettings(nodes=2, hosts=["127.0.0.1", "localhost"]))
    assert env["OMP_NUM_THREADS"] == str(max(1, (os.cpu_count() or 1) // 2))


def test_prune_keeps_the_newest_complete_checkpoints(tmp_path):
    for step in (10, 20, 30, 40):
        (tmp_path / checkpoints.tag(step)).mkdir()
        if step != 30:  # a save cut off before every rank finished
            checkpoints.mark_complete(tmp_path, checkpoints.tag(step))
    assert (tmp_path / checkpoints.LATEST).read_text() == checkpoints.tag(40)
    assert checkpoints.prune(tmp_path, keep=2) == [checkpoints.tag(10), checkpoints.tag(30)]
    assert sorted(p.name for p in tmp_path.glob("step-*")) == [checkpoints.tag(20), checkpoints.tag(40)]


def test_resume_takes_the_newest_complete_checkpoint_whatever_latest_says(tmp_path):
    assert checkpoints.latest_tag(tmp_path) is None
    (tmp_path / checkpoints.tag(10)).mkdir()
    checkpoints.mark_complete(tmp_path, checkpoints.tag(10))
    (tmp_path / checkpoints.tag(20)).mkdir()  # killed while saving: ranks' shards missing, no marker
    (tmp_path / checkpoints.LATEST).write_text(checkpoints.tag(20))  # what DeepSpeed alone would have written
    assert checkpoints.latest_tag(tmp_path) == checkpoints.tag(10)
    (tmp_path / checkpoints.LATEST).write_text("")  # an empty `latest` does not matter either
    assert checkpoints.latest_tag(tmp_path) == checkpoints.tag(10)


def test_presets_span_laptop_to_gpu_sizes():
    assert 2e6 < parameter_count("tiny", 8192) < 5e6
    assert 110e6 < parameter_count("small", 32000) < 160e6
    assert set(PRESETS) >= {"tiny", "small", "medium", "large"}
    assert flops_per_token(1000, 2, 8, 16) == 6 * 1000 + 12 * 2 * 8 * 16


def test_evaluation_batches_score_each_example_once_and_keep_ranks_in_step():
    from flywheel.training.loop import _fixed_batches

    class Indices:
        def __len__(self):
            return 21

        def batch(self, indices):
            return list(indices)

    one_rank = _fixed_batches(Indices(), micro_batch_size=8, batches=16, rank=0, world=1)
    assert sorted(i for b in one_rank for i in b) == list(range(21)) and len(one_rank) == 3
    two_ranks = [_fixed_batches(Indices(), 8, 16, rank, 2) for rank in (0, 1)]
    assert len(two_ranks[0]) == len(two_ranks[1]) == 2
    # rank 1's second slice would start past the end: it re-scores one example (24 % 21 = 3)
    assert sorted(i for r in two_ranks for b in r for i in b) == sorted([*range(21), 3])


def test_mfu_is_against_the_best_peak_this_machine_measured_and_never_above_one(tmp_path, monkeypatch):
    import torch

    from flywheel.training import flops

    monkeypatch.setenv("FLYWHEEL_PEAK_CACHE", str(tmp_path / "peak.json"))
    measurements = iter([50e9, 20e9, 60e9])  # a quiet moment, one under load, a quieter one
    monkeypatch.setattr(flops, "measured_matmul_flops", lambda device, dtype: next(measurements))
    assert flops.machine_peak(torch.device("cpu"), torch.float32) == 50e9
    assert flops.machine_peak(torch.device("cpu"), torch.float32) == 50e9  # the busy measurement does not lower it
    assert flops.machine_peak(torch.device("cpu"), torch.float32) == 60e9
    # After MEASURING_RUNS runs measured, later runs read the best (the iterator is used up).
    assert flops.MEASURING_RUNS == 3 and flops.machine_peak(torch.device("cpu"), torch.float32) == 60e9
    assert flops.mfu(25e9, 50e9) == 0.5
    assert flops.mfu(70e9, 50e9) == 1.0 and flops.mfu(0.0, 50e9) == 0.0


def test_a_peak_cached_before_measurements_were_counted_is_kept(tmp_path, monkeypatch):
    import torch

    from flywheel.training import flops

    cache = tmp_path / "peak.json"
    monkeypatch.setenv("FLYWHEEL_PEAK_CACHE", str(cache))
    monkeypatch.setattr(flops, "measured_matmul_flops", lambda device, dtype: 30e9)
    key = f"{socket.gethostname()}|cpu|{torch.float32}|{torch.get_num_threads()} threads"
    cache.write_text(json.dumps({key: 40e9}))
    assert flops.machine_peak(torch.device("cpu"), torch.float32) == 40e9
    assert json.loads(cache.read_text())[key] == {"flops": 40e9, "measurements": 2}


def test_training_never_compiles_deepspeeds_inference_comm_op():
    from deepspeed.comm.torch import build_shm_op

    from flywheel.training.loop import skip_inference_comm_op

    skip_inference_comm_op()
    assert build_shm_op() is None  # what the comm backend would otherwise compile with g++ at start-up
