"""Where rank 0 sends progress: the Dagster run (through Dagster Pipes) when launched by an asset,
else stdout; and always the run's metrics JSONL, from which the loss curve is drawn.

Only the lightweight `dagster-pipes` protocol package is used here, not Dagster itself.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from flywheel.atomic_files import write_text_atomically


class Reporter:
    def __init__(self, metrics_path: str, enabled: bool) -> None:
        self.metrics_path = Path(metrics_path)
        self.enabled = enabled
        self._pipes = None
        if enabled:
            from dagster_pipes import DAGSTER_PIPES_CONTEXT_ENV_VAR, open_dagster_pipes

            if DAGSTER_PIPES_CONTEXT_ENV_VAR in os.environ:
                self._pipes = open_dagster_pipes()

    def log(self, message: str) -> None:
        if not self.enabled:
            return
        if self._pipes is not None:
            self._pipes.log.info(message)
        else:
            print(message, file=sys.stderr, flush=True)

    def restart_metrics_after(self, step: int) -> None:
        """Drop metric lines past `step` (a resumed run repeats them), keeping the curve continuous."""
        if not self.enabled or not self.metrics_path.exists():
            return
        kept = [line for line in self.metrics_path.read_text().splitlines()
                if line and json.loads(line)["step"] <= step]
        write_text_atomically(self.metrics_path, "".join(f"{line}\n" for line in kept))

    def metrics(self, step: int, values: dict) -> None:
        if not self.enabled:
            return
        self.metrics_path.parent.mkdir(parents=True, exist_ok=True)
        with self.metrics_path.open("a") as handle:
            handle.write(json.dumps({"step": step, **values}) + "\n")
        self.log(f"step {step}: " + ", ".join(f"{k} {_fmt(v)}" for k, v in values.items()))

    def finish(self, summary: dict) -> None:
        """Final metadata: reported as the asset's materialization under Pipes."""
        if not self.enabled:
            return
        if self._pipes is not None:
            self._pipes.report_asset_materialization(metadata=summary)
        else:
            print(json.dumps(summary, indent=2), flush=True)

    def close(self) -> None:
        if self._pipes is not None:
            self._pipes.close()
            self._pipes = None


def _fmt(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
