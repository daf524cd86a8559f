"""Dagster config from the plain pydantic settings that domain code takes, and back.

Domain code (`flywheel/`) declares its knobs once, as pydantic settings with defaults and
descriptions. `config_class` derives the Dagster `Config` twin that the launchpad edits (same
fields, same defaults, nested settings as nested twins); `settings_of` turns a config back into
the plain settings.
"""

from functools import cache
from typing import TypeVar

import dagster as dg
from pydantic import BaseModel, Field, create_model

Settings = TypeVar("Settings", bound=BaseModel)


@cache
def config_class(settings_class: type[BaseModel]) -> type[dg.Config]:
    """The Dagster `Config` twin of `settings_class`: `FooSettings` -> `FooConfig`.

    Subclass it to add asset-only fields or a docstring for the launchpad."""
    nested = {
        name: (config_class(field.annotation), Field(default=config_class(field.annotation)(),
                                                     description=field.description))
        for name, field in settings_class.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)}
    name = settings_class.__name__.removesuffix("Settings") + "Config"
    return create_model(name, __base__=(dg.Config, settings_class), __doc__=settings_class.__doc__,
                        __module__=settings_class.__module__, **nested)


def settings_of(config: dg.Config, settings_class: type[Settings]) -> Settings:
    """The `settings_class` fields of a config that carries them (same names, same defaults)."""
    return settings_class(**{name: getattr(config, name) for name in settings_class.model_fields})
