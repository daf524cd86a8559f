"""Model FLOPs utilisation: the FLOPs a step needs (PaLM appendix B, as in nanoGPT) against the
device's measured matmul peak."""

from __future__ import annotations

import time

import torch


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


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
