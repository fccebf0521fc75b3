"""Following feeds against a local server: 200 feeds × 20 items of real articles.

The articles (GVA, then ECB+, 4,000 in all; story labels dropped) become HTML pages (outlet
name, date and author in the page's meta tags, with menus and footers around the article)
and 200 RSS feeds of 20 items, served from a separate process on loopback addresses only
(127.0.0.1 … 127.0.0.N, one "host" each, ``--hosts``). With the per-host delay at 0, it
measures in one run, with the models loaded once beforehand for every part:

1. ``ingest`` of the same pages from files (the baseline);
2. a first ``follow`` round on a fresh store: every feed polled, every page fetched, cleaned,
   copy-checked and assigned to a story — polls/s and articles/s end to end;
3. the same round with a pipeline that only takes the documents (the network's share);
4. an idle round on the followed store: every feed answers 304 — feeds checked per second.

    python benchmarks/follow.py [--feeds 200] [--items 20] [--hosts 8]
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
from email.utils import format_datetime
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import load_set  # noqa: E402

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {source}</title>
<meta property="og:site_name" content="{source}"><meta property="article:published_time" content="{date}">
</head><body>
<header><a href="/">{source}</a><nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/subscribe">Subscribe</a></li></ul></nav></header>
<main><article><h1>{title}</h1><p class="byline"><time datetime="{date}">{date}</time></p>
{paragraphs}
</article><aside><h2>Most read</h2><ul><li><a href="/a">Council sets budget</a></li></ul></aside></main>
<footer><p>© {source}. All rights reserved.</p><p><a href="/privacy">Privacy</a></p></footer>
</body></html>
"""


def articles(count: int) -> list[dict]:
    rows = load_set("gva") + load_set("ecbplus")
    if len(rows) < count:
        raise SystemExit(f"only {len(rows)} articles in the shared data; ask for fewer with --feeds/--items")
    return rows[:count]


def page(row: dict) -> bytes:
    paragraphs = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in row["text"].split("\n") if p.strip())
    return PAGE.format(title=html.escape(row["title"] or ""), source=html.escape(row["source"] or "Unknown"),
                       date=html.escape(row["date"] or ""), paragraphs=paragraphs).encode()


def feed(number: int, base: str, rows: list[dict], first: int) -> bytes:
    items = []
    for n, row in enumerate(rows):
        try:
            when = format_datetime(datetime.fromisoformat(row["date"][:19]).replace(tzinfo=timezone.utc))
        except (TypeError, ValueError):
            when = ""
        items.append(f"<item><title>{html.escape(row['title'] or '')}</title><link>{base}/pages/{first + n}.html</link>"
                     f"<guid isPermaLink=\"false\">bench-{first + n}</guid><pubDate>{when}</pubDate>"
                     f"<description>{html.escape(row['text'][:200])}</description></item>")
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench feed {number}</title>'
            f"<link>{base}/</link><description>bench</description>{''.join(items)}</channel></rss>").encode()


def serve(folder: str, hosts: int, ports: multiprocessing.Queue) -> None:
    """The web server process: one threaded server per loopback host, files from ``folder``
    (feeds answer 304 to a matching If-None-Match)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    root = Path(folder)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/robots.txt":
                body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
            else:
                if not re.fullmatch(r"/(pages/\d+\.html|feeds/\d+\.xml)", self.path):
                    self.send_error(404)
                    return
                body = (root / self.path[1:]).read_bytes()
                kind = "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    servers = []
    for n in range(hosts):
        server = ThreadingHTTPServer((f"127.0.0.{n + 1}", 0), Handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports.put([s.server_address for s in servers])
    parent = os.getppid()
    while os.getppid() == parent:  # the benchmark is gone (even killed): stop serving
        time.sleep(0.5)


class Drain:
    """A pipeline that only takes the documents: what the round costs without the pipeline."""

    def ingest_items(self, documents, command):
        from newsloom.pipeline import RunReport

        report = RunReport(0)
        for _ in documents:
            report.counts["read"] += 1
        return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=8, help="loopback hosts the feeds are spread over (1..50)")
    args = parser.parse_args()
    rows = articles(args.feeds * args.items)

    with tempfile.TemporaryDirectory() as tmp:
        site, files = Path(tmp) / "site", Path(tmp) / "files"
        (site / "pages").mkdir(parents=True)
        (site / "feeds").mkdir()
        files.mkdir()
        for n, row in enumerate(rows):
            body = page(row)
            (site / "pages" / f"{n}.html").write_bytes(body)
            (files / f"{n:05d}.html").write_bytes(body)
        ports = multiprocessing.get_context("fork").Queue()
        server = multiprocessing.get_context("fork").Process(target=serve, args=(str(site), args.hosts, ports),
                                                             daemon=True)
        server.start()
        addresses = ports.get(timeout=30)
        feed_urls = []
        for number in range(args.feeds):
            host, port = addresses[number % len(addresses)]
            base = f"http://{host}:{port}"
            first = number * args.items
            (site / "feeds" / f"{number}.xml").write_bytes(feed(number, base, rows[first:first + args.items], first))
            feed_urls.append(f"{base}/feeds/{number}.xml")
        try:
            run(args, rows, files, feed_urls, Path(tmp))
        finally:
            server.kill()  # the server process this script started


def run(args, rows, files: Path, feed_urls: list[str], tmp: Path) -> None:
    from newsloom.clean import Cleaner
    from newsloom.cluster import Embedder
    from newsloom.fetch import FetchConfig
    from newsloom.follow import Follower, FollowConfig
    from newsloom.pipeline import Pipeline
    from newsloom.store import Store

    embedder, cleaner = Embedder(), Cleaner()
    warm = Store(":memory:")  # models loaded and warmed up once, outside every measurement
    Pipeline(warm, embedder=embedder, cleaner=cleaner).ingest([str(p) for p in sorted(files.iterdir())[:5]])
    warm.close()
    config = FollowConfig(interval=900, fetch=FetchConfig(host_delay=0, allow_private=True, timeout=30))
    n = len(rows)
    print(f"{args.feeds} feeds × {args.items} items = {n} articles (GVA, ECB+) on {len(set(u.split('/')[2] for u in feed_urls))} "
          f"loopback hosts, per-host delay 0, {config.fetch.workers} fetch workers")

    store = Store(str(tmp / "ingest.db"))
    start = time.perf_counter()
    report = Pipeline(store, embedder=embedder, cleaner=cleaner).ingest([str(files)])
    t_ingest = time.perf_counter() - start
    print(f"ingest from files:        {n} pages in {t_ingest:.1f} s = {n / t_ingest:.1f} articles/s "
          f"(new {report.counts['new']}, skipped {len(report.skipped)}; {store.count('stories')} stories)")
    store.close()

    def subscribed(name: str) -> Store:
        store = Store(str(tmp / name))
        for url in feed_urls:
            store.add_feed(url)
        return store

    drained = subscribed("drain.db")
    start = time.perf_counter()
    fetched = Follower(drained, Drain(), config).poll()
    t_fetch = time.perf_counter() - start
    print(f"follow, fetching only:    {fetched.feeds} feeds and {fetched.pages} pages in {t_fetch:.1f} s = "
          f"{(fetched.feeds + fetched.pages) / t_fetch:.0f} requests/s (the network's share)")
    drained.close()

    store = subscribed("follow.db")
    follower = Follower(store, Pipeline(store, embedder=embedder, cleaner=cleaner), config)
    start = time.perf_counter()
    first = follower.poll()
    t_follow = time.perf_counter() - start
    print(f"follow, first round:      {first.feeds} feeds polled, {first.pages} pages fetched, "
          f"{first.articles.get('new', 0)} new articles in {t_follow:.1f} s = {first.feeds / t_follow:.1f} polls/s, "
          f"{first.articles.get('new', 0) / t_follow:.1f} articles/s end to end "
          f"({store.count('stories')} stories; {t_follow / t_ingest:.2f} × the ingest time, "
          f"{(t_follow - t_fetch) / t_ingest:.2f} × without the network's share)")

    start = time.perf_counter()
    idle = follower.poll()
    t_idle = time.perf_counter() - start
    print(f"follow, idle round:       {idle.feeds} feeds checked, {idle.not_modified} not modified (304) in "
          f"{t_idle:.2f} s = {idle.feeds / t_idle:.0f} feeds/s")
    print(json.dumps({"articles": n, "ingest_s": round(t_ingest, 2), "fetch_only_s": round(t_fetch, 2),
                      "follow_s": round(t_follow, 2), "idle_s": round(t_idle, 3)}))
    store.close()


if __name__ == "__main__":
    main()
