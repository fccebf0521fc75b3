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
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = folder / NAME
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(NAME, {"software": "newsloom tests", "format": "WARC 1.1",
                                                                 "description": "CC-NEWS-shaped test archive"}))
        for number, page in enumerate(json.loads(PAGES.read_text())):
            body = page_html(page).encode()
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=UTF-8"),
                                                  ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                page["url"], "response", payload=io.BytesIO(body), http_headers=headers,
                warc_headers_dict={"WARC-Date": f"{page['date']}T12:{number:02d}:00Z"}))
            if number == 1:  # not a page: skipped by the reader, as in CC-NEWS
                image = b"\x89PNG\r\n\x1a\n" + bytes(64)
                headers = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    "https://www.harbourtimes.example/logo.png", "response", payload=io.BytesIO(image),
                    http_headers=headers))
    return path
