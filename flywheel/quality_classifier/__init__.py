"""fastText document quality classifier, the DCLM way: reference text vs crawl, then keep the best."""
