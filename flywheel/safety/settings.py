"""What the safety classifier is trained on, how its scores combine, and where it flags."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from flywheel.bundled import REFERENCE_PROSE, SAFETY_LABELLED
from flywheel.quality_classifier.settings import FastTextParams


class CategoryThresholds(BaseModel):
    """A category flags a text at or above its threshold; None never flags it (still scored)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    harassment: float | None = Field(default=0.5, ge=0, le=1, description="Harassment and hate.")
    sexual: float | None = Field(default=0.5, ge=0, le=1, description="Sexually explicit content.")
    violence: float | None = Field(default=0.5, ge=0, le=1, description="Violence against people or animals.")
    self_harm: float | None = Field(default=0.5, ge=0, le=1,
                                    description="Suicide, self-injury, eating disorders.")
    illicit: float | None = Field(default=0.5, ge=0, le=1, description="Weapons, drugs, hacking, fraud, crime.")
    privacy: float | None = Field(default=0.5, ge=0, le=1, description="Someone's personal data.")

    def of(self, category: str) -> float | None:
        return getattr(self, category.replace("-", "_"))


class SafetyFastTextParams(FastTextParams):
    """Softmax over the six categories and `safe`; character n-grams carry a small labelled set to
    word forms it never saw (held-out recall 0.35 -> 0.63 against one-vs-all without them)."""

    dim: int = Field(default=50, ge=8, le=1000, description="Embedding size.")
    lr: float = Field(default=0.5, gt=0.0, le=5.0, description="Learning rate (fastText `-lr`).")
    bucket: int = Field(default=50_000, ge=1_000, description="Hash buckets for word bigrams and subwords.")
    minn: int = Field(default=3, ge=0, le=10, description="Shortest character n-gram.")
    maxn: int = Field(default=5, ge=0, le=10, description="Longest character n-gram.")


class SafetySettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    labelled_path: str = Field(default=str(SAFETY_LABELLED),
                               description="JSONL of `text`, `category`, `label` (unsafe or benign).")
    reference_path: str = Field(default=str(REFERENCE_PROSE),
                                description="JSONL(.gz) of benign prose (`id`, `text`): passages of it train the "
                                            "`safe` label; its held-out documents measure the false-positive rate.")
    heldout_fraction: float = Field(default=0.25, gt=0, lt=0.9,
                                    description="Share of labelled texts and reference documents never trained on.")
    reference_passages: int = Field(default=2400, ge=0, description="Reference passages in training (benign).")
    words_per_passage: int = Field(default=16, ge=4,
                                   description="Long texts are scored in windows of this many words (overlapping "
                                               "by half); a category's score is its highest window's, so one "
                                               "harmful sentence is not diluted by a long benign page.")
    max_passages: int = Field(default=256, ge=1,
                              description="Passages scored per text; longer texts are scored on this many, "
                                          "spread evenly.")
    profanity_weight: float = Field(default=0.3, ge=0, le=1,
                                    description="Share of the harassment score from alt-profanity-check's abuse "
                                                "model; below 0.5, profanity alone never flags.")
    thresholds: CategoryThresholds = Field(default=CategoryThresholds(),
                                           description="Where each category flags, for the held-out metrics "
                                                       "(curation and serving set their own).")
    fasttext: SafetyFastTextParams = Field(default=SafetyFastTextParams(), description="fastText's settings.")
