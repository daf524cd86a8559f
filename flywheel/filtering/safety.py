"""The safety step: documents the safety classifier flags for a configured category are dropped
with `safety.<category>` as the rule, the category's score as the value and its threshold.

Last in the cascade: the classifier is the costliest step and reads English, so it scores only
what the cheaper rules (and language id) kept. Documents are scored a batch at a time.
"""

from __future__ import annotations

from pydantic import Field

from flywheel.filtering.base import Drop, FilterDoc, StepSettings
from flywheel.safety.classifier import SafetyClassifier
from flywheel.safety.settings import CategoryThresholds


class CurationThresholds(CategoryThresholds):
    """Higher than the classifier's 0.5: a page's score is its worst of many windows, so one noisy
    window of a long benign page passes 0.5 more often than a chat message does (on the demo
    sample, 4 benign pages scored 0.52-0.57); planted unsafe paragraphs score 0.8-0.99."""

    harassment: float | None = Field(default=0.7, ge=0, le=1, description="Harassment and hate.")
    sexual: float | None = Field(default=0.7, ge=0, le=1, description="Sexually explicit content.")
    violence: float | None = Field(default=0.7, ge=0, le=1, description="Violence against people or animals.")
    self_harm: float | None = Field(default=0.7, ge=0, le=1, description="Suicide, self-injury, eating disorders.")
    illicit: float | None = Field(default=0.7, ge=0, le=1, description="Weapons, drugs, hacking, fraud, crime.")
    # Contact details are everywhere in benign crawl text (mailing lists, docs); Dolma masks PII in
    # training data rather than dropping pages, so privacy does not drop a document by default.
    privacy: float | None = Field(default=None, ge=0, le=1, description="Someone's personal data (off: mask "
                                                                        "PII instead of dropping pages).")


class SafetyFilterSettings(StepSettings):
    """The safety classifier (`safety_classifier`) as the last filter: unsafe pages are dropped."""

    model_url: str | None = Field(
        default=None, description="A published safety classifier's folder; unset: `filtered_docs` uses the "
                                  "current `safety_classifier`.")
    thresholds: CurationThresholds = Field(
        default=CurationThresholds(),
        description="A document is dropped when a category scores at or above its threshold (null: never).")


class SafetyFilter:
    name = "safety"

    def __init__(self, settings: SafetyFilterSettings) -> None:
        if settings.model_url is None:
            raise ValueError("the safety step needs `model_url`, a published safety classifier")
        self.thresholds = settings.thresholds
        self.classifier = SafetyClassifier.load(settings.model_url).with_thresholds(settings.thresholds)

    def apply(self, doc: FilterDoc) -> Drop | None:
        return self.apply_batch([doc])[0]

    def apply_batch(self, docs: list[FilterDoc]) -> list[Drop | None]:
        drops: list[Drop | None] = []
        for result in self.classifier.classify([doc.text for doc in docs]) if docs else []:
            if not result.flagged:
                drops.append(None)
                continue
            category, score = result.top()
            threshold = self.thresholds.of(category)
            drops.append(Drop(f"safety.{category}", score, threshold,
                              f"{category} score {score:.3f} >= {threshold:g}"))
        return drops
