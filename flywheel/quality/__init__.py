"""Data quality: great-expectations (GX 1.x) suites for Flywheel's datasets, run quietly."""
