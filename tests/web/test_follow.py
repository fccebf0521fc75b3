"""The web side of following: the API's ``updated_since`` and each story's ``last_changed``,
the front page marking the articles that came in since the reader's last visit, and the
feeds page and API showing each feed's errors and the items kept with the feed's text."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from newsloom.pipeline import Pipeline
from newsloom.serve import create_app
from newsloom.store import Store
from newsloom.web.pages import LAST_VISIT_COOKIE

from ..conftest import EXAMPLES, SEEDS
from .conftest import TEST_CONFIG


@pytest.fixture
def db_path(tmp_path, embedder):
    path = str(tmp_path / "web.db")
    store = Store(path)
    Pipeline(store, embedder=embedder).ingest([str(SEEDS), str(EXAMPLES)])
    store.db.execute("UPDATE articles SET ingested_at = '2026-03-01T10:00:00'")
    store.db.execute("UPDATE articles SET ingested_at = '2026-03-20T09:30:00' WHERE source = 'NepalKhabar'")
    store.close()
    return path


@pytest.fixture
def client(db_path, comparer):
    return TestClient(create_app(db_path, TEST_CONFIG, comparer=comparer))


def test_updated_since_gives_the_stories_that_gained_articles(client):
    everything = client.get("/api/stories").json()["stories"]
    assert len(everything) > 1 and all(s["last_changed"] for s in everything)
    recent = client.get("/api/stories", params={"updated_since": "2026-03-20T09:00:00"}).json()["stories"]
    assert len(recent) == 1 and recent[0]["last_changed"] == "2026-03-20T09:30:00"
    assert client.get("/api/stories", params={"updated_since": "2026-03-21"}).json()["stories"] == []
    assert client.get("/api/stories", params={"updated_since": "yesterday"}).status_code == 422


def test_front_page_marks_what_is_new_since_the_last_visit(client):
    first = client.get("/")
    assert first.status_code == 200 and "last changed" in first.text and "new since your last visit" not in first.text
    assert LAST_VISIT_COOKIE in first.cookies  # remembered: the next visit compares with now
    client.cookies.clear()
    client.cookies.set(LAST_VISIT_COOKIE, "2026-03-15T00:00:00")
    marked = client.get("/").text
    assert marked.count("new since your last visit") == 1 and "1 new since your last visit" in marked
    client.cookies.clear()
    client.cookies.set(LAST_VISIT_COOKIE, "not a time <script>")
    assert "new since your last visit" not in client.get("/").text


def test_feeds_page_and_api_show_errors_and_held_items(client, db_path):
    store = Store(db_path)
    store.add_feed("https://wire.example/atom", "Wire <script>window.__pwned=1</script>")
    store.add_feed("https://courier.example/rss")
    with store.transaction():
        store.feed_failed(2, at="2026-03-14T00:00:00Z", error="[E100] https://courier.example/rss: is not a readable "
                          "RSS/Atom feed", next_poll="2026-03-14T00:15:00Z")
        store.queue_items(1, [("https://wire.example/flaky.html", "{}")], "2026-03-14T00:00:00Z")
        store.item_fetched("https://wire.example/flaky.html", state="held", note="page not fetched ([E500] HTTP 500)",
                           attempts=1, retry_at="2026-03-14T00:10:00Z", pending=None)
    store.close()
    page = client.get("/feeds")
    assert page.status_code == 200 and "<script>window" not in page.text and "&lt;script&gt;" in page.text
    assert "is not a readable RSS/Atom feed" in page.text and "1 in a row" in page.text
    assert "HTTP 500" in page.text and "1 with the feed's text only" in page.text
    feeds = client.get("/api/feeds").json()["feeds"]
    assert feeds[0]["held_items"] == 1 and feeds[0]["items_not_from_page"][0]["state"] == "held"
    assert feeds[1]["failures"] == 1 and feeds[1]["last_error"].startswith("[E100]")
