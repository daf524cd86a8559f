"""Everything one training process needs, written as JSON by the orchestrator and read by
`python -m flywheel.training.run SPEC` on every rank."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from flywheel.training.settings import TrainingSettings


class TrainingSpec(BaseModel):
    objective: str = Field(description="A name in the objective registry (`flywheel.training.objectives`).")
    version: str = Field(description="The model version this run produces (also names its checkpoints).")
    tokenizer_path: str
    init_model_path: str | None = Field(default=None, description="HF model to start from; None = fresh preset.")
    preset: str = "tiny"
    sequence_length: int = Field(default=256, ge=8)
    data: dict = Field(description="Objective-specific inputs (corpus folder, example files).")
    checkpoint_dir: str
    export_dir: str
    metrics_path: str = Field(description="JSONL of every reported step (the loss curve).")
    settings: TrainingSettings = TrainingSettings()
    options: dict = Field(default_factory=dict, description="The objective's own options, validated by its "
                                                            "`options_model` (e.g. DPO's `beta`).")
    record: dict = Field(default_factory=dict, description="Provenance saved with the exported model.")

    def save(self, path: Path) -> Path:
        path.write_text(self.model_dump_json(indent=2))
        return path

    @classmethod
    def load(cls, path: str) -> TrainingSpec:
        return cls.model_validate_json(Path(path).read_text())
