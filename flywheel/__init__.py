"""Flywheel domain logic: plain Python with no Dagster import, tested directly.

The Dagster layer (`orchestration/`, `assets/`, `jobs/`, `sensors/`) wraps these modules.
"""
