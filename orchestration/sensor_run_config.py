"""Run config for the runs a sensor requests: nobody edits those in the launchpad, so a YAML file
named by an environment variable (read at every tick) sets what the job's defaults do not."""

import os
from pathlib import Path

import yaml


def sensor_run_config(variable: str) -> dict:
    """The run config (the launchpad's YAML: `ops: {asset: {config: ...}}`) in the file that
    `variable` names; empty, so the job's defaults apply, when it is unset."""
    path = os.environ.get(variable)
    if not path:
        return {}
    try:
        config = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"{variable}={path}: not a readable YAML run config: {error}") from error
    if not isinstance(config, dict):
        raise ValueError(f"{variable}={path}: a run config is a mapping (ops: ...), not {type(config).__name__}")
    return config
