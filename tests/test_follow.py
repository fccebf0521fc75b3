"""Following feeds end to end against a local server on 127.0.0.1: team-written feeds and
pages, a feed that gains items, 304s, pages that fail in every way a crawler meets, a
malformed feed, stop and restart. Good items land once; every problem ends as a note."""

from __future__ import annotations

import threading

import pytest

from newsloom.fetch import FetchConfig, Fetcher
from newsloom.follow import Follower, FollowConfig, by_host_turns

from .localweb import ATOM, FIXTURES, PAGES, RSS, LocalWeb, lakeside


def local_config(**fetch) -> FollowConfig:
    """Polite settings shrunk for tests: no delay, short timeout, a 1 MB cap, retries at once;
    the guard lifted for 127.0.0.1 only (127.0.0.2 stays an internal address)."""
    options = {"host_delay": 0, "timeout": 0.5, "max_bytes": 1_000_000, "allow_networks": ("127.0.0.1/32",)} | fetch
    return FollowConfig(interval=600, page_retry=0, fetch=FetchConfig(**options))


class Clock:
    def __init__(self, start: float = 1_773_446_400.0):
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def web():
    with LocalWeb() as server:
        yield lakeside(server)


@pytest.fixture
def follower(store, pipeline):
    def make(config: FollowConfig | None = None, **options) -> Follower:
        return Follower(store, pipeline, config or local_config(), **options)
    return make


def article_ids(store) -> list[str]:
    return [a.id for a in store.iter_articles()]


def test_a_feed_that_gains_items_is_followed_and_each_item_lands_once(web, store, follower):
    store.add_feed(web.url("/courier.rss"))
    first = follower().poll()
    assert (first.feeds, first.new_items, first.pages) == (1, 2, 2) and first.articles["new"] == 2
    [article] = [a for a in store.iter_articles() if a.id.endswith("flood.html")]
    assert article.source == "Lakeside Courier" and article.title.startswith("River Alder bursts its banks")
    assert "Firefighters rescued eleven people" in article.text and "Most read" not in article.text

    unchanged = follower().poll()
    assert (unchanged.not_modified, unchanged.new_items, unchanged.pages) == (1, 0, 0)
    assert web.requests[-1].headers.get("if-none-match")

    web.serve_fixture("/courier.rss", "courier-later.rss", RSS)
    later = follower().poll()
    assert (later.new_items, later.pages, later.articles["new"]) == (2, 2, 2)
    assert sorted(article_ids(store)) == sorted(web.url(f"/news/{name}.html") for name in PAGES)
    assert all(web.hits(f"/news/{name}.html") == 1 for name in PAGES)
    flood_story = store.story_of(web.url("/news/flood.html"))
    assert store.story_of(web.url("/news/flood-update.html")) == flood_story
    assert store.story_of(web.url("/news/school.html")) != flood_story
    [feed] = store.feeds()
    assert feed.title == "Lakeside Courier" and feed.items == 4 and feed.last_error is None


def test_pages_that_cannot_be_fetched_keep_the_feeds_text_with_a_note(web, store, follower):
    with LocalWeb("127.0.0.2") as internal:
        internal.serve("/internal/reservoir.html", b"<html><body>internal</body></html>")
        web.serve_fixture("/wire.atom", "troubles.atom", ATOM, private=internal.base)
        flood = (FIXTURES / "flood.html").read_bytes()
        web.sequence("/wire/flaky.html", (500, {}, b"oops"), (200, {"Content-Type": "text/html"}, flood))
        web.slow("/wire/slow.html", 2)
        web.stream("/wire/huge.html", 50_000_000)
        web.redirect("/wire/loop/a", "/wire/loop/b")
        web.redirect("/wire/loop/b", "/wire/loop/a")
        web.serve("/private/memo.html", b"<html><body>memo</body></html>")
        store.add_feed(web.url("/wire.atom"))

        first = follower().poll()
        assert (first.new_items, first.pages, first.held) == (6, 0, 6)
        notes = {note.id.rsplit("/", 1)[-1]: note.note for note in store.feed_item_notes(1)}
        assert "HTTP 500" in notes["flaky.html"] and "no answer within 0.5 s" in notes["slow.html"]
        assert "over the cap" in notes["huge.html"] and "more than 5 redirects" in notes["a"]
        assert "robots.txt" in notes["memo.html"] and "blocked" in notes["reservoir.html"]
        assert all("the feed's own text is kept" in note for note in notes.values())
        assert internal.requests == [] and web.hits("/private/memo.html") == 0
        assert len(article_ids(store)) == 6
        flaky = web.url("/wire/flaky.html")
        assert "4.2 metres" in store.article(flaky).text

        second = follower().poll()  # transient failures are tried again; the flaky page is back
        assert second.pages == 1 and second.articles["updated"] == 1
        assert "Firefighters rescued eleven people" in store.article(flaky).text
        assert len(article_ids(store)) == 6 and internal.requests == []
        assert web.hits("/wire/huge.html") == 1 and web.hits("/private/memo.html") == 0
        [feed] = store.feeds()
        assert feed.held_items == 5 and feed.last_error is None


def test_malformed_feed_backs_off_and_does_not_stop_the_others(web, store, follower):
    web.serve_fixture("/broken.rss", "malformed.rss", RSS)
    store.add_feed(web.url("/broken.rss"))
    store.add_feed(web.url("/courier.rss"))
    clock = Clock()
    report = follower(clock=clock).poll()
    assert report.errors == 1 and report.articles["new"] == 2
    broken, courier = store.feeds()
    assert broken.failures == 1 and "not a readable RSS/Atom feed" in broken.last_error
    assert broken.next_poll == "2026-03-14T00:10:00Z" and courier.last_error is None

    clock.now += 60  # still backing off: not polled
    follower(clock=clock).poll()
    assert web.hits("/broken.rss") == 1 and web.hits("/courier.rss") == 2
    clock.now += 600
    follower(clock=clock).poll()
    broken = store.feeds()[0]
    assert broken.failures == 2 and broken.next_poll == "2026-03-14T00:31:00Z"  # twice the wait

    web.serve_fixture("/broken.rss", "courier.rss", RSS)  # mended: the same items as the courier
    clock.now += 1300
    report = follower(clock=clock).poll()
    broken = store.feeds()[0]
    assert broken.failures == 0 and broken.last_error is None and report.pages == 0


def test_private_addresses_are_not_contacted_without_allow_private(web, store, follower):
    store.add_feed(web.url("/courier.rss"))
    report = follower(FollowConfig(fetch=FetchConfig(host_delay=0))).poll()
    assert report.errors == 1 and web.requests == []
    assert "--allow-private" in store.feeds()[0].last_error


def test_stop_ends_the_round_after_the_pages_in_flight_and_a_restart_goes_on(web, store, follower):
    web.serve_fixture("/courier.rss", "courier-later.rss", RSS)
    store.add_feed(web.url("/courier.rss"))
    stop = threading.Event()

    class StopAfterFirstPage(Fetcher):
        def get(self, url, **conditional):
            response = super().get(url, **conditional)
            if "/news/" in url:
                stop.set()
            return response

    config = local_config(workers=1)
    report = follower(config, fetcher=StopAfterFirstPage(config.fetch), stop=stop).poll()
    assert report.stopped and 1 <= report.pages < 4
    assert store.pending_documents() == []  # what was fetched is stored
    stored = len(article_ids(store))
    assert stored == report.pages

    rest = follower().poll()
    assert rest.pages == 4 - report.pages and len(article_ids(store)) == 4
    assert all(web.hits(f"/news/{name}.html") == 1 for name in PAGES)


def test_a_crash_after_fetching_loses_nothing_and_fetches_nothing_twice(web, store, pipeline, follower):
    store.add_feed(web.url("/courier.rss"))

    class CrashingPipeline:
        """Takes the documents, then dies before writing them (a kill -9 in the batch)."""

        def ingest_items(self, documents, command):
            list(documents)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Follower(store, CrashingPipeline(), local_config()).poll()
    assert article_ids(store) == [] and len(store.pending_documents()) == 2

    report = follower().poll()
    assert report.articles["new"] == 2 and report.pages == 0 and store.pending_documents() == []
    assert web.hits("/news/flood.html") == 1 and web.hits("/news/school.html") == 1


def test_an_item_in_two_feeds_is_fetched_and_stored_once(web, store, follower):
    web.serve_fixture("/section.rss", "courier.rss", RSS)
    store.add_feed(web.url("/courier.rss"))
    store.add_feed(web.url("/section.rss"))
    report = follower().poll()
    assert report.new_items == 2 and report.pages == 2 and len(article_ids(store)) == 2
    assert web.hits("/news/flood.html") == 1


def test_a_page_without_an_article_keeps_the_feeds_text(web, store, follower):
    web.serve("/news/school.html", b'<html><head><title>Lakeside Courier</title></head><body><div id="app"></div>'
                                   b'<script src="/app.js"></script></body></html>')  # a page drawn by script
    store.add_feed(web.url("/courier.rss"))
    report = follower().poll()
    school = web.url("/news/school.html")
    assert report.held == 1 and "national science prize" in store.article(school).text
    [note] = store.feed_item_notes(1)
    assert note.state == "held" and "no article text" in note.note


def test_the_charset_the_server_names_is_used(web, store, follower):
    school = (FIXTURES / "school.html").read_text().replace("Priya Natarajan", "Zoë Lefèvre")
    web.serve("/news/school.html", school.encode("iso-8859-1"), "text/html; charset=ISO-8859-1")
    store.add_feed(web.url("/courier.rss"))
    follower().poll()
    assert "Zoë Lefèvre" in store.article(web.url("/news/school.html")).text


def test_hosts_take_turns():
    rows = ["http://a.example/1", "http://a.example/2", "http://a.example/3", "http://b.example/1",
            "http://c.example/1", "http://c.example/2"]
    assert by_host_turns(rows, lambda url: url) == [
        "http://a.example/1", "http://b.example/1", "http://c.example/1", "http://a.example/2", "http://c.example/2",
        "http://a.example/3"]
