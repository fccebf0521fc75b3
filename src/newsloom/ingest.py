"""Ingest: turn files and folders into Documents, reporting what cannot be read.

``read_inputs(paths)`` walks the paths (folders recursively, in name order) and yields a
``Document`` per article or a ``Skipped`` per file (or line, or record) that cannot be read,
with a reason that says what is wrong and what to do. Formats are chosen by suffix, then by
content: plain-text pages (``.txt``), HTML (``.html``, ``.htm``, optionally gzipped), RSS/Atom
feeds (feedparser), JSON Lines (``id``, ``text`` and optional ``title``, ``date``,
``source``, ``url``, ``html``) and WARC archives (warcio, response records holding HTML).

Every reader streams and checks as it goes: JSON Lines are read in bounded chunks, line by
line, each line held to the size cap before it is kept (an oversized line is skipped without
ever being held whole), decompression stops at the cap, and each record's fields are checked
for their types. A bad line (invalid UTF-8, malformed JSON, a field of the wrong type) costs
that line only and is named with its file and line number; anything unexpected while reading
one file costs that file from that point, never the run.

Nothing here opens a path or URL found inside an article: only the paths the user gave.
"""

from __future__ import annotations

import codecs
import dataclasses
import gzip
import contextlib
import io
import json
import os
import re
import zlib
from array import array
from collections.abc import Iterable, Iterator
from typing import NamedTuple
from dataclasses import dataclass
from pathlib import Path

from .display import printable
from .errors import ConfigError, InputError
from .models import Document, Skipped


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestConfig:
    """Limits on what one input may be. ``max_file_bytes`` caps a single page (text or HTML)
    after decompression; containers (JSON Lines, feeds, WARC) are read item by item and each
    item is held to the same cap. ``max_page_lines`` caps the lines of a plain-text page or
    JSON Lines body and ``max_html_tags`` the tags of an HTML page: the cleaner's work and
    memory grow with lines and elements, not bytes (three million short lines in 19 MB took
    7.5 GB), and no article has that many (the dev pages: at most 628 lines, 3,229 tags)."""

    max_file_bytes: int = 20_000_000
    max_page_lines: int = 20_000
    max_html_tags: int = 100_000

    def __post_init__(self):
        if self.max_file_bytes < 1_000:
            raise ConfigError(
                f"max_file_bytes={self.max_file_bytes} is too small for any article",
                "use a value of at least 1000 (the default is 20000000)",
            )
        if self.max_page_lines < 100:
            raise ConfigError(
                f"max_page_lines={self.max_page_lines} is too small for a page",
                "use a value of at least 100 (the default is 20000)",
            )
        if self.max_html_tags < 1_000:
            raise ConfigError(
                f"max_html_tags={self.max_html_tags} is too small for a page",
                "use a value of at least 1000 (the default is 100000)",
            )


TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
WARC_SUFFIXES = {".warc"}
ALL_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | JSONL_SUFFIXES | WARC_SUFFIXES

Item = Document | Skipped


def read_inputs(paths: Iterable[str], config: IngestConfig | None = None) -> Iterator[Item]:
    """Yield Documents and Skipped entries for every file under ``paths``, in order."""
    config = config or IngestConfig()
    for file in input_files(paths):
        if isinstance(file, Skipped):
            yield file
        else:
            yield from read_file(file.path, config, shown=file.shown)


def shown_name(file: str, argument: str) -> str:
    """The name ``file`` (found under the ``argument`` given to ingest) is shown by: its path
    relative to the argument's parent folder, so a folder's name stays (``seeds/a.txt`` for
    ``/work/seeds``) and a file named directly is shown by its own name, never by a path of
    the machine that read it."""
    parent = os.path.dirname(os.path.normpath(os.path.abspath(argument)))
    return os.path.relpath(os.path.abspath(file), parent)


def _shown_as(item: Item, file: str, name: str | None) -> Item:
    """A Document of ``file`` with the name to show: an id made from the file's path (the file
    itself, a WARC record or feed entry ``file#…``) shows ``name`` in its place; a JSON Lines
    id is its own name."""
    if name is not None and isinstance(item, Document) and (item.id == file or item.id.startswith(file + "#")):
        return dataclasses.replace(item, shown_id=name + item.id[len(file):])
    return item


class InputFile(NamedTuple):
    """A file to read, and the name its articles are shown by (``shown_name``)."""

    path: str
    shown: str


def input_files(paths: Iterable[str]) -> Iterator[InputFile | Skipped]:
    """The files ``read_inputs`` reads, in its order, and a Skipped for each path that
    cannot be read (missing, a name that is not UTF-8)."""
    for path in paths:
        for file in _walk(path):
            yield file if isinstance(file, Skipped) else InputFile(file, shown_name(file, path))


class Part(NamedTuple):
    """A part of a file of records: its records ``start`` to ``stop`` (counted from 0, ``stop``
    not included; None: to the end), which begin at byte ``offset`` of the file and end before
    byte ``end`` (None: at the end). The records of a JSON Lines file are its lines, and its
    bytes are those of its content (unpacked, for a gzipped file); the records of a WARC
    archive are its HTML response records (the items it gives), and its bytes are those of the
    file as it is (a .warc.gz record is a gzip member of its own, so a reader can start there)."""

    start: int
    stop: int | None
    offset: int
    end: int | None


WHOLE = Part(0, None, 0, None)


def file_parts(path: str, size: int, config: IngestConfig) -> list[Part]:
    """``path`` cut into parts of at most ``size`` records when it is a JSON Lines file or a
    WARC archive with more (``jsonl_parts``, ``warc_parts``); else, or when it cannot be read,
    the whole file as one part (``read_file`` reports what is wrong with it)."""
    suffix = _suffixes(path)[0]
    if suffix in JSONL_SUFFIXES:
        return jsonl_parts(path, size)
    if suffix in WARC_SUFFIXES:
        return warc_parts(path, size, config)
    return [WHOLE]


def _even_parts(starts, size: int) -> list[Part]:
    """The records that begin at the byte offsets ``starts`` cut into as few parts of at most
    ``size`` records as it takes, all of about the same length (they differ by a record at
    most, so the tasks of a file end together)."""
    count = len(starts)
    if count <= size:
        return [WHOLE]
    parts = -(-count // size)
    bounds = [count * i // parts for i in range(1, parts)]  # the first record of each part but the first
    offsets = [starts[bound] for bound in bounds]
    return [Part(start, stop, offset, end) for start, stop, offset, end
            in zip([0, *bounds], [*bounds, None], [0, *offsets], [*offsets, None])]


def jsonl_parts(path: str, size: int, *, chunk_size: int = 1 << 20) -> list[Part]:
    """A JSON Lines file of more than ``size`` lines cut into parts of at most ``size`` lines
    (``_even_parts``), each with the byte offset a reader seeks to (``read_file(...,
    part=part)``), from one reading of the file. The whole file as one part when it is short
    or cannot be read."""
    try:
        starts = _line_starts(path, chunk_size)
    except (OSError, EOFError, ValueError, zlib.error):
        return [WHOLE]
    return _even_parts(starts, size)


def _line_starts(path: str, chunk_size: int) -> array:
    """The byte offset where each line begins (a last line without its end of line counts,
    as ``bounded_lines`` reads it), 8 bytes a line."""
    starts, position = array("q"), 0
    with (gzip.open if path.lower().endswith(".gz") else open)(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            if position == 0:
                starts.append(0)
            end = chunk.find(b"\n")
            while end >= 0:
                starts.append(position + end + 1)
                end = chunk.find(b"\n", end + 1)
            position += len(chunk)
    if starts and starts[-1] == position:  # the end of the last line, not a line
        starts.pop()
    return starts


def warc_parts(path: str, size: int, config: IngestConfig) -> list[Part]:
    """A WARC archive of more than ``size`` HTML response records cut into parts of at most
    ``size`` of them (``_even_parts``), each beginning at the byte where its first one does
    (the first part at the file's start). The archive is read once as ``read_file`` reads it
    (``_warc_records``: every record, every page's content read and decoded), keeping where
    each page's record begins (warcio's ``get_record_offset``), so the parts give what the
    whole gives. Only an archive read without a fault is cut: one that warcio warns about,
    with a record of no WARC type, or whose reading ends in an error (a gzip of one member for
    the whole file among them) is one part, read and reported as ``ingest`` does."""
    warnings, starts = io.StringIO(), array("q")
    try:
        with open(path, "rb") as handle:
            for archive, record, item in _warc_records(handle, path, config, warnings):
                if record.rec_type is None:
                    return [WHOLE]
                if item is not None:
                    with contextlib.redirect_stderr(warnings):  # it reads the rest of the record
                        starts.append(archive.get_record_offset())
    except Exception:  # noqa: BLE001 — whatever it is, read_file meets it again and reports it
        return [WHOLE]
    if warnings.getvalue():
        return [WHOLE]
    return _even_parts(starts, size)


def read_file(path: str, config: IngestConfig, *, shown: str | None = None, part: Part = WHOLE) -> Iterator[Item]:
    """The items of one file, each checked, shown by ``shown`` in place of ``path`` (see
    ``_shown_as``); of a JSON Lines file or a WARC archive, only those of ``part`` when it is
    given (from ``file_parts``, read from its own offset: a bad line is named by its line
    number in the file, a record by its URI as always). Whatever goes wrong costs this file
    from that point on, never the run: an unexpected error in a parser becomes a ``Skipped``
    naming it."""
    try:
        for item in _read_file(path, config, part):
            yield _checked(_shown_as(item, path, shown), config)
    except InputError as error:
        yield Skipped(printable(path), error.message)
    except Exception as error:  # noqa: BLE001 — one unreadable input must not end the run
        cause = f"unexpected {type(error).__name__} while reading ({printable(str(error))[:200]})"
        yield Skipped(printable(path), _fail(path, cause, "the rest of this file was not read; please report it "
                                             "with the file").message)


def _checked(item: Item, config: IngestConfig) -> Item:
    """A Document whose text the store can hold and the cleaner can bound, else a Skipped."""
    if isinstance(item, Skipped):
        return item
    for name in ("id", "content", "title", "source", "url", "published", "author"):
        value = getattr(item, name)
        if value is not None and _LONE_SURROGATE.search(value):
            return Skipped(printable(item.id), f"field {name} holds an invalid character (a lone surrogate such as "
                                               "\\ud800, not Unicode text) — fix the escape in the input")
    if item.kind == "html":
        tags = item.content.count("<")
        if tags > config.max_html_tags:
            return Skipped(printable(item.id), f"page has {tags:,} tags, over the limit of {config.max_html_tags:,} — "
                                               "split it, or raise the limit with --max-html-tags")
    else:
        lines = item.content.count("\n") + 1
        if lines > config.max_page_lines:
            return Skipped(printable(item.id), f"page has {lines:,} lines, over the limit of {config.max_page_lines:,} "
                                               "— split it, or raise the limit with --max-page-lines")
    return item


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _walk(path: str) -> Iterator[str | Skipped]:
    """The files under ``path``. In a folder only files with an article suffix are read (a
    README beside the articles is not an article); a file named directly is always read. A
    name that is not valid UTF-8 cannot be an article id: it is reported (escaped), not read."""
    p = Path(path)
    if _LONE_SURROGATE.search(path):
        yield _bad_name(path)
    elif not p.exists():
        yield Skipped(printable(path), InputError("no such file or folder", "check the path", subject=path).message)
    elif p.is_dir():
        for root, dirs, files in os.walk(p):
            bad_dirs = sorted(d for d in dirs if _LONE_SURROGATE.search(d))
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in bad_dirs)
            for name in bad_dirs:
                yield _bad_name(os.path.join(root, name))
            for name in sorted(files):
                if name.startswith(".") or _suffixes(name)[0] not in ALL_SUFFIXES:
                    continue
                file = os.path.join(root, name)
                yield _bad_name(file) if _LONE_SURROGATE.search(name) else file
    else:
        yield path


def _bad_name(path: str) -> Skipped:
    return Skipped(printable(path), _fail(path, "the name is not valid UTF-8, so it cannot be an article id",
                                          "rename it, e.g. convmv -f latin1 -t utf8 --notest NAME").message)


def _fail(path: str, cause: str, fix: str) -> InputError:
    return InputError(cause, fix, subject=path)


def _suffixes(path: str) -> tuple[str, bool]:
    """The format suffix of ``path`` and whether it is gzipped (``a.html.gz`` → ``.html``)."""
    name = path.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    return os.path.splitext(name)[1], gz


def _read_bytes(path: str, gz: bool, config: IngestConfig) -> bytes:
    try:
        size = os.path.getsize(path)
        if not gz and size > config.max_file_bytes:
            raise _fail(path, f"file is {size:,} bytes, over the limit of {config.max_file_bytes:,}",
                        "split it, or raise the limit with --max-file-bytes")
        with open(path, "rb") as handle:
            if not gz:
                return handle.read()
            with gzip.GzipFile(fileobj=handle) as unzipped:
                data = unzipped.read(config.max_file_bytes + 1)
            if len(data) > config.max_file_bytes:
                raise _fail(path, f"unpacks to more than {config.max_file_bytes:,} bytes",
                            "split it, or raise the limit with --max-file-bytes")
            return data
    except PermissionError:
        raise _fail(path, "permission denied", "make the file readable") from None
    except IsADirectoryError:
        raise _fail(path, "is a folder", "give the folder itself, not a link to it") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise _fail(path, f"truncated or corrupt gzip ({error})", "re-download or re-compress the file") from None
    except OSError as error:
        raise _fail(path, f"cannot be read ({error.strerror or error})", "check the file") from None


def decode_text(data: bytes, path: str) -> str:
    """Decode UTF-8 (with or without BOM); anything else is refused with a fix."""
    if not data.strip():
        raise _fail(path, "empty file", "remove it or give it content")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise _fail(path, "is UTF-16/UTF-32 encoded; newsloom reads UTF-8",
                    "convert it, e.g. iconv -f UTF-16 -t UTF-8")
    if b"\x00" in data[:8192]:
        raise _fail(path, "looks binary (contains NUL bytes), not text", "give text, HTML, a feed, JSON Lines or WARC")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _fail(path, f"is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})",
                    "convert it to UTF-8, e.g. iconv -f latin1 -t UTF-8") from None


_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)


def decode_html(data: bytes, path: str) -> str:
    """Decode HTML by its declared charset, else as UTF-8."""
    match = _META_CHARSET.search(data[:4096])
    if match and b"\x00" not in data[:8192]:
        charset = match.group(1).decode("ascii").lower()
        if charset not in ("utf-8", "utf8"):
            try:
                return data.decode(charset)
            except (LookupError, UnicodeDecodeError):
                pass
    return decode_text(data, path)


def _sniff(text: str) -> str:
    head = text.lstrip()[:500].lower()
    if head.startswith("{"):
        return "jsonl"
    if head.startswith("<?xml") and ("<rss" in head or "<feed" in head or "<rdf" in head):
        return "feed"
    if head.startswith(("<rss", "<feed", "<rdf")):
        return "feed"
    if head.startswith(("<!doctype html", "<html")) or "<body" in head:
        return "html"
    return "text"


def _read_file(path: str, config: IngestConfig, part: Part = WHOLE) -> Iterator[Item]:
    suffix, gz = _suffixes(path)
    if part != WHOLE and suffix not in JSONL_SUFFIXES | WARC_SUFFIXES:
        raise ValueError(f"a part is read only from a JSON Lines file or a WARC archive, not {path}")
    if suffix in WARC_SUFFIXES:
        yield from _read_warc(path, config, part)
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path, gz, config, part)
        return
    data = _read_bytes(path, gz, config)
    if data[:5] == b"WARC/":
        raise _fail(path, "is a WARC archive without a .warc suffix", "rename it to .warc or .warc.gz")
    if suffix in HTML_SUFFIXES:
        yield Document(id=path, origin=path, kind="html", content=decode_html(data, path))
        return
    if suffix in FEED_SUFFIXES:
        yield from _read_feed(path, data)
        return
    text = decode_text(data, path)
    kind = "text" if suffix in TEXT_SUFFIXES else _sniff(text)
    if kind == "feed":
        yield from _read_feed(path, data)
    elif kind == "jsonl":
        yield from _jsonl_items(path, io.BytesIO(data), config)
    else:
        yield Document(id=path, origin=path, kind=kind, content=text)


def _read_feed(path: str, data: bytes) -> Iterator[Item]:
    from .feeds import entry_document, parse_feed

    if not data.strip():
        raise _fail(path, "empty file", "remove it or give it content")
    feed = parse_feed(data, path)
    if not feed.entries:
        raise _fail(path, "is not a readable RSS/Atom feed (no entries)", "check that it is a complete RSS or Atom XML file")
    for entry in feed.entries:
        if not entry.body.strip():
            yield Skipped(f"{path}#{entry.key}", "feed entry has no text — nothing to ingest")
            continue
        yield entry_document(entry, id=f"{path}#{entry.key}", origin=path, outlet=feed.title)


def _read_jsonl(path: str, gz: bool, config: IngestConfig, part: Part = WHOLE) -> Iterator[Item]:
    try:
        if os.path.getsize(path) == 0:
            raise _fail(path, "empty file", "remove it or give it content")
        with open(path, "rb") as raw, (gzip.GzipFile(fileobj=raw) if gz else contextlib.nullcontext(raw)) as handle:
            handle.seek(part.offset)  # a gzipped file unpacks up to there, but nothing is parsed
            yield from _jsonl_items(path, _window(handle, part), config, first=part.start + 1)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise _fail(path, f"truncated or corrupt gzip ({error}); the lines before it were read",
                    "re-download or re-compress the file") from None
    except OSError as error:
        raise _fail(path, f"cannot be read ({error.strerror or error})", "check the file") from None


def _jsonl_items(path: str, stream, config: IngestConfig, first: int = 1) -> Iterator[Item]:
    for number, line in bounded_lines(stream, config.max_file_bytes, first=first):
        item = _jsonl_item(path, number, line, config)
        if item is not None:
            yield item


def _window(stream, part: Part):
    """``stream`` (at ``part.offset``) up to the end of ``part``."""
    return stream if part.end is None else _Window(stream, part.end - part.offset)


class _Window:
    """The next ``size`` bytes of a binary stream, as a stream."""

    def __init__(self, stream, size: int):
        self.stream, self.left = stream, size

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(self.left if size < 0 else min(size, self.left)) if self.left > 0 else b""
        self.left -= len(data)
        return data


def bounded_lines(stream, cap: int, chunk_size: int = 1 << 16, *, first: int = 1) -> Iterator[tuple[int, bytes | None]]:
    """``(number, line)`` for each line of a binary stream (without its end of line), read
    ``chunk_size`` bytes at a time, numbered from ``first``. A line longer than ``cap`` bytes
    comes as ``(number, None)``: it is measured while it is read and never held whole."""
    number, parts, size, over = first, [], 0, False
    while chunk := stream.read(chunk_size):
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start:end]
            if not over:
                size += len(piece)
                over = size > cap
                if over:
                    parts = []
                elif piece:
                    parts.append(piece)
            if end < 0:
                break
            yield number, None if over else b"".join(parts)
            number, parts, size, over = number + 1, [], 0, False
            start = end + 1
    if parts or over:
        yield number, None if over else b"".join(parts)


def _jsonl_item(path: str, number: int, line: bytes | None, config: IngestConfig) -> Item | None:
    """One JSON Lines line: a Document, a Skipped naming the line and what is wrong, or None
    for a blank line."""
    where = f"{printable(path)}:{number}"
    if line is None:
        return Skipped(where, f"line is over {config.max_file_bytes:,} bytes — split the article "
                              "or raise the limit with --max-file-bytes")
    if number == 1 and line.startswith(codecs.BOM_UTF8):
        line = line[len(codecs.BOM_UTF8):]
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        return Skipped(where, f"not valid UTF-8 (byte 0x{line[error.start]:02x} at byte {error.start + 1} of the line) "
                              "— convert the file to UTF-8, e.g. iconv -f latin1 -t UTF-8")
    if not text.strip():
        return None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        return Skipped(where, f"malformed JSON ({error.msg} at column {error.colno}) — fix or remove the line")
    except RecursionError:
        return Skipped(where, "JSON nested too deeply to read — each line must be one flat article object")
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        return Skipped(where, f"unreadable JSON value ({str(error)[:120]}) — fix or remove the line")
    return jsonl_document(record, path, where)


_JSONL_OPTIONAL = ("title", "source", "url", "date", "published", "author")


def jsonl_document(record, origin: str, where: str) -> Document | Skipped:
    """A Document from one JSON Lines record, its fields' types checked: ``id`` a string or a
    whole number (not true/false), ``text`` or ``html`` a non-empty string, the optional
    fields strings or null. Anything else is a Skipped that names the field and its type."""
    if not isinstance(record, dict):
        return Skipped(where, f"line is {_kind_of(record)}, not a JSON object — each line must be one article object")
    problems = []
    raw_id = record.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int)) or not str(raw_id).strip():
        problems.append(f"id is {_kind_of(raw_id)} (give a string or a whole number)")
    html, text = record.get("html"), record.get("text")
    body_field = "html" if isinstance(html, str) and html.strip() else "text"
    body = record.get(body_field)
    if not (isinstance(body, str) and body.strip()):
        problems.append(f"text is {_kind_of(text)} (give the article's text as a string)")
    for name in _JSONL_OPTIONAL + ("html",):
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            problems.append(f"{name} is {_kind_of(value)} (give a string or leave it out)")
    if problems:
        return Skipped(where, f"field {'; field '.join(problems)} — every line needs id and text")
    return Document(
        id=str(raw_id), origin=origin, kind="html" if body_field == "html" else "article", content=body,
        title=_opt(record.get("title")), source=_opt(record.get("source")), url=_opt(record.get("url")),
        published=_opt(record.get("date")) or _opt(record.get("published")), author=_opt(record.get("author")),
    )


def _kind_of(value) -> str:
    """How a JSON value is described in a message: its type, and short values themselves."""
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, (int, float)):
        shown = str(value)
        return f"a number ({shown if len(shown) <= 20 else shown[:20] + '…'})"
    if isinstance(value, str):
        return "empty" if not value.strip() else "a string"
    return "a list" if isinstance(value, list) else "an object"


def _opt(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _read_warc(path: str, config: IngestConfig, part: Part = WHOLE) -> Iterator[Item]:
    """HTML response records of a WARC archive (of ``part`` of it). warcio writes its warnings
    (with raw bytes of the file) to stderr: they are caught around each of its steps, never
    shown, and a file from which no record could be read is reported on one line with the
    first of them."""
    from warcio.exceptions import ArchiveLoadFailed

    warnings = io.StringIO()
    records = articles = malformed = 0
    try:
        if os.path.getsize(path) == 0:
            raise _fail(path, "empty file", "remove it or give it content")
        with open(path, "rb") as handle:
            handle.seek(part.offset)
            for _, record, item in _warc_records(_window(handle, part), path, config, warnings):
                records += 1
                malformed += record.rec_type is None
                if item is not None:
                    articles += 1
                    yield item
    except (ArchiveLoadFailed, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as error:
        cause = str(error).split(", first line")[0]  # warcio quotes the raw bytes after this
        raise _fail(path, f"is not a readable WARC archive ({printable(cause)[:200]})",
                    "check that the file is complete") from None
    except OSError as error:
        raise _fail(path, f"cannot be read ({error.strerror or error})", "check the file") from None
    if not articles:
        said = warnings.getvalue().strip()
        if malformed or said:
            detail = f"warcio: {printable(said.splitlines()[0].strip())[:120]}" if said else \
                f"{malformed} of {records} records without a WARC type"
            raise _fail(path, f"is not a readable WARC archive ({detail})", "check that the file is a complete WARC file")
        raise _fail(path, f"holds no HTML response records ({records} records)", "nothing to ingest from it")


def _warc_records(stream, path: str, config: IngestConfig,
                  warnings: io.StringIO) -> Iterator[tuple[object, object, Item | None]]:
    """warcio's ``ArchiveIterator`` over a WARC stream, each record and its item
    (``_warc_item``); what warcio writes to stderr meanwhile goes to ``warnings`` (the records
    are handed out with stderr as it was)."""
    from warcio.archiveiterator import ArchiveIterator

    with contextlib.redirect_stderr(warnings):
        archive = ArchiveIterator(stream)
        records = iter(archive)
    while True:
        with contextlib.redirect_stderr(warnings):
            record = next(records, None)
            if record is None:
                return
            item = _warc_item(path, record, config)
        yield archive, record, item


def _warc_item(path: str, record, config: IngestConfig) -> Item | None:
    """A Document for an HTML response record, a Skipped for one that cannot be read, else None."""
    if record.rec_type != "response" or not record.http_headers:
        return None
    content_type = record.http_headers.get_header("Content-Type") or ""
    if "html" not in content_type:
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    where = f"{path}#{uri}"
    data = record.content_stream().read(config.max_file_bytes + 1)
    if len(data) > config.max_file_bytes:
        return Skipped(printable(where), f"record is over {config.max_file_bytes:,} bytes — skipped")
    try:
        html = decode_html(data, where)
    except InputError as error:
        return Skipped(printable(where), error.message)
    return Document(id=where, origin=path, kind="html", content=html, url=uri or None)
