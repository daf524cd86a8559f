"""What a run optimizes: its model, its data and its loss. The training loop is the same for all.

Each objective gives the loop: `build_model()`, `train` and `validation` example sets (with
`__len__` and `batch(indices)`), `loss(model, batch) -> (loss, tokens)`, and
`evaluate(model, batches) -> {name: value}` computed on validation micro-batches of one rank as
sums (the loop adds them over ranks and divides by `weight`).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch

from flywheel.training.datasets import IGNORE_INDEX, ChatExamples, PackedSequences
from flywheel.training.presets import model_config
from flywheel.training.spec import TrainingSpec


class CausalLM:
    """Next-token cross-entropy on every label that is not IGNORE_INDEX: pretraining on packed
    sequences (all tokens) and SFT on chat examples (response tokens only)."""

    def __init__(self, spec: TrainingSpec, tokenizer) -> None:
        self.spec, self.tokenizer = spec, tokenizer
        if spec.objective == "pretrain":
            self.train = PackedSequences(spec.data["corpus_dir"], "train")
            self.validation = PackedSequences(spec.data["corpus_dir"], "validation")
        else:
            examples = {split: [json.loads(line) for line in Path(spec.data[f"{split}_path"]).read_text().splitlines()]
                        for split in ("train", "validation")}
            self.train = ChatExamples(examples["train"], tokenizer, spec.sequence_length)
            self.validation = ChatExamples(examples["validation"], tokenizer, spec.sequence_length)

    def build_model(self):
        from transformers import AutoModelForCausalLM, LlamaForCausalLM

        if self.spec.init_model_path:
            return AutoModelForCausalLM.from_pretrained(self.spec.init_model_path, dtype=torch.float32)
        t = self.tokenizer
        return LlamaForCausalLM(model_config(self.spec.preset, len(t), self.spec.sequence_length,
                                             t.pad_token_id, t.bos_token_id, t.eos_token_id))

    def loss(self, model, batch: dict) -> tuple[torch.Tensor, int]:
        output = model(**batch)
        return output.loss, int((batch["labels"] != IGNORE_INDEX).sum())

    @torch.no_grad()
    def evaluate(self, model, batches: list[dict]) -> dict[str, float]:
        loss_sum, tokens = 0.0, 0
        for batch in batches:
            loss, n = self.loss(model, batch)
            loss_sum += float(loss) * n
            tokens += n
        return {"loss_sum": loss_sum, "weight": tokens}

    @staticmethod
    def summarize(totals: dict[str, float]) -> dict[str, float]:
        loss = totals["loss_sum"] / max(1.0, totals["weight"])
        return {"val_loss": loss, "val_perplexity": math.exp(min(loss, 50.0))}


def objective_for(spec: TrainingSpec, tokenizer):
    return CausalLM(spec, tokenizer)
