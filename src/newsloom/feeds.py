"""Feeds: subscriptions, OPML, and reading an RSS/Atom feed's entries.

``feed_url`` checks an address given by a user; ``read_opml``/``write_opml`` exchange
subscriptions with feed readers; ``parse_feed`` turns a feed's bytes (never a URL: feedparser
would fetch it) into its title and ``FeedEntry``s; ``entry_document`` makes the Document that
carries an entry's own text. ``ingest`` reads feed files through the same functions.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import InputError
from .models import Document, Feed, FeedEntry


def feed_url(url: str) -> str:
    """The address as stored, or ``InputError`` when it is not an http(s) URL with a host."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError("not an http(s) feed address", "give the feed's full URL, e.g. https://example.org/rss.xml",
                         subject=url or "(empty)")
    return url


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str | None
    entries: tuple[FeedEntry, ...]


def parse_feed(data: bytes, where: str) -> ParsedFeed:
    """A feed's title and entries; ``InputError`` when it has no readable entries."""
    import feedparser

    if not data.strip():
        raise InputError("empty feed", "check that the address serves an RSS or Atom feed", subject=where)
    parsed = feedparser.parse(data, resolve_relative_uris=False, sanitize_html=True)
    if not parsed.entries and (parsed.get("bozo") or parsed.get("version") == ""):
        cause = f"is not a readable RSS/Atom feed ({parsed.get('bozo_exception', 'no entries')})"
        raise InputError(cause, "check that it is a complete RSS or Atom XML file", subject=where)
    return ParsedFeed(parsed.feed.get("title"), tuple(_entries(parsed.entries)))


def _entries(entries: Iterable) -> Iterator[FeedEntry]:
    for number, entry in enumerate(entries, start=1):
        body = ""
        if entry.get("content"):
            body = max((c.get("value", "") for c in entry.content), key=len)
        yield FeedEntry(
            key=entry.get("id") or entry.get("link") or str(number),
            link=entry.get("link"),
            title=entry.get("title"),
            published=_entry_date(entry),
            author=entry.get("author"),
            body=body or entry.get("summary", ""),
        )


def _entry_date(entry) -> str | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return "%04d-%02d-%02dT%02d:%02d:%02d" % tuple(parsed[:6])


def entry_document(entry: FeedEntry, *, id: str, origin: str, outlet: str | None) -> Document:
    """The Document holding an entry's own text (the feed's content or summary)."""
    return Document(id=id, origin=origin, kind="html", content=f"<html><body><article>{entry.body}</article></body></html>",
                    title=entry.title, source=outlet, url=entry.link, published=entry.published, author=entry.author)


# ---------------------------------------------------------------- OPML


def read_opml(data: bytes, where: str) -> list[tuple[str, str | None]]:
    """(feed URL, title) of every outline with an ``xmlUrl``, at any depth (folders)."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise InputError(f"is not readable OPML ({error})", "export the subscriptions again from the feed reader",
                         subject=where) from None
    if root.tag.lower() != "opml":
        raise InputError(f"is not OPML (the root element is <{root.tag}>)", "give an .opml file", subject=where)
    found = []
    for outline in root.iter("outline"):
        url = outline.get("xmlUrl") or outline.get("xmlurl")
        if url:
            found.append((url.strip(), outline.get("title") or outline.get("text")))
    return found


def write_opml(feeds: Iterable[Feed]) -> str:
    """An OPML 2.0 document listing the feeds, as feed readers import it."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = "newsloom subscriptions"
    body = ElementTree.SubElement(root, "body")
    for feed in feeds:
        title = feed.title or feed.url
        ElementTree.SubElement(body, "outline", type="rss", text=title, title=title, xmlUrl=feed.url)
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root, encoding="unicode") + "\n"
