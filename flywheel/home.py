"""FLYWHEEL_HOME: the one folder that holds a laptop installation's data, models and Dagster state.

    $FLYWHEEL_HOME/            (default: ./.flywheel)
      landing/crawl/<batch>/   incoming WARC/WET/JSONL files
      landing/feedback/        incoming feedback events
      lake/<dataset>/<partition>/   Parquet datasets
      landing/instructions/    extra instruction data (prompt/response JSONL) for SFT
      models/                  trained models and tokenizers
      checkpoints/             in-progress training runs (DeepSpeed checkpoints, metrics)
      dagster/                 DAGSTER_HOME: SQLite run, event and schedule storage
      serving/                 the model server's answers (for rating) and feedback outbox (SQLite)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from string import Template

from flywheel.atomic_files import write_text_atomically
from flywheel.bundled import DAGSTER_YAML_TEMPLATE


@dataclass(frozen=True)
class FlywheelHome:
    root: Path

    @classmethod
    def from_env(cls) -> FlywheelHome:
        return cls(Path(os.environ.get("FLYWHEEL_HOME", ".flywheel")).expanduser().resolve())

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def checkpoints(self) -> Path:
        return self.root / "checkpoints"

    @property
    def dagster_home(self) -> Path:
        return self.root / "dagster"

    @property
    def serving(self) -> Path:
        return self.root / "serving"

    def ensure(self) -> FlywheelHome:
        """Create the folders and the Dagster instance config (from the bundled `dagster.yaml.template`)."""
        for path in (self.landing / "crawl", self.landing / "feedback", self.landing / "instructions",
                     self.lake, self.models, self.checkpoints, self.dagster_home):
            path.mkdir(parents=True, exist_ok=True)
        config = self.dagster_home / "dagster.yaml"
        template = Template(DAGSTER_YAML_TEMPLATE.read_text())
        rendered = template.substitute(dagster_home=str(self.dagster_home))
        if not config.exists() or config.read_text() != rendered:
            write_text_atomically(config, rendered)
        return self
