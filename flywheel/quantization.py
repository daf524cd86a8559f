"""Int8 dynamic quantization (torch's own) of a causal LM's Linear layers, for CPU serving:
weights stored in int8, activations quantized on the fly. The serving benchmark reports what it
saves (speed, memory) and what it costs (bits per byte against the float model)."""

import torch


def quantize_int8(model: torch.nn.Module) -> torch.nn.Module:
    return torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
