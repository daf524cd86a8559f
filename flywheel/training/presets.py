"""Model sizes by name, built from a config (never downloaded): Llama-architecture causal LMs
(RoPE, RMSNorm, SwiGLU) with untied input/output embeddings, so ZeRO-3 exports need no
tied-weight handling."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelPreset:
    hidden_size: int
    layers: int
    heads: int
    intermediate_size: int
    # What it is for, shown in config docs.
    note: str


PRESETS: dict[str, ModelPreset] = {
    # ~3M parameters with an 8k vocabulary: trains on a laptop CPU in minutes.
    "tiny": ModelPreset(128, 4, 4, 384, "CPU demos and tests"),
    # ~125M with a 32k vocabulary (GPT-2 small / Pythia-160M class).
    "small": ModelPreset(768, 12, 12, 2048, "one GPU"),
    # ~400M with a 32k vocabulary.
    "medium": ModelPreset(1024, 24, 16, 2816, "one or a few GPUs"),
    # ~1.3B with a 32k vocabulary (TinyLlama-like width).
    "large": ModelPreset(2048, 22, 32, 5632, "a GPU node with ZeRO-2/3"),
}


def model_config(preset: str, vocab_size: int, max_positions: int, pad_token_id: int,
                 bos_token_id: int, eos_token_id: int):
    """A `transformers.LlamaConfig` for the named preset and this tokenizer."""
    from transformers import LlamaConfig

    if preset not in PRESETS:
        raise ValueError(f"unknown model preset {preset!r}; choose one of {sorted(PRESETS)}")
    p = PRESETS[preset]
    return LlamaConfig(
        vocab_size=vocab_size, hidden_size=p.hidden_size, num_hidden_layers=p.layers,
        num_attention_heads=p.heads, num_key_value_heads=p.heads, intermediate_size=p.intermediate_size,
        max_position_embeddings=max_positions, tie_word_embeddings=False, pad_token_id=pad_token_id,
        bos_token_id=bos_token_id, eos_token_id=eos_token_id)


def parameter_count(preset: str, vocab_size: int) -> int:
    """Parameters of a preset without building it (embeddings + layers + final norm + head)."""
    p = PRESETS[preset]
    attention = 4 * p.hidden_size * p.hidden_size
    mlp = 3 * p.hidden_size * p.intermediate_size
    per_layer = attention + mlp + 2 * p.hidden_size
    return 2 * vocab_size * p.hidden_size + p.layers * per_layer + p.hidden_size
