"""A small archive shaped like Common Crawl's CC-NEWS: our own pages (``fixtures/ccnews/pages.json``,
written for the tests: two stories in three outlets, one page a wire copy of another) rendered
as news pages with their menus and footers, stored as WARC response records (warcio) behind a
``warcinfo`` record, with one non-HTML response among them, in a file named like CC-NEWS's."""

from __future__ import annotations

import html
import io
import json
from pathlib import Path

PAGES = Path(__file__).parent / "fixtures" / "ccnews" / "pages.json"
NAME = "CC-NEWS-20260305120000-00001.warc.gz"


def page_html(page: dict) -> str:
    paragraphs = "\n".join(f"      <p>{html.escape(p)}</p>" for p in page["body"])
    outlet = html.escape(page["outlet"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(page['title'])} | {outlet}</title>
<meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="{page['date']}T08:00:00Z"></head>
<body>
  <nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a> <a href="/subscribe">Subscribe</a></nav>
  <main><article>
    <h1>{html.escape(page['title'])}</h1>
    <p class="byline">By staff reporters · {page['date']}</p>
    <div class="body">
{paragraphs}
    </div>
    <div class="share">Share on Facebook · Share on X · Email this article</div>
  </article></main>
  <aside><h3>Most read</h3><ul><li><a href="/a">Ferry timetable changes</a></li><li><a href="/b">Harbour market reopens</a></li></ul></aside>
  <footer>© 2026 {outlet}. All rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>
"""


def write_archive(folder: Path) -> Path:
    """Write the archive into ``folder``; return its path."""
    return write_records(folder / NAME, ["page", "page", "image", "page", "page", "page"])


RECORDS = ("page", "image", "request", "metadata", "large", "binary")


def write_records(path: Path, kinds: list[str], *, gz: bool = True) -> Path:
    """A CC-NEWS-shaped WARC at ``path``: a ``warcinfo`` record, then one record per kind —
    ``page`` our next page (cycled; a repeat's URL says which round), ``image`` a response
    that is not HTML (skipped by the reader, as in CC-NEWS), ``request`` and ``metadata``
    records, ``large`` a page padded to over 50 kB, ``binary`` an HTML response that is not
    text (``undecodable``, not in ``RECORDS``: a page that declares the charset "undefined",
    whose reading ends the file's) — each record a gzip member of its own when ``gz``."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    pages = json.loads(PAGES.read_text())
    html_type = ("Content-Type", "text/html; charset=UTF-8")
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(
            path.name, {"software": "newsloom tests", "format": "WARC 1.1", "description": "CC-NEWS-shaped test archive"}))
        number = 0
        for kind in kinds:
            page = pages[number % len(pages)]
            url = page["url"] + (f"?round={number // len(pages) + 1}" if number >= len(pages) else "")
            if kind in ("page", "large", "binary", "undecodable"):
                body = page_html(page).encode()
                if kind == "undecodable":  # a charset Python knows but cannot decode with: it raises past the page
                    body = body.replace(b'<meta charset="utf-8">', b'<meta charset="undefined">')
                elif kind == "large":
                    body = body.replace(b"</body>", b"<!-- " + b"padding " * 7_000 + b"--></body>")
                elif kind == "binary":
                    body = b"<html><body>\x00\x01\x02" + bytes(200) + b"</body></html>"
                headers = StatusAndHeaders("200 OK", [html_type, ("Content-Length", str(len(body)))],
                                           protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), http_headers=headers,
                    warc_headers_dict={"WARC-Date": f"{page['date']}T12:{number % 60:02d}:00Z"}))
                number += 1
            elif kind == "image":
                image = b"\x89PNG\r\n\x1a\n" + bytes(64)
                headers = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    "https://www.harbourtimes.example/logo.png", "response", payload=io.BytesIO(image),
                    http_headers=headers))
            elif kind == "request":
                headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "www.harbourtimes.example")],
                                           is_http_request=True)
                writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""),
                                                              http_headers=headers))
            elif kind == "metadata":
                writer.write_record(writer.create_warc_record(
                    url, "metadata", payload=io.BytesIO(b"fetchTimeMs: 120\r\n"), warc_content_type="application/warc-fields"))
            else:
                raise ValueError(f"no such record kind: {kind}")
    return path
