"""Curation ablations (DCLM-style): the same model recipe trained on each curation stage's output,
evaluated on the same held-out text, so a change to curation shows in the model, not only in row
counts."""
