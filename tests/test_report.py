"""Report: one JSON shape for a story, kept in the store until the story changes."""

from __future__ import annotations

from newsloom.report import story_data
from newsloom.store import ComparisonCache

from .conftest import SEEDS


class CountingComparer:
    def __init__(self, comparer):
        self.comparer, self.calls = comparer, 0

    def compare(self, articles, sentence_vectors=None):
        self.calls += 1
        assert sentence_vectors and set(sentence_vectors) == {a.id for a in articles}, "ingest stored them"
        return self.comparer.compare(articles, sentence_vectors)

    @property
    def embedder(self):
        return self.comparer.embedder


def test_a_story_is_compared_once_until_it_changes(store, pipeline, comparer, tmp_path):
    pipeline.ingest([str(SEEDS)])
    (story,) = store.stories()
    counting = CountingComparer(comparer)
    first = story_data(store, story.id, counting)
    assert story_data(store, story.id, counting) == first and counting.calls == 1
    assert ComparisonCache(store).counts([story.id])[story.id] == first["story"]["claim_counts"]
    page = tmp_path / "page.txt"
    page.write_text((SEEDS / "000_48af7910958ecb10.txt").read_text().replace("four days", "five days"))
    store.db.execute("UPDATE articles SET content_hash = 'changed' WHERE story_id = ?", (story.id,))
    story_data(store, story.id, counting)
    assert counting.calls == 2, "a changed story is compared again"


def test_every_outlet_of_a_story_is_named(store, pipeline):
    pipeline.ingest([str(SEEDS)])
    (story,) = store.stories()
    assert store.story_outlets([story.id]) == {story.id: ["NepalKhabar", "unknown outlet (001_dc5a2832e058e991.txt)"]}


def test_a_story_is_answered_when_a_long_write_holds_the_store(store, pipeline, comparer):
    """An ingest batch holding the store past the wait: the report is made and answered, only
    not cached (a read never fails for the cache's sake)."""
    import sqlite3

    pipeline.ingest([str(SEEDS)])
    (story_id,) = [row[0] for row in store.db.execute("SELECT DISTINCT story_id FROM articles")]
    store.db.execute("PRAGMA busy_timeout = 100")
    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        data = story_data(store, story_id, comparer)
    finally:
        other.execute("ROLLBACK")
    assert data["claims"] and not ComparisonCache(store).counts([story_id])
    assert story_data(store, story_id, comparer) == data and ComparisonCache(store).counts([story_id])
