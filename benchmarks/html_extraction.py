"""Main-text extraction: speed and accuracy of Resiliparse vs trafilatura on real pages.

Ground truth: the Python documentation ships each HTML page's reStructuredText source
(`_sources/<page>.rst.txt`), so word-level F1 between extracted text and source is measurable.
Needs Debian's `python3.11-doc`. Run: `.venv/bin/python benchmarks/html_extraction.py`.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from pathlib import Path

import trafilatura

from flywheel.crawl.extract import extract_main_text

DOCS = Path("/usr/share/doc/python3.11/html")
WORD = re.compile(r"[A-Za-z]{3,}")


def word_f1(predicted: str, truth: str) -> float:
    pred, gold = Counter(WORD.findall(predicted.lower())), Counter(WORD.findall(truth.lower()))
    overlap = sum((pred & gold).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    pairs = []
    for source in sorted((DOCS / "_sources").rglob("*.rst.txt")):
        page = DOCS / source.relative_to(DOCS / "_sources").as_posix().removesuffix(".rst.txt")
        page = page.with_suffix(".html")
        if page.exists():
            pairs.append((page.read_text(errors="replace"), source.read_text(errors="replace")))
    pairs = pairs[: args.pages]
    extractors = {
        "resiliparse (flywheel)": lambda html: extract_main_text(html).text,
        "trafilatura": lambda html: trafilatura.extract(html, include_comments=False) or "",
    }
    print(f"{len(pairs)} Python-docs pages, word F1 against their reStructuredText sources")
    results = {}
    for name, extract in extractors.items():
        start = time.perf_counter()
        texts = [extract(html) for html, _ in pairs]
        seconds = time.perf_counter() - start
        f1 = sum(word_f1(t, src) for t, (_, src) in zip(texts, pairs)) / len(pairs)
        results[name] = (len(pairs) / seconds, f1)
        print(f"{name:24s} {len(pairs) / seconds:8.1f} pages/s   mean word F1 {f1:.3f}")
    (fast_rate, fast_f1), (slow_rate, slow_f1) = results.values()
    print(f"speed ratio resiliparse/trafilatura: {fast_rate / slow_rate:.1f}x; F1 difference {fast_f1 - slow_f1:+.3f}")


if __name__ == "__main__":
    main()
