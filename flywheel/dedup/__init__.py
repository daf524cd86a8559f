"""Exact and MinHash near-duplicate removal, within a crawl batch and against earlier batches."""
