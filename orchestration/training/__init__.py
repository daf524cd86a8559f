"""Dagster glue every training asset shares: run config, launching a training run, and inputs."""
