"""Build small WARC and JSONL files for tests with warcio, the way a crawler writes them."""

import gzip
import io
import json
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

PAGE = (b"<html><head><title>Flywheel test page</title></head><body><article>"
        b"<h1>Gradient descent</h1><p>Gradient descent takes small steps downhill on the loss "
        b"surface until the loss stops falling. Each step follows the negative gradient.</p>"
        b"<p>The learning rate sets the size of each step; too large and training diverges.</p>"
        b"</article></body></html>")


def warc_bytes(records: list[tuple], gzipped: bool) -> bytes:
    """records: (url, payload, content_type, status) response records."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    for url, payload, content_type, status in records:
        http_headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload),
                                                      http_headers=http_headers))
    return out.getvalue()


def write_warc(path: Path, records: list[tuple], gzipped: bool = True) -> Path:
    path.write_bytes(warc_bytes(records, gzipped))
    return path


def write_jsonl(path: Path, lines: list, gzipped: bool = False) -> Path:
    data = b"".join((line if isinstance(line, bytes) else json.dumps(line).encode()) + b"\n"
                    for line in lines)
    path.write_bytes(gzip.compress(data) if gzipped else data)
    return path
