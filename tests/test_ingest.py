"""Ingest: every format read, every bad input named with a reason, the rest goes on."""

from __future__ import annotations

import gzip
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from newsloom.ingest import read_inputs
from newsloom.models import Document, Skipped

from .conftest import EXAMPLES, SEEDS


def split(items):
    docs = [i for i in items if isinstance(i, Document)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    return docs, skipped


def test_seed_folder_reads_the_two_articles_and_not_the_readme():
    docs, skipped = split(list(read_inputs([str(SEEDS)])))
    assert [d.kind for d in docs] == ["text", "text"]
    assert all(d.id.endswith(".txt") for d in docs)
    assert skipped == []


def test_sample_corpus_covers_every_format():
    docs, skipped = split(list(read_inputs([str(EXAMPLES)])))
    assert skipped == []
    kinds = {d.origin.rsplit(".", 1)[-1]: d.kind for d in docs}
    assert kinds == {"html": "html", "rss": "html", "jsonl": "article", "txt": "text"}
    feed = [d for d in docs if d.origin.endswith(".rss")]
    assert feed[0].source == "Meadowbrook Times" and feed[0].published == "2026-03-12T22:40:00"


def _skip_reason(tmp_path, name, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    good = tmp_path / "good.txt"
    good.write_text("A real line of an article that says something about the town council today.")
    docs, skipped = split(list(read_inputs([str(path), str(good)])))
    assert [d.id for d in docs] == [str(good)], "the good file must still be read"
    assert len(skipped) == 1 and skipped[0].path == str(path)
    return skipped[0].reason


def test_empty_file(tmp_path):
    assert "empty file" in _skip_reason(tmp_path, "empty.txt", b"")


def test_binary_file(tmp_path):
    assert "binary" in _skip_reason(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)


def test_latin1_file(tmp_path):
    reason = _skip_reason(tmp_path, "latin.txt", "Café au lait, São Paulo, Zürich.".encode("latin-1"))
    assert "not valid UTF-8" in reason and "iconv" in reason


def test_utf16_file(tmp_path):
    reason = _skip_reason(tmp_path, "wide.txt", "A UTF-16 article.".encode("utf-16"))
    assert "UTF-16" in reason


def test_truncated_gzip(tmp_path):
    data = gzip.compress(b"<html><body><p>Some article text here.</p></body></html>" * 50)
    assert "gzip" in _skip_reason(tmp_path, "page.html.gz", data[: len(data) // 2])


def test_feed_that_is_not_xml(tmp_path):
    assert "not a readable RSS/Atom feed" in _skip_reason(tmp_path, "feed.rss", b"this is not a feed at all { ] <")


def test_missing_path(tmp_path):
    docs, skipped = split(list(read_inputs([str(tmp_path / "nope.txt")])))
    assert docs == [] and "no such file" in skipped[0].reason


def test_huge_file(tmp_path):
    from newsloom.ingest import IngestConfig

    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * 400_000)
    docs, skipped = split(list(read_inputs([str(path)], IngestConfig(max_file_bytes=1_000_000))))
    assert docs == [] and "over the limit" in skipped[0].reason


def test_malformed_jsonl_line_skips_only_that_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "1", "title": "First", "text": "Body one."}),
        '{"id": "2", "title": "Broken", "text": ',
        json.dumps({"id": "3", "text": "Body three, no title."}),
        json.dumps({"title": "no id", "text": "x"}),
    ]))
    docs, skipped = split(list(read_inputs([str(path)])))
    assert [d.id for d in docs] == ["1", "3"]
    assert [s.path for s in skipped] == [f"{path}:2", f"{path}:4"]
    assert "malformed JSON" in skipped[0].reason and "id" in skipped[1].reason


def test_warc_response_records(tmp_path):
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        html = (EXAMPLES / "coastal-herald-bridge.html").read_bytes()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://coastal.example/bridge", "response",
                                                      payload=BytesIO(html), http_headers=headers))
    docs, skipped = split(list(read_inputs([str(path)])))
    assert skipped == [] and docs[0].url == "https://coastal.example/bridge" and docs[0].kind == "html"


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_a_document_or_a_reason(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "input.txt"
    path.write_bytes(data)
    items = list(read_inputs([str(path)]))
    assert len(items) >= 1
    for item in items:
        assert isinstance(item, (Document, Skipped))
        if isinstance(item, Skipped):
            assert item.reason
