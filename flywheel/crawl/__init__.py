"""Crawl ingestion: read WARC/WET/JSONL files, extract main text, explain every reject."""
