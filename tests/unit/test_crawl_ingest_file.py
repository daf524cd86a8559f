"""Every bad-input case ends as a reject row with the right reason; good records become documents."""

import gzip

import pyarrow.parquet as pq
import pytest

from flywheel.crawl.documents import IngestLimits
from flywheel.crawl.ingest import CrawlFile, ingest_file, local_readers
from tests.crawl_files import PAGE, warc_bytes, write_jsonl, write_warc

OK = "200 OK"
HTML = "text/html; charset=utf-8"


def ingest(path, limits=IngestLimits()):
    docs, rejects = path.parent / f"{path.name}.docs.parquet", path.parent / f"{path.name}.rejects.parquet"
    report = ingest_file(CrawlFile(str(path), path.name, path.stat().st_size), str(docs), str(rejects), limits)
    return report, pq.read_table(docs).to_pylist(), pq.read_table(rejects).to_pylist()


def test_good_warc_records_become_documents(tmp_path):
    path = write_warc(tmp_path / "ok.warc.gz", [("https://www.example.org/gd", PAGE, HTML, OK)])
    report, docs, rejects = ingest(path)
    assert rejects == [] and report.documents == 1
    doc = docs[0]
    assert doc["domain"] == "example.org" and doc["title"] == "Flywheel test page"
    assert "negative gradient" in doc["text"] and "<p>" not in doc["text"]
    assert doc["content_type"] == "text/html" and doc["fetch_time"] is not None
    assert len(doc["doc_id"]) == 32


@pytest.mark.parametrize("payload, content_type, status, reason", [
    (PAGE, HTML, "404 Not Found", "http_error_status"),
    (b"%PDF-1.4 binary", "application/pdf", OK, "non_html_payload"),
    (b"", HTML, OK, "empty_document"),
    (b"<html><body><script>var x = 1;</script></body></html>", HTML, OK, "empty_document"),
    (bytes(range(256)) * 2, HTML, OK, "undecodable_bytes"),
    (PAGE * 3, HTML, OK, "document_too_large"),
])
def test_bad_warc_records_are_rejected_with_reason(tmp_path, payload, content_type, status, reason):
    path = write_warc(tmp_path / "bad.warc.gz", [("https://example.org/bad", payload, content_type, status),
                                                 ("https://example.org/good", PAGE, HTML, OK)])
    report, docs, rejects = ingest(path, IngestLimits(max_payload_bytes=len(PAGE) * 2))
    assert [r["reason"] for r in rejects] == [reason]
    assert rejects[0]["url"] == "https://example.org/bad" and rejects[0]["detail"]
    assert [d["url"] for d in docs] == ["https://example.org/good"]  # the run goes on


def test_truncated_gzip_keeps_the_records_before_the_cut(tmp_path):
    whole = warc_bytes([(f"https://example.org/{i}", PAGE, HTML, OK) for i in range(3)], gzipped=True)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(whole[: len(whole) * 5 // 6])
    _, docs, rejects = ingest(path)
    assert len(docs) == 2
    assert [r["reason"] for r in rejects] == ["truncated_gzip"]


def test_corrupt_gzip_is_rejected(tmp_path):
    whole = bytearray(warc_bytes([("https://example.org/a", PAGE, HTML, OK)], gzipped=True))
    whole[40:60] = b"\xff" * 20
    path = tmp_path / "corrupt.warc.gz"
    path.write_bytes(bytes(whole))
    _, docs, rejects = ingest(path)
    assert docs == [] and [r["reason"] for r in rejects] == ["corrupt_gzip"]


def test_record_with_wrong_length_fails_its_digest(tmp_path):
    raw = warc_bytes([("https://example.org/a", PAGE, HTML, OK)], gzipped=False)
    path = tmp_path / "tampered.warc"
    path.write_bytes(raw.replace(b"Gradient descent takes", b"Gradient_descent_takes"))
    _, docs, rejects = ingest(path)
    assert docs == [] and [r["reason"] for r in rejects] == ["malformed_record"]
    assert "digest" in rejects[0]["detail"]


def test_not_a_warc_file_is_a_malformed_record(tmp_path):
    path = tmp_path / "junk.warc"
    path.write_bytes(b"this is not a WARC file at all\n" * 10)
    _, docs, rejects = ingest(path)
    assert docs == [] and {r["reason"] for r in rejects} == {"malformed_record"}


def test_wet_conversion_records_are_text_documents(tmp_path):
    import io

    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    writer.write_record(writer.create_warc_record(
        "https://example.org/text", "conversion", payload=io.BytesIO(b"Plain extracted text.\nLine two."),
        warc_content_type="text/plain"))
    path = tmp_path / "x.warc.wet.gz"
    path.write_bytes(out.getvalue())
    _, docs, rejects = ingest(path)
    assert rejects == [] and docs[0]["text"] == "Plain extracted text.\nLine two."
    assert docs[0]["source_format"] == "wet"


def test_jsonl_lines_each_get_their_reason(tmp_path):
    path = write_jsonl(tmp_path / "lines.jsonl.gz", [
        {"url": "https://example.org/t", "text": "A real sentence of text.", "fetch_time": "2026-01-02T03:04:05Z"},
        {"url": "https://example.org/h", "html": PAGE.decode()},
        b"{not json",
        ["a", "list"],
        {"text": "no url"},
        {"url": "https://example.org/n", "text": 42},
        {"url": "https://example.org/e", "text": "   "},
        {"url": "https://example.org/d", "text": "x", "fetch_time": "yesterday"},
        {"url": "not a url", "text": "hello"},
        b"\xff\xfe not utf-8",
        {"url": "https://example.org/big", "text": "y" * 5000},
    ], gzipped=True)
    report, docs, rejects = ingest(path, IngestLimits(max_payload_bytes=4000))
    assert [d["url"] for d in docs] == ["https://example.org/t", "https://example.org/h"]
    assert docs[1]["title"] == "Flywheel test page"
    assert [(r["record_locator"], r["reason"]) for r in rejects] == [
        ("line 3", "invalid_json"), ("line 4", "invalid_json"), ("line 5", "missing_field"),
        ("line 6", "invalid_field_type"), ("line 7", "empty_document"),
        ("line 8", "invalid_field_type"), ("line 9", "invalid_url"), ("line 10", "undecodable_bytes"),
        ("line 11", "document_too_large")]
    assert sum(report.rejections.values()) == 9


def test_truncated_jsonl_gzip(tmp_path):
    data = gzip.compress(b"".join(b'{"url": "https://e.org/%d", "text": "line %d"}\n' % (i, i)
                                  for i in range(2000)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    _, docs, rejects = ingest(path)
    assert 0 < len(docs) < 2000 and [r["reason"] for r in rejects] == ["truncated_gzip"]


def test_unsupported_file_is_one_reject(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    _, docs, rejects = ingest(path)
    assert docs == [] and [r["reason"] for r in rejects] == ["unsupported_file"]


def test_local_readers_start_only_when_each_has_enough_to_read():
    mib = 2**20

    def files(*sizes_mib: int) -> list[CrawlFile]:
        return [CrawlFile(f"f{i}", f"f{i}", size * mib) for i, size in enumerate(sizes_mib)]

    assert local_readers(files(1, 1, 2), max_readers=2, min_bytes_per_reader=16 * mib) == 1  # the sample: this process
    assert local_readers(files(20, 20), max_readers=2, min_bytes_per_reader=16 * mib) == 2
    assert local_readers(files(200, 200, 200), max_readers=2, min_bytes_per_reader=16 * mib) == 2  # at most the cores
    assert local_readers(files(100), max_readers=8, min_bytes_per_reader=16 * mib) == 1  # one file, one reader
    assert local_readers([], max_readers=2, min_bytes_per_reader=16 * mib) == 1
