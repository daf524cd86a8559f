"""An ablation's runs as one file the runner process reads: every (stage, seed) training spec, and
the held-out documents each trained model is scored on."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel


class PlannedRun(BaseModel):
    stage: str
    seed: int
    spec_path: str  # a `TrainingSpec` JSON
    result_path: str  # written by the runner when the run is trained and scored; a rerun skips it


class AblationPlan(BaseModel):
    runs: list[PlannedRun]
    tokenizer_path: str
    heldout: dict[str, list[tuple[str, str]]]  # set name -> (doc_id, text)

    def save(self, path: Path) -> Path:
        path.write_text(self.model_dump_json())
        return path

    @classmethod
    def load(cls, path: str) -> AblationPlan:
        return cls.model_validate_json(Path(path).read_text())


def read_result(path: str) -> dict:
    return json.loads(Path(path).read_text())
