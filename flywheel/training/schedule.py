"""nanoGPT's learning-rate schedule: linear warmup, cosine decay to a floor."""

import math


def learning_rate(step: int, peak: float, floor: float, warmup_steps: int, max_steps: int) -> float:
    if step < warmup_steps:
        return peak * (step + 1) / (warmup_steps + 1)
    if step >= max_steps:
        return floor
    progress = (step - warmup_steps) / max(1, max_steps - warmup_steps)
    return floor + 0.5 * (1.0 + math.cos(math.pi * progress)) * (peak - floor)
