"""Heuristic crawl filtering (URL blocklist, language id, Gopher, C4, FineWeb), Spark-free logic."""
