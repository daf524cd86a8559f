"""Next-token cross-entropy: pretraining on packed sequences (every token is a target) and SFT on
chat examples (response tokens only)."""

from __future__ import annotations

import math

import torch

from flywheel.training.datasets import IGNORE_INDEX, ChatExamples, PackedSequences
from flywheel.training.objectives.base import NoOptions
from flywheel.training.objectives.examples import read_examples
from flywheel.training.presets import model_config
from flywheel.training.spec import TrainingSpec


class CausalLM:
    """What pretraining and SFT share: the model and the loss; they differ only in their data."""

    options_model = NoOptions
    plotted_metrics = ()
    evaluates_train_split = False

    def __init__(self, spec: TrainingSpec, tokenizer) -> None:
        self.spec, self.tokenizer = spec, tokenizer
        NoOptions.model_validate(spec.options)

    def build_model(self):
        from transformers import AutoModelForCausalLM, LlamaForCausalLM

        if self.spec.init_model_path:
            return AutoModelForCausalLM.from_pretrained(self.spec.init_model_path, dtype=torch.float32)
        t = self.tokenizer
        return LlamaForCausalLM(model_config(self.spec.preset, len(t), self.spec.sequence_length,
                                             t.pad_token_id, t.bos_token_id, t.eos_token_id))

    def loss(self, model, batch: dict) -> torch.Tensor:
        return model(**batch).loss  # mean over target tokens

    @torch.no_grad()
    def evaluate(self, model, batches: list[dict]) -> dict[str, float]:
        loss_sum, tokens = 0.0, 0
        for batch in batches:
            n = int((batch["labels"][:, 1:] != IGNORE_INDEX).sum())
            loss_sum += float(self.loss(model, batch)) * n
            tokens += n
        return {"loss_sum": loss_sum, "tokens": tokens}

    @staticmethod
    def summarize(totals: dict[str, float], split: str = "validation") -> dict[str, float]:
        loss = totals["loss_sum"] / max(1.0, totals["tokens"])
        return {"val_loss": loss, "val_perplexity": math.exp(min(loss, 50.0))}


class Pretraining(CausalLM):
    """Every token of the packed corpus (`spec.data["corpus_dir"]`) is a target."""

    def __init__(self, spec: TrainingSpec, tokenizer) -> None:
        super().__init__(spec, tokenizer)
        self.train = PackedSequences(spec.data["corpus_dir"], "train")
        self.validation = PackedSequences(spec.data["corpus_dir"], "validation")


class SupervisedFineTuning(CausalLM):
    """Chat-rendered prompt/response examples; only response tokens are targets."""

    def __init__(self, spec: TrainingSpec, tokenizer) -> None:
        super().__init__(spec, tokenizer)
        self.train = ChatExamples(read_examples(spec, "train"), tokenizer, spec.sequence_length)
        self.validation = ChatExamples(read_examples(spec, "validation"), tokenizer, spec.sequence_length)
