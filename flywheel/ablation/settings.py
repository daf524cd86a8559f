"""What one ablation trains and evaluates: the fixed recipe (model, token budget, seeds) and the
held-out sets. Defaults run on a laptop CPU in a few minutes."""

from __future__ import annotations

import math

from pydantic import BaseModel, Field, field_validator

from flywheel.bundled import REFERENCE_PROSE
from flywheel.datasets import CURATION_DATASETS, RAW_CRAWL
from flywheel.training.settings import EngineSettings, TrainingSettings


class AblationSettings(BaseModel):
    stages: list[str] = Field(default=list(CURATION_DATASETS),
                              description=f"Curation outputs to train on, in pipeline order; {RAW_CRAWL} is "
                                          "the baseline every other stage is compared with.")
    token_budget: int = Field(default=196_608, ge=1024,
                              description="Training tokens per run, the same for every stage and seed.")
    seeds: list[int] = Field(default=[0, 1], min_length=1,
                             description="One run per stage and seed; a seed fixes the initialization "
                                         "(the same for every stage) and the data order.")
    preset: str = Field(default="tiny", description="Model size (a `flywheel.training.presets` name).")
    sequence_length: int = Field(default=128, ge=16, description="Tokens per packed training sequence.")
    micro_batch_size: int = Field(default=16, ge=1, description="Sequences per optimizer step.")
    learning_rate: float = Field(default=3e-3, gt=0.0, description="Peak learning rate (warmup + cosine).")
    max_repetition: float = Field(
        default=4.0, ge=1.0,
        description="A stage whose training tokens would be repeated more often than this to fill the budget "
                    "is reported as too small and not trained (repeats up to ~4 epochs cost little: "
                    "Muennighoff et al. 2023).")
    reference_prose_path: str = Field(
        default=str(REFERENCE_PROSE), description="JSONL(.gz) of clean prose never crawled (`id`, `text`); the part "
                                                  "the quality classifier holds out is the clean held-out set.")
    heldout_documents: int = Field(default=48, ge=1,
                                   description="Documents per held-out set (the first by stable hash).")
    heldout_document_chars: int = Field(default=6000, ge=200,
                                        description="Each held-out document is cut to this many characters "
                                                    "(at a word boundary), bounding evaluation time.")
    leak_ngram: int = Field(default=13, ge=3, description="Word n-gram length of the overlap test (GPT-3's "
                                                          "decontamination used 13).")
    leak_overlap: float = Field(
        default=0.5, gt=0.0, le=1.0,
        description="A held-out document whose n-grams occur in training at this share or more is leaked; "
                    "a training document with this share of a raw-slice document's n-grams is a near-copy "
                    "of it and is left out of training.")
    bootstrap_iterations: int = Field(default=2000, ge=100, description="Paired bootstrap resamples per interval.")
    engine: EngineSettings = EngineSettings()

    @field_validator("stages")
    @classmethod
    def _known_stages(cls, stages: list[str]) -> list[str]:
        unknown = [s for s in stages if s not in CURATION_DATASETS]
        if unknown or not stages or stages[0] != RAW_CRAWL or len(set(stages)) != len(stages):
            raise ValueError(f"stages must start with {RAW_CRAWL} and name each of {list(CURATION_DATASETS)} at "
                             f"most once; got {stages}")
        return stages

    @property
    def tokens_per_step(self) -> int:
        return self.micro_batch_size * self.sequence_length * self.engine.world_size * self.engine.nodes

    @property
    def steps(self) -> int:
        return max(1, math.ceil(self.token_budget / self.tokens_per_step))

    @property
    def budget_sequences(self) -> int:
        """Training sequences every run sees (the budget rounded up to whole steps)."""
        return self.steps * self.tokens_per_step // self.sequence_length

    def training_settings(self, seed: int) -> TrainingSettings:
        """The recipe every run shares; only the seed varies. The loop's own validation loss (on
        the reference prose) is a by-product, taken before and after on two batches; bits per byte
        are measured on the held-out sets afterwards. Checkpointed at the end (runs are short)."""
        steps = self.steps
        return TrainingSettings(
            micro_batch_size=self.micro_batch_size, max_steps=steps, learning_rate=self.learning_rate,
            min_learning_rate=self.learning_rate / 10, warmup_steps=max(1, steps // 10),
            log_every=max(1, steps // 10), eval_every=steps, eval_batches=2, checkpoint_every=steps,
            keep_checkpoints=1, seed=seed, engine=self.engine)
