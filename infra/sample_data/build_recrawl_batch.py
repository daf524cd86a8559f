"""Build the second bundled crawl batch: the Python docs crawled again a month later.

It shows incremental deduplication in the demo. From the pages of sample-0001 (every 3rd docs
page), every 2nd one is fetched again: half unchanged (exact duplicates of batch 1), half with a
revision note added to the body (near duplicates); plus pages batch 1 did not have (new). All
text is the real Python 3.11 documentation (Debian `python3.11-doc`, licence in
sample_data/LICENSES.md); only the one-sentence revision note is made up.

    .venv/bin/python infra/sample_data/build_recrawl_batch.py
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from datetime import datetime, timezone
from pathlib import Path

from warcio.warcwriter import WARCWriter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_sample_crawl import PYTHON_DOCS, _Clock, _write_response, _write_warcinfo  # noqa: E402

RECRAWL_START = datetime(2026, 12, 1, tzinfo=timezone.utc)
REVISION_NOTE = ("<p>Revised on 1 December 2026: examples were checked against the latest "
                 "maintenance release.</p>")
_FIRST_PARAGRAPH = re.compile(rb"(<div class=\"body\" role=\"main\">.*?</p>)", re.DOTALL)


def _revised(html: bytes) -> bytes:
    return _FIRST_PARAGRAPH.sub(lambda m: m.group(1) + REVISION_NOTE.encode(), html, count=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("flywheel/bundled/sample/crawl/sample-0002"))
    args = parser.parse_args()
    pages = sorted(p for p in PYTHON_DOCS.rglob("*.html") if "_static" not in p.parts)
    recrawled = pages[::3][::2]  # in sample-0001 (which took every 3rd page)
    new = pages[1::3][::4]
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    clock = _Clock()
    clock._now = RECRAWL_START
    counts = {"unchanged": 0, "revised": 0, "new": 0}
    path = args.out / "python-docs-recrawl.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        _write_warcinfo(writer, path.name)
        for i, page in enumerate(recrawled + new):
            html = page.read_bytes()
            if i >= len(recrawled):
                kind = "new"
            elif i % 2 and _FIRST_PARAGRAPH.search(html):
                html, kind = _revised(html), "revised"
            else:
                kind = "unchanged"
            counts[kind] += 1
            rel = page.relative_to(PYTHON_DOCS).as_posix()
            _write_response(writer, f"https://docs.python.org/3.11/{rel}", html, "text/html; charset=utf-8",
                            clock.tick())
    print(json.dumps({**counts, "bytes": path.stat().st_size, "out": str(path)}, indent=2))


if __name__ == "__main__":
    main()
