"""The server's long-lived parts: the story cache, a report made once per version of its
story, a store connection per thread (the routes are tested in the other modules here)."""

from __future__ import annotations

import threading

from newsloom.models import Article, Assignment
from newsloom.store import Store
from newsloom.web import state
from newsloom.web.state import Services, StoryCache


def test_the_story_cache_drops_the_least_recently_used():
    cache = StoryCache(size=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def one_story_store(path: str) -> int:
    store = Store(path)
    story = store.new_story("Bridge reopens", None)
    with store.transaction():
        store.add_article(Article(id="a1", origin="a1.txt", title="Bridge reopens", text="The bridge reopened.",
                                  content_hash="h1", source="Gazette", published="2026-03-01"), "i1", None)
        store.assign(Assignment("a1", story, 1.0, "test"))
    store.close()
    return story


def test_a_story_report_is_made_once_per_version_of_the_story(tmp_path, monkeypatch):
    path = str(tmp_path / "s.db")
    story = one_story_store(path)
    made = []
    monkeypatch.setattr(state, "story_data", lambda store, story_id, comparer: made.append(story_id) or {"n": len(made)})
    services = Services(path)
    assert services.story_data(story) == services.story_data(story) == {"n": 1}
    with services.store().transaction():
        services.store().add_article(Article(id="a2", origin="a2.txt", title="Bridge reopens again", text="Again.",
                                             content_hash="h2", published="2026-03-02"), "i2", None)
        services.store().assign(Assignment("a2", story, 1.0, "test"))
    assert services.story_data(story) == {"n": 2}, "a new article is a new version"
    assert made == [story, story]


def test_each_thread_reads_through_its_own_connection(tmp_path):
    path = str(tmp_path / "s.db")
    one_story_store(path)
    services = Services(path)
    mine = services.store()
    other = []
    thread = threading.Thread(target=lambda: other.append(services.store()))
    thread.start()
    thread.join()
    assert services.store() is mine and other[0] is not mine
    assert other[0].story(1).articles == 1
