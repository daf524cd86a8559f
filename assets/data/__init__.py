"""Curation assets: crawl ingestion and, downstream, filtering, dedup and quality scoring."""
