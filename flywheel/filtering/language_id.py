"""Language identification with fastText's lid.176 model, loaded once per worker process."""

from __future__ import annotations

from pydantic import Field

from flywheel.bundled import LANGUAGE_ID_MODEL
from flywheel.fasttext_model import load_model
from flywheel.filtering.base import Drop, FilterDoc, StepSettings
from flywheel.spark_files import local_path


class LanguageSettings(StepSettings):
    """fastText language id: keep documents in the configured languages (FineWeb: English >= 0.65)."""

    model_file: str = Field(
        default=str(LANGUAGE_ID_MODEL), description="fastText language-id model (lid.176.ftz, "
                                                    "bundled).")
    languages: list[str] = Field(
        default=["en"], description="Languages to keep, as lid.176 labels them (ISO 639 codes); empty"
                                    " keeps every language.")
    min_score: float = Field(
        default=0.65, description="Smallest probability of a kept language; documents below it are "
                                  "dropped.")


def identify(model, text: str) -> dict[str, float]:
    """Every language's probability (fastText reads one line, so newlines become spaces)."""
    labels, scores = model.predict(text.replace("\n", " "), k=-1)
    return {label.removeprefix("__label__"): float(score) for label, score in zip(labels, scores)}


class LanguageId:
    name = "language"

    def __init__(self, settings: LanguageSettings) -> None:
        self.s = settings
        self.model = load_model(local_path(settings.model_file))

    def apply(self, doc: FilterDoc) -> Drop | None:
        scores = identify(self.model, doc.text)
        doc.language, doc.language_score = max(scores.items(), key=lambda item: item[1])
        if not self.s.languages:
            return None
        best_wanted = max(self.s.languages, key=lambda lang: scores.get(lang, 0.0))
        score = scores.get(best_wanted, 0.0)
        if score < self.s.min_score:
            return Drop("language.min_score", score, self.s.min_score,
                        f"{best_wanted} score {score:.3f} < {self.s.min_score:g} "
                        f"(identified {doc.language} {doc.language_score:.3f})")
        return None
