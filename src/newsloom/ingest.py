"""Ingest: turn files and folders into Documents, reporting what cannot be read.

``read_inputs(paths)`` walks the paths (folders recursively, in name order) and yields a
``Document`` per article or a ``Skipped`` per file (or line, or record) that cannot be read,
with a reason that says what is wrong and what to do. Formats are chosen by suffix, then by
content: plain-text pages (``.txt``), HTML (``.html``, ``.htm``, optionally gzipped), RSS/Atom
feeds (feedparser), JSON Lines (``id``, ``text`` and optional ``title``, ``date``,
``source``, ``url``, ``html``) and WARC archives (warcio, response records holding HTML).

Nothing here opens a path or URL found inside an article: only the paths the user gave.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError, InputError
from .models import Document, Skipped


@dataclass(frozen=True, slots=True, kw_only=True)
class IngestConfig:
    """Limits on what one input may be. ``max_file_bytes`` caps a single page (text or HTML)
    after decompression; containers (JSON Lines, feeds, WARC) are read item by item and each
    item is held to the same cap."""

    max_file_bytes: int = 20_000_000

    def __post_init__(self):
        if self.max_file_bytes < 1_000:
            raise ConfigError(
                f"max_file_bytes={self.max_file_bytes} is too small for any article",
                "use a value of at least 1000 (the default is 20000000)",
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
    for path in paths:
        for file in _walk(path):
            if isinstance(file, Skipped):
                yield file
                continue
            try:
                yield from _read_file(file, config)
            except InputError as error:
                yield Skipped(file, error.message)


def _walk(path: str) -> Iterator[str | Skipped]:
    """The files under ``path``. In a folder only files with an article suffix are read (a
    README beside the articles is not an article); a file named directly is always read."""
    p = Path(path)
    if not p.exists():
        yield Skipped(path, InputError("no such file or folder", "check the path", subject=path).message)
    elif p.is_dir():
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith(".") and _suffixes(name)[0] in ALL_SUFFIXES:
                    yield os.path.join(root, name)
    else:
        yield path


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


def _read_file(path: str, config: IngestConfig) -> Iterator[Item]:
    suffix, gz = _suffixes(path)
    if suffix in WARC_SUFFIXES:
        yield from _read_warc(path, config)
        return
    if suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path, gz, config)
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
        yield from _jsonl_lines(path, io.StringIO(text), config)
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


def _read_jsonl(path: str, gz: bool, config: IngestConfig) -> Iterator[Item]:
    try:
        if os.path.getsize(path) == 0:
            raise _fail(path, "empty file", "remove it or give it content")
        opener = gzip.open if gz else open
        with opener(path, "rt", encoding="utf-8-sig", errors="strict") as handle:
            yield from _jsonl_lines(path, handle, config)
    except UnicodeDecodeError as error:
        raise _fail(path, f"is not valid UTF-8 ({error.reason})", "convert it to UTF-8") from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise _fail(path, f"truncated or corrupt gzip ({error})", "re-download or re-compress the file") from None
    except OSError as error:
        raise _fail(path, f"cannot be read ({error.strerror or error})", "check the file") from None


def _jsonl_lines(path: str, lines: Iterable[str], config: IngestConfig) -> Iterator[Item]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        if len(line) > config.max_file_bytes:
            yield Skipped(where, f"line is over {config.max_file_bytes:,} characters — split the article")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            yield Skipped(where, f"malformed JSON ({error.msg} at column {error.colno}) — fix or remove the line")
            continue
        if not isinstance(record, dict):
            yield Skipped(where, "line is not a JSON object — each line must be one article object")
            continue
        missing = [] if _is_text(record.get("id")) else ["id"]
        body = record.get("html") if _is_text(record.get("html")) else record.get("text")
        if not _is_text(body):
            missing.append("text")
        if missing:
            yield Skipped(where, f"missing or non-text field(s) {', '.join(missing)} — every line needs id and text")
            continue
        yield Document(
            id=str(record["id"]), origin=path,
            kind="html" if _is_text(record.get("html")) else "article",
            content=body, title=_opt(record.get("title")),
            source=_opt(record.get("source")), url=_opt(record.get("url")),
            published=_opt(record.get("date") or record.get("published")), author=_opt(record.get("author")),
        )


def _is_text(value) -> bool:
    return isinstance(value, (str, int)) and str(value).strip() != ""


def _opt(value) -> str | None:
    return str(value) if _is_text(value) else None


def _read_warc(path: str, config: IngestConfig) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        if os.path.getsize(path) == 0:
            raise _fail(path, "empty file", "remove it or give it content")
        with open(path, "rb") as handle:
            for record in ArchiveIterator(handle):
                if record.rec_type != "response" or not record.http_headers:
                    continue
                content_type = record.http_headers.get_header("Content-Type") or ""
                if "html" not in content_type:
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                where = f"{path}#{uri}"
                data = record.content_stream().read(config.max_file_bytes + 1)
                if len(data) > config.max_file_bytes:
                    yield Skipped(where, f"record is over {config.max_file_bytes:,} bytes — skipped")
                    continue
                try:
                    html = decode_html(data, where)
                except InputError as error:
                    yield Skipped(where, error.message)
                    continue
                yield Document(id=where, origin=path, kind="html", content=html, url=uri or None)
    except (ArchiveLoadFailed, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as error:
        raise _fail(path, f"is not a readable WARC archive ({error})", "check that the file is complete") from None
    except OSError as error:
        raise _fail(path, f"cannot be read ({error.strerror or error})", "check the file") from None
