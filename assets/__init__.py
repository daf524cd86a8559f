"""Flywheel's software-defined assets: `assets.data` (curation) and `assets.training`."""
