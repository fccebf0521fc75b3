"""Subscriptions: feed addresses, OPML in and out, reading a feed's entries, the feeds tables."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsloom.errors import InputError, NotFound
from newsloom.feeds import feed_url, parse_feed, read_opml, write_opml
from newsloom.models import Feed

from .localweb import FIXTURES


def test_opml_from_a_feed_reader_gives_every_feed_in_its_folders():
    data = (FIXTURES / "subscriptions.opml").read_bytes().replace(b"{base}", b"https://news.example")
    assert read_opml(data, "subs.opml") == [
        ("https://news.example/courier.rss", "Lakeside Courier"),
        ("https://news.example/wire.atom", "Alder Valley Wire"),
        ("ftp://files.example/feed.rss", "Not a feed"),
    ]


@pytest.mark.parametrize("data", [b"<opml><body><outline", b"<rss version='2.0'></rss>"])
def test_broken_or_wrong_opml_is_an_input_error(data):
    with pytest.raises(InputError, match="OPML"):
        read_opml(data, "subs.opml")


urls = st.builds(lambda host, path: f"https://{host}.example/{path}",
                 st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
                 st.from_regex(r"[A-Za-z0-9/_.?=&-]{0,40}", fullmatch=True))
titles = st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40)
                   .filter(lambda t: t.strip() == t and t))


@given(st.lists(st.tuples(urls, titles), max_size=8, unique_by=lambda pair: pair[0]))
def test_opml_round_trip(subscriptions):
    feeds = [Feed(id=n, url=url, title=title, added_at="2026-03-14T00:00:00Z")
             for n, (url, title) in enumerate(subscriptions)]
    assert read_opml(write_opml(feeds).encode(), "out.opml") == [(url, title or url) for url, title in subscriptions]


@pytest.mark.parametrize("url", ["ftp://x.example/feed", "news.example/rss", "", "javascript:alert(1)"])
def test_feed_url_must_be_http(url):
    with pytest.raises(InputError, match="http"):
        feed_url(url)


def test_parse_feed_rss_and_atom_entries():
    rss = parse_feed((FIXTURES / "courier.rss").read_bytes(), "courier.rss")
    assert rss.title == "Lakeside Courier" and [e.key for e in rss.entries] == [
        "courier-2026-0314-flood", "courier-2026-0313-school"]
    assert rss.entries[0].published == "2026-03-14T07:30:00" and rss.entries[0].author == "Maria Okafor"
    atom = parse_feed((FIXTURES / "troubles.atom").read_bytes(), "troubles.atom")
    assert atom.title == "Alder Valley Wire" and len(atom.entries) == 6
    assert "4.2 metres" in atom.entries[0].body


def test_malformed_feed_is_an_input_error():
    with pytest.raises(InputError, match="not a readable RSS/Atom feed"):
        parse_feed((FIXTURES / "malformed.rss").read_bytes(), "malformed.rss")


def test_feeds_in_the_store(store):
    assert store.add_feed("https://news.example/rss") and not store.add_feed("https://news.example/rss", "Courier")
    [feed] = store.feeds()
    assert feed.title == "Courier" and feed.items == 0 and feed.failures == 0
    store.remove_feed("https://news.example/rss")
    assert store.feeds() == []
    with pytest.raises(NotFound, match="newsloom feeds"):
        store.remove_feed("https://news.example/rss")


def test_feed_migration_is_safe_to_rerun(store):
    store.add_feed("https://news.example/rss")
    store.db.execute("DELETE FROM migrations WHERE name = '0006_feeds'")
    assert store.migrate() == ["0006_feeds"]
    assert [f.url for f in store.feeds()] == ["https://news.example/rss"]
