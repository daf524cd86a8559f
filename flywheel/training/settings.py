"""How a model is trained: optimization (nanoGPT's knobs) and the DeepSpeed engine and launch.

Defaults train the `tiny` preset on one CPU process; a GPU cluster changes only these values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

Precision = Literal["fp32", "bf16", "fp16"]


def precision_dtype(precision: Precision):
    """The torch dtype a precision setting trains in."""
    import torch

    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]


class EngineSettings(BaseModel):
    """The DeepSpeed engine and how many processes run it."""

    zero_stage: int = Field(
        default=1, ge=0, le=3, description="ZeRO stage: 1 shards optimizer state, 2 also gradients, 3 also parameters.")
    precision: Precision = Field(
        default="fp32", description="fp32 on CPU (no fast bf16 matmuls there); bf16 on GPUs.")
    activation_checkpointing: bool = Field(
        default=False, description="Recompute activations in the backward pass: less memory, ~30% more compute.")
    offload_optimizer: bool = Field(
        default=False, description="ZeRO-Offload: optimizer state and step on the CPU (stage >= 1).")
    world_size: int = Field(default=1, ge=1, description="Ranks per node (one per GPU; CPU ranks share cores).")
    nodes: int = Field(default=1, ge=1, description="Nodes; more than one needs `hosts`.")
    hosts: list[str] = Field(
        default_factory=list,
        description="One host per node when nodes > 1, the first running node rank 0 and the rendezvous. "
                    "127.0.0.1 (or this machine's name) runs that node here, any other host over ssh; every "
                    "host needs the project's environment at the same path and the shared checkpoint folder.")
    threads_per_rank: int | None = Field(
        default=None, ge=1, description="CPU threads per rank (default: the cores divided by world_size).")
    peak_flops_per_rank: float | None = Field(
        default=None, gt=0, description="Device peak FLOP/s for MFU (default: measured with matmuls at start).")

    @model_validator(mode="after")
    def _launch_is_possible(self) -> EngineSettings:
        if self.nodes > 1 and len(self.hosts) != self.nodes:
            raise ValueError(f"nodes={self.nodes} needs one entry in hosts per node, got {self.hosts}")
        if self.offload_optimizer and self.zero_stage == 0:
            raise ValueError("offload_optimizer needs zero_stage >= 1")
        return self


class TrainingSettings(BaseModel):
    """One training run: nanoGPT's loop settings plus the engine."""

    micro_batch_size: int = Field(default=8, ge=1, description="Sequences per rank per forward pass.")
    gradient_accumulation_steps: int = Field(
        default=1, ge=1, description="Micro-batches per optimizer step; tokens per step = micro_batch_size x "
                                     "accumulation x ranks x sequence length.")
    max_steps: int = Field(default=150, ge=1, description="Optimizer steps.")
    learning_rate: float = Field(default=3e-3, gt=0.0, description="Peak learning rate after warmup.")
    min_learning_rate: float = Field(default=3e-4, ge=0.0, description="Cosine decay ends here at max_steps.")
    warmup_steps: int = Field(default=15, ge=0, description="Steps of linear warmup to the peak learning rate.")
    weight_decay: float = Field(default=0.1, ge=0.0, description="On matrices only, not norms or biases.")
    beta1: float = Field(default=0.9, gt=0.0, lt=1.0, description="AdamW first-moment decay.")
    beta2: float = Field(default=0.95, gt=0.0, lt=1.0, description="AdamW second-moment decay.")
    grad_clip: float = Field(default=1.0, ge=0.0, description="Global gradient-norm clip (0 = off).")
    log_every: int = Field(default=5, ge=1, description="Steps between metric reports.")
    eval_every: int = Field(default=25, ge=1, description="Steps between validation passes.")
    eval_batches: int = Field(default=8, ge=1, description="Validation micro-batches per pass, per rank.")
    checkpoint_every: int = Field(default=25, ge=1, description="Steps between checkpoints.")
    keep_checkpoints: int = Field(default=2, ge=1, description="Most recent checkpoints kept.")
    seed: int = Field(default=0, description="Seeds initialization, data order and dropout: equal seeds, equal "
                                             "runs.")
    engine: EngineSettings = EngineSettings()

    def result_determining(self) -> dict:
        """The settings a trained model depends on: all but where its ranks run and their threads."""
        return self.model_dump(exclude={"engine": {"hosts", "threads_per_rank"}})

    @model_validator(mode="after")
    def _lr_order(self) -> TrainingSettings:
        if self.min_learning_rate > self.learning_rate:
            raise ValueError("min_learning_rate must not exceed learning_rate")
        return self
