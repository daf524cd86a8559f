"""Turn a fetched record into a document, or into a reject row that says why not.

The checks run in a fixed order (status, size, content type, decoding, extraction, emptiness)
and the first one that fails names the reason, so every reject has exactly one reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from flywheel.crawl.extract import decode_payload, extract_main_text
from flywheel.crawl.records import CrawlDocument, FetchedRecord, Rejection, RejectReason, document_id

HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_HTML_SNIFF = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)", re.IGNORECASE | re.DOTALL)
# Characters that do not occur in real text: replacement characters from failed decoding and
# C0 controls other than tab, newline, form feed and carriage return.
_NOT_TEXT = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f]")
_SPACE_RUNS = re.compile(r"[ \t]+\n")
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class IngestLimits:
    """Bounds that keep one bad record from hurting the run. Defaults suit web crawls."""

    max_payload_bytes: int = 2_000_000  # Common Crawl truncates payloads at 1 MiB
    max_text_chars: int = 500_000
    max_not_text_share: float = 0.01


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """`text/html; charset=UTF-8` -> (`text/html`, `utf-8`)."""
    if not value:
        return None, None
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("'\"").lower()
    return media_type.strip().lower() or None, charset


def url_domain(url: str) -> str | None:
    """Lower-case host without a leading `www.`; None where the URL has no host."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def normalize_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACE_RUNS.sub("\n", text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def build_document(record: FetchedRecord, source_file: str, limits: IngestLimits) -> CrawlDocument | Rejection:
    def reject(reason: RejectReason, detail: str) -> Rejection:
        return Rejection(
            source_file=source_file, source_format=record.source_format,
            record_locator=record.record_locator, url=record.url, reason=reason, detail=detail,
            content_type=record.content_type, content_bytes=record.payload_bytes,
            snippet=record.payload[:200].decode("utf-8", errors="replace"))

    domain = url_domain(record.url)
    if domain is None:
        return reject(RejectReason.INVALID_URL, f"no host in URL {record.url!r}")
    if record.http_status is not None and not 200 <= record.http_status < 300:
        return reject(RejectReason.HTTP_ERROR_STATUS, f"HTTP status {record.http_status}")
    if record.payload_bytes > limits.max_payload_bytes:
        return reject(RejectReason.DOCUMENT_TOO_LARGE,
                      f"{record.payload_bytes} payload bytes > limit {limits.max_payload_bytes}")

    media_type, charset = parse_content_type(record.content_type)
    if record.is_html and media_type not in HTML_MEDIA_TYPES:
        if media_type is not None or not _HTML_SNIFF.match(record.payload[:1024]):
            return reject(RejectReason.NON_HTML_PAYLOAD, f"content type {media_type or 'missing'}")

    decoded = decode_payload(record.payload, charset or "utf-8")
    not_text = len(_NOT_TEXT.findall(decoded))
    if decoded and not_text / len(decoded) > limits.max_not_text_share:
        return reject(RejectReason.UNDECODABLE_BYTES,
                      f"{not_text} of {len(decoded)} characters are undecodable or control characters")

    title = None
    if record.is_html:
        extracted = extract_main_text(decoded)
        title, decoded = extracted.title, extracted.text
    text = normalize_text(decoded)
    if not text:
        return reject(RejectReason.EMPTY_DOCUMENT, "no text after extraction")
    if len(text) > limits.max_text_chars:
        return reject(RejectReason.DOCUMENT_TOO_LARGE, f"{len(text)} characters > limit {limits.max_text_chars}")

    return CrawlDocument(
        doc_id=document_id(record.url, text), url=record.url, domain=domain,
        fetch_time=record.fetch_time, title=title, text=text, text_chars=len(text),
        content_type=media_type, content_bytes=record.payload_bytes, source_file=source_file,
        source_format=record.source_format, record_locator=record.record_locator)
