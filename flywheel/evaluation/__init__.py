"""Evaluation: held-out sets disjoint from training, a model's per-item results (lm-eval plus
Flywheel's own metrics), paired comparison with production, and the promotion gate's rules."""
