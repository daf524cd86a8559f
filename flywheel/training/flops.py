"""Model FLOPs utilisation: the FLOPs a step needs (PaLM appendix B, as in nanoGPT) against the
device's matmul peak.

A peak measured once, at the start of a run on a busy machine, comes out low and the MFU against it
impossible (141% was seen). So the peak is the best measured on this machine for the device, dtype
and thread count by its first few runs (`machine_peak`, cached in FLYWHEEL_PEAK_CACHE, default
~/.cache/flywheel/matmul_peak.json), and `mfu` never exceeds 1: a model that does more FLOP/s
than the peak proves the peak is at least that.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import torch

from flywheel.atomic_files import write_text_atomically


def flops_per_token(parameters: int, layers: int, hidden_size: int, sequence_length: int) -> float:
    """Forward + backward FLOPs per trained token: 6N for the weights plus 12·L·d·T for attention."""
    return 6 * parameters + 12 * layers * hidden_size * sequence_length


def measured_matmul_flops(device: torch.device, dtype: torch.dtype, size: int | None = None, trials: int = 5,
                          seconds_per_trial: float = 0.25) -> float:
    """FLOP/s of square matmuls on `device`: the best of several short trials, so a moment of
    contention from another process does not lower the peak MFU is measured against. A GPU gets
    8192-wide products: smaller ones are bound by kernel launches, not by the tensor cores."""
    size = size or (8192 if device.type == "cuda" else 1024)
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    torch.matmul(a, b)  # warm up kernels and caches
    best = 0.0
    for _ in range(trials):
        _synchronize(device)
        runs, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds_per_trial:
            torch.matmul(a, b)
            runs += 1
        _synchronize(device)
        best = max(best, 2 * size**3 * runs / (time.perf_counter() - started))
    return best


MEASURING_RUNS = 3


def peak_cache_path() -> Path:
    return Path(os.environ.get("FLYWHEEL_PEAK_CACHE", Path.home() / ".cache" / "flywheel" / "matmul_peak.json"))


def machine_peak(device: torch.device, dtype: torch.dtype) -> float:
    """The best matmul FLOP/s measured on this machine for `device`, `dtype` and the current thread
    count. The first `MEASURING_RUNS` runs each measure it (best of several trials) and remember the
    best, so one measurement taken while other work ran does not set the peak runs are compared
    against; later runs read it (a measurement keeps every core busy for 1-2 s per run)."""
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    key = f"{socket.gethostname()}|{name}|{dtype}|{torch.get_num_threads()} threads"
    path = peak_cache_path()
    try:
        cache = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        cache = {}
    known = cache.get(key)
    if isinstance(known, float):  # written before measurements were counted
        known = {"flops": known, "measurements": 1}
    if known and known["measurements"] >= MEASURING_RUNS:
        return known["flops"]
    measured = measured_matmul_flops(device, dtype)
    known = known or {"flops": 0.0, "measurements": 0}
    cache[key] = {"flops": max(known["flops"], measured), "measurements": known["measurements"] + 1}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps(cache, indent=2))
    return cache[key]["flops"]


def mfu(model_flops_per_s: float, peak_flops: float) -> float:
    """Model FLOPs utilisation, never above 1."""
    return model_flops_per_s / max(peak_flops, model_flops_per_s) if model_flops_per_s > 0 else 0.0


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
