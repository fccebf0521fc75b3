"""Ingest: every format read, every bad input named with a reason, the rest goes on."""

from __future__ import annotations

import gzip
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from newsloom.ingest import IngestConfig, read_inputs
from newsloom.models import Document, Skipped

from .ccnews import RECORDS, write_records
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


# ---------------------------------------------------------------- hostile inputs (issue 18)

ARTICLE = "The council approved the new bridge on Monday after a long debate about its cost and route."


def good_line(n: int) -> str:
    return json.dumps({"id": f"good-{n}", "title": f"Story {n}", "text": f"{ARTICLE} Item {n}."})


def test_one_bad_byte_costs_its_line_only(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [good_line(n).encode() for n in range(1, 601)]
    lines[300] = lines[300][:40] + b"\xff\xfe" + lines[300][40:]  # line 301
    path.write_bytes(b"\n".join(lines) + b"\n")
    docs, skipped = split(list(read_inputs([str(path)])))
    assert len(docs) == 599 and "good-301" not in {d.id for d in docs}
    assert [s.path for s in skipped] == [f"{path}:301"]
    assert "not valid UTF-8" in skipped[0].reason and "0xff" in skipped[0].reason


def test_wrong_json_types_are_named_per_line(tmp_path):
    path = tmp_path / "typed.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "a", "text": 12}),
        json.dumps({"id": "b", "text": True}),
        json.dumps({"id": True, "text": ARTICLE}),
        json.dumps({"id": 7, "text": ARTICLE}),
        json.dumps({"id": "c", "text": ARTICLE, "date": 2023}),
        json.dumps({"id": "d", "text": ARTICLE, "title": ["a", "list"]}),
        json.dumps([1, 2, 3]),
        json.dumps({"id": "e", "text": ARTICLE, "title": None}),
    ]))
    docs, skipped = split(list(read_inputs([str(path)])))
    assert [d.id for d in docs] == ["7", "e"]
    reasons = {s.path.rsplit(":", 1)[1]: s.reason for s in skipped}
    assert set(reasons) == {"1", "2", "3", "5", "6", "7"}
    assert "text is a number (12)" in reasons["1"]
    assert "text is true (a boolean)" in reasons["2"]
    assert "id is true (a boolean)" in reasons["3"]
    assert "date is a number" in reasons["5"] and "title is a list" in reasons["6"]
    assert "a list, not a JSON object" in reasons["7"]


def test_deep_and_lone_surrogate_lines(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("\n".join([
        "[" * 100_000 + "]" * 100_000,
        '{"id": "s", "text": "bad \\ud800 escape"}',
        '{"id": "n", "text": "x", "title": ' + "9" * 5000 + "}",
        good_line(4),
    ]))
    docs, skipped = split(list(read_inputs([str(path)])))
    assert [d.id for d in docs] == ["good-4"]
    assert [s.path for s in skipped] == [f"{path}:1", "s", f"{path}:3"]
    assert "nested too deeply" in skipped[0].reason and "surrogate" in skipped[1].reason


def test_a_line_over_the_cap_is_skipped_and_the_next_read(tmp_path):
    from newsloom.ingest import IngestConfig

    path = tmp_path / "big.jsonl.gz"
    big = json.dumps({"id": "big", "text": "word " * 300_000})
    path.write_bytes(gzip.compress("\n".join([good_line(1), big, good_line(3)]).encode()))
    docs, skipped = split(list(read_inputs([str(path)], IngestConfig(max_file_bytes=1_000_000))))
    assert [d.id for d in docs] == ["good-1", "good-3"]
    assert skipped[0].path == f"{path}:2" and "over 1,000,000 bytes" in skipped[0].reason


def test_bounded_lines_never_holds_more_than_the_cap():
    import io

    from newsloom.ingest import bounded_lines

    data = b"short\n" + b"x" * 5000 + b"\nlast line without end"
    assert list(bounded_lines(io.BytesIO(data), 1000, chunk_size=7)) == [
        (1, b"short"), (2, None), (3, b"last line without end")]
    assert list(bounded_lines(io.BytesIO(b"a\n\nb\n"), 1000, chunk_size=1)) == [(1, b"a"), (2, b""), (3, b"b")]


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(st.sampled_from(["good", "blank", "bad json", "no id", "long"]), max_size=30),
       size=st.integers(1, 8), chunk=st.integers(1, 64), end=st.booleans(), gz=st.booleans())
def test_the_parts_of_a_jsonl_file_read_as_the_whole_does(tmp_path_factory, lines, size, chunk, end, gz):
    """Read part by part from their byte offsets, a JSON Lines file gives the items of the
    whole, bad lines named by their line numbers in the file; every part holds at most
    ``size`` lines and the parts differ by a line at most."""
    from newsloom.ingest import IngestConfig, jsonl_parts, read_file

    made = {"good": lambda n: json.dumps({"id": f"a{n}", "text": f"text {n} é"}), "blank": lambda n: "",
            "bad json": lambda n: "{oops", "no id": lambda n: json.dumps({"text": "x"}),
            "long": lambda n: json.dumps({"id": f"l{n}", "text": "w" * 1200})}
    data = ("\n".join(made[kind](n) for n, kind in enumerate(lines)) + ("\n" if end and lines else "")).encode()
    path = tmp_path_factory.mktemp("parts") / ("a.jsonl.gz" if gz else "a.jsonl")
    path.write_bytes(gzip.compress(data) if gz else data)
    config = IngestConfig(max_file_bytes=1000)
    whole = list(read_file(str(path), config))
    parts = jsonl_parts(str(path), size, chunk_size=chunk)
    if len(parts) == 1:
        assert parts[0].start == 0 and parts[0].stop is None
        return
    assert all(p.stop == q.start and p.end == q.offset for p, q in zip(parts, parts[1:]))
    count = data.count(b"\n") + (not data.endswith(b"\n"))  # a last line without its end of line counts
    counts = [p.stop - p.start for p in parts[:-1]] + [count - parts[-1].start]
    assert max(counts) <= size and max(counts) - min(counts) <= 1
    assert [item for part in parts for item in read_file(str(path), config, part=part)] == whole


@settings(max_examples=60, deadline=None)
@given(kinds=st.lists(st.sampled_from(RECORDS), min_size=2, max_size=16), size=st.integers(1, 4), gz=st.booleans())
def test_the_parts_of_a_warc_archive_read_as_the_whole_does(tmp_path_factory, kinds, size, gz):
    """Read part by part from their byte offsets, a WARC archive (our pages, and records that
    are not pages, too large or not text among them) gives the items of the whole; every part
    holds at most ``size`` HTML response records and the parts differ by one at most."""
    from newsloom.ingest import WHOLE, IngestConfig, read_file, warc_parts

    path = write_records(tmp_path_factory.mktemp("warc") / ("a.warc.gz" if gz else "a.warc"), kinds, gz=gz)
    config = IngestConfig(max_file_bytes=50_000)
    whole = list(read_file(str(path), config))
    parts = warc_parts(str(path), size, config)
    pages = sum(kind in ("page", "large", "binary") for kind in kinds)
    if pages <= size:
        assert parts == [WHOLE]
        return
    assert all(p.stop == q.start and p.end == q.offset for p, q in zip(parts, parts[1:]))
    counts = [p.stop - p.start for p in parts[:-1]] + [pages - parts[-1].start]
    assert max(counts) <= size and max(counts) - min(counts) <= 1
    data = path.read_bytes()
    assert all(data[p.offset:p.offset + 2] == b"\x1f\x8b" if gz else data[p.offset:].startswith(b"WARC/")
               for p in parts)
    read = [list(read_file(str(path), config, part=part)) for part in parts]
    assert [item for items in read for item in items] == whole and [len(items) for items in read] == counts
    assert sum(isinstance(item, Skipped) for item in whole) == kinds.count("large") + kinds.count("binary")


def test_a_warc_archive_read_with_a_fault_is_one_part_reported_as_ingest_does(tmp_path):
    """Cut, it could give what the whole does not (a range after the fault would be read): so
    an archive with a corrupt record, gzipped as one member, or with a page whose reading ends
    the file's stays whole, and reading it says what ``ingest`` says. One cut short at its end
    reads without a fault for warcio, whole or in parts alike."""
    from newsloom.ingest import WHOLE, read_file, warc_parts

    config = IngestConfig()
    good = write_records(tmp_path / "good.warc.gz", ["page"] * 6)
    parts = warc_parts(str(good), 2, config)
    assert len(parts) == 3
    corrupt = tmp_path / "corrupt.warc.gz"
    data = bytearray(good.read_bytes())
    data[parts[1].offset + 400:parts[1].offset + 440] = bytes(40)  # inside the third page's gzip member
    corrupt.write_bytes(data)
    one_member = tmp_path / "one-member.warc.gz"
    one_member.write_bytes(gzip.compress(gzip.decompress(good.read_bytes())))
    charset = write_records(tmp_path / "charset.warc", ["page", "page", "undecodable", "page", "page", "page"],
                            gz=False)
    for path in (corrupt, one_member, charset):
        assert warc_parts(str(path), 2, config) == [WHOLE], path.name
        docs, skipped = split(list(read_inputs([str(path)])))
        assert skipped and "not a readable WARC archive" in skipped[-1].reason and len(docs) < 6, path.name
    short = tmp_path / "short.warc.gz"
    short.write_bytes(good.read_bytes()[:-300])
    parts = warc_parts(str(short), 2, config)
    assert len(parts) == 3
    assert [item for part in parts for item in read_file(str(short), config, part=part)] == \
        list(read_file(str(short), config))


def test_page_over_the_line_cap_is_reported(tmp_path):
    from newsloom.ingest import IngestConfig

    path = tmp_path / "many.txt"
    path.write_text("short line\n" * 5000)
    docs, skipped = split(list(read_inputs([str(path)], IngestConfig(max_page_lines=1000))))
    assert docs == [] and "5,001 lines, over the limit of 1,000" in skipped[0].reason


def test_html_over_the_tag_cap_is_reported(tmp_path):
    from newsloom.ingest import IngestConfig

    path = tmp_path / "many.html"
    path.write_text("<html><body>" + "<p>x</p>" * 3000 + "</body></html>")
    docs, skipped = split(list(read_inputs([str(path)], IngestConfig(max_html_tags=1000))))
    assert docs == [] and "tags, over the limit of 1,000" in skipped[0].reason


def test_a_file_name_that_is_not_utf8_is_reported_escaped(tmp_path):
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    os.close(os.open(os.fsencode(folder) + b"/caf\xe9.txt", os.O_WRONLY | os.O_CREAT))
    with open(os.fsencode(folder) + b"/caf\xe9.txt", "w") as handle:
        handle.write(ARTICLE)
    (folder / "good.txt").write_text(ARTICLE)
    docs, skipped = split(list(read_inputs([str(folder)])))
    assert [d.id for d in docs] == [str(folder / "good.txt")]
    assert skipped[0].path == f"{folder}/caf\\xe9.txt" and "not valid UTF-8" in skipped[0].reason
    skipped[0].path.encode("utf-8")  # printable and storable


def test_binary_warc_prints_nothing_and_says_one_line(tmp_path, capfd):
    import random

    path = tmp_path / "noise.warc"
    path.write_bytes(b"WARC/1.0\r\n" + random.Random(1).randbytes(200_000))
    docs, skipped = split(list(read_inputs([str(path)])))
    out, err = capfd.readouterr()
    assert docs == [] and out == "" and err == ""
    assert skipped[0].path == str(path) and "not a readable WARC archive" in skipped[0].reason
    assert "\n" not in skipped[0].reason and len(skipped[0].reason) < 300


def test_an_unexpected_error_in_a_reader_costs_that_file_only(tmp_path, monkeypatch):
    import feedparser

    def broken(*args, **kwargs):
        raise RuntimeError("parser fell over")

    monkeypatch.setattr(feedparser, "parse", broken)
    (tmp_path / "a.rss").write_text("<rss><channel><item><description>x</description></item></channel></rss>")
    (tmp_path / "b.txt").write_text(ARTICLE)
    docs, skipped = split(list(read_inputs([str(tmp_path)])))
    assert [d.id for d in docs] == [str(tmp_path / "b.txt")]
    assert "unexpected RuntimeError while reading (parser fell over)" in skipped[0].reason


# Property tests: hostile generators for each reader. The invariant: reading ends, every good
# record comes out, and every bad one is named (JSON Lines: with its line number).

JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                           lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
                           max_leaves=8)
BAD_RECORDS = st.one_of(
    st.fixed_dictionaries({"id": JSON_VALUES.filter(lambda v: isinstance(v, bool) or not isinstance(v, (str, int))),
                           "text": st.just(ARTICLE)}),
    st.fixed_dictionaries({"id": st.just("x"), "text": JSON_VALUES.filter(lambda v: not isinstance(v, str))}),
    st.fixed_dictionaries({"id": st.just("x"), "text": st.just(ARTICLE),
                           "title": JSON_VALUES.filter(lambda v: v is not None and not isinstance(v, str))}),
    JSON_VALUES.filter(lambda v: not isinstance(v, dict)),
)


HOSTILE_CAP = 5_000  # max_file_bytes of the hostile runs: "huge" lines are over it


@st.composite
def hostile_jsonl(draw):
    """Lines, each good or bad in one of several ways; returns (bytes, good ids, bad line numbers)."""
    lines, good, bad = [], [], []
    for number in range(1, draw(st.integers(1, 25)) + 1):
        kind = draw(st.sampled_from(["good", "good", "type", "byte", "cut", "deep", "huge"]))
        line = good_line(number).encode()
        if kind == "type":
            line = json.dumps(draw(BAD_RECORDS)).encode()
        elif kind == "byte":
            at = draw(st.integers(0, len(line)))
            line = line[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80"])) + line[at:]
        elif kind == "cut":
            line = line[: draw(st.integers(1, len(line) - 1))]
        elif kind == "deep":  # deeper than the JSON parser goes, shorter than HOSTILE_CAP
            depth = draw(st.integers(1_500, 2_400))
            line = b'{"id": "deep", "text": ' + b"[" * depth + b"]" * depth + b"}"
        elif kind == "huge":
            line = json.dumps({"id": "huge", "text": "word " * draw(st.integers(HOSTILE_CAP // 5, HOSTILE_CAP))}).encode()
        (good if kind == "good" else bad).append(f"good-{number}" if kind == "good" else number)
        lines.append(line)
    return b"\n".join(lines) + draw(st.sampled_from([b"", b"\n", b"\r\n"])), good, bad


@settings(max_examples=60, deadline=None)
@given(hostile_jsonl(), st.booleans())
def test_hostile_jsonl_good_lines_land_and_bad_ones_are_named(tmp_path_factory, case, gz):
    data, good, bad = case
    path = tmp_path_factory.mktemp("jsonl") / ("in.jsonl.gz" if gz else "in.jsonl")
    path.write_bytes(gzip.compress(data) if gz else data)
    docs, skipped = split(list(read_inputs([str(path)], IngestConfig(max_file_bytes=HOSTILE_CAP))))
    assert [d.id for d in docs] == good
    assert [s.path for s in skipped] == [f"{path}:{n}" for n in bad]
    assert all(s.reason for s in skipped)


ODD_NAMES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=30) \
    .map(lambda name: name.encode("utf-8")) | st.binary(min_size=1, max_size=30).filter(lambda b: b"/" not in b and b"\x00" not in b)
SUFFIXES = [".txt", ".html", ".html.gz", ".rss", ".jsonl", ".jsonl.gz", ".warc", ".warc.gz", ".xml"]


@settings(max_examples=60, deadline=None)
@given(ODD_NAMES, st.sampled_from(SUFFIXES), st.binary(max_size=3000))
def test_any_bytes_under_any_name_in_any_format_give_documents_or_reasons(tmp_path_factory, name, suffix, data):
    import os

    folder = tmp_path_factory.mktemp("odd")
    if name in (b".", b"..") or name.startswith(b"."):
        name = b"x" + name
    with open(os.path.join(os.fsencode(folder), name + suffix.encode()), "wb") as handle:
        handle.write(data)
    (folder / "zz-good.txt").write_text(ARTICLE)
    items = list(read_inputs([str(folder)]))
    docs, skipped = split(items)
    assert str(folder / "zz-good.txt") in [d.id for d in docs], "the good file beside it is read"
    for item in items:
        for value in (item.path, item.reason) if isinstance(item, Skipped) else (item.id, item.content):
            value.encode("utf-8")  # everything that comes out can be stored and printed
        if isinstance(item, Skipped):
            assert item.reason and "\n" not in item.path


# Memory: the peak of a real `newsloom ingest` measured in its own process (ru_maxrss).

PEAK = """
import resource, sys
from newsloom.cli import cli
try:
    cli(sys.argv[1:], prog_name="newsloom")
except SystemExit:
    pass
print("peak_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, flush=True)
"""


def ingest_peak_mb(tmp_path, path) -> tuple[float, str]:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", PEAK, "--db", str(tmp_path / "peak.db"), "ingest", str(path)],
                          capture_output=True, text=True, timeout=600)
    kib = int(done.stdout.split("peak_kib")[-1])
    return kib / 1024, done.stderr


def gzip_bomb(path, head: bytes, fill: bytes, gib: float, tail: bytes) -> None:
    """A small .gz that unpacks to ``head``, ``gib`` GiB of ``fill`` and ``tail`` (concatenated
    gzip members: one 16 MiB member compressed once and repeated)."""
    member = gzip.compress(fill * (16 * 2**20 // len(fill)), compresslevel=9)
    with open(path, "wb") as handle:
        handle.write(gzip.compress(head))
        for _ in range(int(gib * 64)):
            handle.write(member)
        handle.write(gzip.compress(tail))


def test_memory_of_three_million_short_lines_stays_small(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_bytes(b"a b c\n" * 3_000_000)  # 18 MB, under the size cap
    peak, stderr = ingest_peak_mb(tmp_path, path)
    assert "3,000,001 lines, over the limit" in stderr
    assert peak < 1024, f"peak {peak:.0f} MB"


def test_memory_of_a_one_line_jsonl_bomb_stays_small(tmp_path):
    path = tmp_path / "bomb.jsonl.gz"
    gzip_bomb(path, b'{"id": "big", "text": "', b"a", 1.0, b'"}\n' + good_line(2).encode() + b"\n")
    assert path.stat().st_size < 2_000_000
    peak, stderr = ingest_peak_mb(tmp_path, path)
    assert f"{path}:1: line is over 20,000,000 bytes" in stderr
    assert peak < 1024, f"peak {peak:.0f} MB"
    from newsloom.store import Store

    store = Store(str(tmp_path / "peak.db"))
    assert [a.id for a in store.iter_articles()] == ["good-2"], "the line after the bomb is read"
    store.close()


def test_memory_of_an_html_bomb_stays_small(tmp_path):
    path = tmp_path / "bomb.html.gz"
    gzip_bomb(path, b"<html><body>", b"<p>x</p>", 1.0, b"</body></html>")
    peak, stderr = ingest_peak_mb(tmp_path, path)
    assert "unpacks to more than 20,000,000 bytes" in stderr
    assert peak < 1024, f"peak {peak:.0f} MB"


def test_articles_are_shown_by_their_path_relative_to_what_was_ingested(tmp_path):
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    docs, _ = split(list(read_inputs([str(EXAMPLES)])))
    shown = {d.id: d.shown_id for d in docs}
    assert shown[str(EXAMPLES / "coastal-herald-bridge.html")] == "corpus/coastal-herald-bridge.html", \
        "a folder's files keep the folder's name, not the path to it"
    feed = [d for d in docs if d.origin.endswith(".rss")]
    assert feed and all(d.shown_id == "corpus/meadowbrook-times.rss" + d.id[len(d.origin):] for d in feed)
    assert all(d.shown_id is None for d in docs if d.origin.endswith(".jsonl")), "a JSON Lines id is its own name"
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://coastal.example/bridge", "response", http_headers=headers,
            payload=BytesIO((EXAMPLES / "coastal-herald-bridge.html").read_bytes())))
    (record,), _ = split(list(read_inputs([str(path)])))
    assert record.id == f"{path}#https://coastal.example/bridge", "the id keeps the path, for re-ingest"
    assert record.shown_id == "crawl.warc.gz#https://coastal.example/bridge", "a file named directly: its name"
