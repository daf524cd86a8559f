"""HTML to main text with Resiliparse.

Resiliparse was chosen over trafilatura by `benchmarks/html_extraction.py` (README, "HTML
extraction"): it is many times faster at comparable word-level accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding
from resiliparse.parse.html import HTMLTree


@dataclass(frozen=True)
class ExtractedText:
    title: str | None
    text: str


def extract_main_text(html: str) -> ExtractedText:
    """Main content of a page (navigation, footers and scripts removed) and its title."""
    tree = HTMLTree.parse(html)
    text = extract_plain_text(tree, main_content=True, alt_texts=False, links=False,
                              form_fields=False, noscript=False, list_bullets=True)
    title = (tree.title or "").strip() or None
    return ExtractedText(title=title, text=text)


def decode_payload(payload: bytes, declared_charset: str | None) -> str:
    """Decode with the declared charset when it decodes cleanly, else with a detected one.

    Bytes that fit neither become U+FFFD; callers judge how many of those are acceptable.
    """
    if declared_charset:
        try:
            return payload.decode(declared_charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return bytes_to_str(payload, detect_encoding(payload))
