"""The JSONL example files a run's spec names (`<split>_path` in `spec.data`)."""

import json
from pathlib import Path

from flywheel.training.spec import TrainingSpec


def read_examples(spec: TrainingSpec, split: str) -> list[dict]:
    return [json.loads(line) for line in Path(spec.data[f"{split}_path"]).read_text(encoding="utf-8").splitlines()
            if line.strip()]
