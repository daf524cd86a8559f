"""The interface every training objective implements; the training loop knows nothing else.

An objective is what a run optimizes: its model, its data and its loss. The DeepSpeed engine,
launch, checkpoint/resume, export and metric reporting are the same for all (`loop.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Protocol

import torch
from pydantic import BaseModel, ConfigDict


class NoOptions(BaseModel):
    """For objectives without options of their own."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Examples(Protocol):
    """An indexable example set: `batch(indices)` turns indices into a batch of tensors."""

    def __len__(self) -> int: ...

    def batch(self, indices: Sequence[int]) -> dict[str, torch.Tensor]: ...


class Objective(Protocol):
    # The objective's own settings (`TrainingSpec.options` validated by this model), e.g. DPO's beta.
    options_model: ClassVar[type[BaseModel]]
    # Held-out metrics (besides the losses) that the asset plots over steps, e.g. accuracies.
    plotted_metrics: ClassVar[tuple[str, ...]]
    # Also score a fixed sample of training batches at the end: train next to held-out accuracy
    # shows over- or under-fitting.
    evaluates_train_split: ClassVar[bool]

    train: Examples
    validation: Examples

    def build_model(self) -> torch.nn.Module:
        """The model to train (built from a preset or loaded from `spec.init_model_path`)."""

    def loss(self, model, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """The scalar training loss of one micro-batch."""

    def evaluate(self, model, batches: list[dict[str, torch.Tensor]]) -> dict[str, float]:
        """Sums over one rank's micro-batches; the loop adds them over ranks."""

    @staticmethod
    def summarize(totals: dict[str, float], split: str = "validation") -> dict[str, float]:
        """Named metrics from the summed `evaluate` totals of `split`."""
