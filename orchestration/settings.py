"""From Dagster config to the plain pydantic settings that domain code takes."""

from typing import TypeVar

import dagster as dg
from pydantic import BaseModel

Settings = TypeVar("Settings", bound=BaseModel)


def settings_of(config: dg.Config, settings_class: type[Settings]) -> Settings:
    """The `settings_class` fields of a config that carries them (same names, same defaults)."""
    return settings_class(**{name: getattr(config, name) for name in settings_class.model_fields})
