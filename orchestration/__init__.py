"""Dagster wiring for Flywheel: resources, partitions, metadata helpers, the CLI and `defs`."""
