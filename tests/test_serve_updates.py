"""What changed since: the API's ``updated_since`` and each story's ``last_changed``, and the
front page marking the articles that came in since the reader's last visit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from newsloom.pipeline import Pipeline
from newsloom.serve import LAST_VISIT_COOKIE, create_app
from newsloom.store import Store

from .conftest import EXAMPLES, SEEDS


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
    return TestClient(create_app(db_path, comparer=comparer))


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
