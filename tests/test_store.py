"""The store: migrations from the oldest schema, typed round trips, the settings it was made
with, and the storages it offers the stages (bands, outlet line counts)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import replace

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsloom.cli import cli
from newsloom.errors import NotFound, SettingsMismatch
from newsloom.models import (Article, ArticleFeatures, Assignment, Citation, CopyLink, CopyMember, DroppedLine,
                             StoredArticle)
from newsloom.store import MIGRATIONS, Store, StoreBands, StoreLineCounts, _statements

from .conftest import SEEDS


def oldest_store(path) -> None:
    """A database as the first newsloom made it: migration 0001 only, with one article."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    name, sql = MIGRATIONS[0]
    for statement in _statements(sql):
        db.execute(statement)
    db.execute("INSERT INTO migrations VALUES (?, '2024-01-01T00:00:00')", (name,))
    db.execute("INSERT INTO stories (id, headline) VALUES (1, 'Bridge reopens')")
    db.execute("""INSERT INTO articles (id, origin, title, text, content_hash, input_hash, published, story_id,
                  ingested_at) VALUES ('old-1', 'old.jsonl', 'Bridge reopens', 'The Harlow Creek bridge reopened.',
                  'h1', 'i1', '2024-01-01', 1, '2024-01-01T00:00:00')""")
    db.commit()
    db.close()


def test_a_store_of_the_oldest_schema_is_upgraded_in_place(tmp_path):
    path = str(tmp_path / "old.db")
    oldest_store(path)
    store = Store(path)
    applied = {row[0] for row in store.db.execute("SELECT name FROM migrations")}
    assert applied == {name for name, _ in MIGRATIONS}
    assert store.article("old-1").title == "Bridge reopens"
    assert store.article("old-1").shown_id == "old-1", "an old article is shown by its id"
    assert [s.id for s in store.stories(query="Harlow")] == [1], "old articles are searchable after the upgrade"
    assert store.settings()["features.recipe"] == "1" and store.settings()["copies.num_perm"] == "126"
    assert store.migrate() == [], "a second run applies nothing"
    store.close()


def test_any_search_text_is_a_search_not_an_error(tmp_path):
    """The API fuzzer's q=%00: a NUL inside a quoted FTS5 string ended it ('unterminated string');
    quotes, operators and control characters are searched as words."""
    path = str(tmp_path / "old.db")
    oldest_store(path)
    store = Store(path)
    for query in ("\x00", "Harlow\x00", '"', 'Harlow"', "NEAR(", "a OR", "*", "\x1b[31m", "Harlow AND"):
        store.stories(query=query)
    assert [s.id for s in store.stories(query="Harlow\x00")] == [1]
    store.close()


def test_an_article_is_found_by_its_id_or_the_name_it_is_shown_by():
    store = Store(":memory:")
    for article_id, shown in [("/data/a/seeds/x.txt", "seeds/x.txt"), ("/data/b/seeds/x.txt", "seeds/x.txt"),
                              ("/data/a/seeds/y.txt", "seeds/y.txt"), ("api-1", None)]:
        store.add_article(Article(id=article_id, origin="t", title="t", text="t", content_hash="h", shown_id=shown),
                          "i", None)
    assert store.article("api-1").shown_id == "api-1", "an article without a shown name is shown by its id"
    assert store.resolve("seeds/y.txt") == "/data/a/seeds/y.txt"
    assert store.resolve("/data/b/seeds/x.txt") == "/data/b/seeds/x.txt"
    with pytest.raises(NotFound) as ambiguous:
        store.resolve("seeds/x.txt")
    assert "/data/a/seeds/x.txt" in ambiguous.value.message and "full id" in ambiguous.value.message
    with pytest.raises(NotFound):
        store.resolve("seeds/z.txt")
    assert store.shown_ids(["/data/a/seeds/y.txt", "nope"]) == {"/data/a/seeds/y.txt": "seeds/y.txt"}


def test_migrations_are_safe_to_run_twice(tmp_path):
    store = Store(str(tmp_path / "twice.db"))
    store.db.execute("DELETE FROM migrations")
    assert store.migrate() == [name for name, _ in MIGRATIONS]
    store.close()


texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200)
optional = st.none() | texts


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(article=st.builds(
    Article, id=texts.filter(bool), origin=texts, title=texts, text=texts, content_hash=texts, source=optional,
    url=optional, published=st.none() | st.dates().map(str), dateline=optional, author=optional, language=optional,
    dropped=st.lists(st.builds(DroppedLine, st.integers(0, 10_000), texts, texts), max_size=3).map(tuple),
    shown_id=texts.filter(bool)))
def test_an_article_comes_back_as_it_went_in(article):
    store = Store(":memory:")
    store.add_article(article, "input-hash", None)
    story = store.new_story(article.title, None)
    store.assign(Assignment(article.id, story, 0.5, "test"))
    (stored,) = store.iter_articles()
    assert isinstance(stored, StoredArticle) and stored.story_id == story
    assert {name: getattr(stored, name) for name in Article.__slots__ if name != "dropped"} == \
        {name: getattr(article, name) for name in Article.__slots__ if name != "dropped"}
    assert store.story_articles(story) == [stored] and store.article(article.id) == stored
    order = lambda d: (d.line_no, d.text, d.reason)  # noqa: E731
    dropped = tuple(sorted(store.dropped_lines(article.id), key=order))
    back = Article(**{name: getattr(stored, name) for name in Article.__slots__ if name != "dropped"}, dropped=dropped)
    assert back == replace(article, dropped=tuple(sorted(article.dropped, key=order)))
    store.close()


@settings(max_examples=30, deadline=None)
@given(terms=st.dictionaries(texts, st.integers(1, 50), max_size=5), vector=st.none() | st.binary(max_size=64),
       score=st.floats(0, 1), reason=texts, shared=st.lists(texts, max_size=4).map(tuple),
       cited=st.lists(st.tuples(texts, texts), max_size=3), kind=st.sampled_from(["exact", "near", "partial"]))
def test_what_the_stages_store_comes_back_as_typed_rows(terms, vector, score, reason, shared, cited, kind):
    store = Store(":memory:")
    for i, published in ((1, "2024-05-01"), (2, None)):
        store.add_article(Article(id=f"a{i}", origin="in", title=f"Title {i}", text="Text.", content_hash=f"h{i}",
                                  published=published), "x", None)
    story = store.new_story("Title 1", None)
    assignment = Assignment("a2", story, score, reason, shared)
    store.assign(Assignment("a1", story, 1.0, "first"))
    store.assign(assignment)
    store.set_copy(CopyLink("a2", "a1", kind, score))
    store.save_features("a2", {"terms": terms}, vector)
    store.add_citations("a2", cited)
    assert store.assignment("a2") == assignment and store.assignment("nowhere") is None
    assert store.citations("a2") == [Citation(name, sentence) for name, sentence in cited]
    assert store.copy_group("a2") == [CopyMember("a1", None, "Title 1", "2024-05-01", shown_id="a1"),
                                      CopyMember("a2", None, "Title 2", None, "a1", kind, score, "a2")]
    (row,) = store.features_of_story(story)
    assert row == ArticleFeatures("a2", story, None, {"terms": terms}, vector, "Title 2", CopyLink("a2", "a1", kind, score))
    assert list(store.all_features()) == [row]
    store.close()


def article(i: int, source: str | None = "Gazette", published: str = "2024-05-01") -> Article:
    return Article(id=f"a{i}", origin=f"/in/a{i}.txt", title=f"Title {i}", text=f"Text {i}.", content_hash=f"h{i}",
                   source=source, published=published)


def test_delete_removes_the_article_and_its_story_when_empty(store):
    story = store.new_story("Title", None)
    for i in (1, 2):
        store.add_article(article(i), "x", None)
        store.assign(Assignment(f"a{i}", story, 1.0, "test"))
        store.save_features(f"a{i}", {"terms": {"word": 1}}, None)
    store.set_copy(CopyLink("a2", "a1", "near", 0.9))
    removed, features = store.delete_article("a1")
    assert removed.id == "a1" and removed.story_id == story and features == {"terms": {"word": 1}}
    assert store.copy_group("a2")[0].duplicate_of is None, "the former copy lost its link"
    assert store.story(story).articles == 1
    store.delete_article("a2")
    with pytest.raises(NotFound):
        store.story(story)
    with pytest.raises(NotFound):
        store.delete_article("a2")


def counted_from_features(store: Store) -> tuple[int, Counter]:
    """The story index's document counts read from every stored feature, as runs once did."""
    documents = store.db.execute("SELECT COUNT(*) FROM articles a JOIN article_features f ON f.article_id = a.id "
                                 "WHERE a.story_id IS NOT NULL").fetchone()[0]
    return documents, Counter(dict(store.db.execute(
        "SELECT t.key, COUNT(*) FROM articles a JOIN article_features f ON f.article_id = a.id, "
        "json_each(f.features, '$.terms') t WHERE a.story_id IS NOT NULL GROUP BY t.key")))


@settings(max_examples=30, deadline=None)
@given(terms=st.lists(st.dictionaries(texts, st.integers(1, 5), max_size=4), min_size=1, max_size=5),
       replaced=st.dictionaries(texts, st.integers(1, 5), max_size=4), deleted=st.integers(0, 4))
def test_term_counts_are_kept_as_features_come_and_go(terms, replaced, deleted):
    store = Store(":memory:")
    story = store.new_story("Title", None)
    for i, article_terms in enumerate(terms):
        store.add_article(article(i), "x", None)
        store.assign(Assignment(f"a{i}", story, 1.0, "test"))
        store.save_features(f"a{i}", {"terms": article_terms}, None)
    assert store.term_counts() == counted_from_features(store)
    store.save_features("a0", {"terms": replaced}, None)
    assert store.term_counts() == counted_from_features(store)
    if deleted < len(terms):
        store.delete_article(f"a{deleted}")
    documents, counts = store.term_counts()
    assert (documents, counts) == counted_from_features(store) and all(n > 0 for n in counts.values())
    store.close()


def test_a_run_starts_with_every_undated_story_whatever_the_limit(store):
    """A run's index never evicts a story without a date, so a run that starts from the store
    holds every one of them too, beyond ``max_stories``; the limit counts for dated stories."""
    for i, published in enumerate([None, None, None, "2024-05-01", "2024-05-03"]):
        store.add_article(article(i, published=published), "x", None)
        store.assign(Assignment(f"a{i}", store.new_story(f"Title {i}", None), 1.0, "test"))
        store.save_features(f"a{i}", {"terms": {"word": 1}, "title": [], "entities": [], "date": published}, None)
    rows, left_out = store.features_of_latest_stories(2)
    assert sorted(row.id for row in rows) == ["a0", "a1", "a2"] and left_out == "2024-05-03"
    rows, left_out = store.features_of_latest_stories(4)
    assert sorted(row.id for row in rows) == ["a0", "a1", "a2", "a4"] and left_out == "2024-05-01"


def test_story_outlets_names_every_outlet_and_the_file_of_unnamed_ones(store):
    story = store.new_story("Title", None)
    for i, source in enumerate(["Zeta News", "Alpha Post", None, "Zeta News"]):
        store.add_article(article(i, source), "x", None)
        store.assign(Assignment(f"a{i}", story, 1.0, "test"))
    assert store.story_outlets([story]) == {story: ["Alpha Post", "Zeta News", "unknown outlet (a2)"]}
    assert store.story_outlets([]) == {}


def test_settings_are_taken_by_an_empty_store_and_checked_after(store):
    current = store.settings()
    store.check_settings(current | {"copies.num_perm": "128"})  # no articles yet: taken
    assert store.settings()["copies.num_perm"] == "128"
    store.add_article(article(1), "x", None)
    with pytest.raises(SettingsMismatch) as error:
        store.check_settings(current)
    assert "copies.num_perm 128 (now 126)" in error.value.message and "re-ingest" in error.value.message


def test_a_store_made_with_other_settings_is_refused_with_the_fix(tmp_path):
    db = str(tmp_path / "other.db")
    assert CliRunner().invoke(cli, ["--db", db, "ingest", str(SEEDS)]).exit_code == 0
    store = Store(db)
    store.db.execute("UPDATE settings SET value = '0' WHERE name = 'features.recipe'")
    store.close()
    result = CliRunner().invoke(cli, ["--db", db, "ingest", str(SEEDS)])
    assert result.exit_code == 2
    assert "[E410]" in result.output and "features.recipe 0 (now 1)" in result.output and "re-ingest" in result.output
    assert CliRunner().invoke(cli, ["--db", db, "stories"]).exit_code == 0, "reading it still works"


def test_bands_find_candidates_forget_deleted_and_expire_old(store):
    bands = StoreBands(store)
    for i, day in ((1, "2024-01-01"), (2, "2024-03-01")):
        store.add_article(article(i, published=day), "x", None)
        bands.add(f"a{i}", [10, 20 + i, 30], day)
    assert bands.candidates([10, 99, 98]) == {"a1", "a2"}
    assert bands.candidates([99, 22, 98]) == {"a2"}
    assert bands.expire("2024-02-01") == 3
    assert bands.candidates([10, 21, 30]) == {"a2"}
    bands.remove("a2")
    assert bands.candidates([10, 22, 30]) == set()


def test_line_counts_count_articles_per_outlet(store):
    counts = StoreLineCounts(store)
    counts.add("Gazette", ["k1", "k2"])
    counts.add("Gazette", ["k1"])
    counts.add("Post", ["k1"])
    assert counts.seen("Gazette", ["k1", "k2", "k3"]) == {"k1": 2, "k2": 1, "k3": 0}
    assert counts.seen("Post", [f"k{i}" for i in range(1200)])["k1"] == 1


def test_processes_opening_one_new_store_at_once_all_get_it(tmp_path):
    """Two `newsloom ingest` started together on a new database both open it (one of them was
    refused now and then with 'database is locked' while the other switched it to WAL). A race:
    without the retry this failed about one round in twelve, so it runs several rounds."""
    import subprocess
    import sys

    opening = "import sys; from newsloom.store import Store; Store(sys.argv[1]).close()"
    for round_number in range(6):
        path = str(tmp_path / f"new-{round_number}.db")
        processes = [subprocess.Popen([sys.executable, "-c", opening, path], stderr=subprocess.PIPE, text=True)
                     for _ in range(3)]
        errors = [process.communicate(timeout=120)[1] for process in processes]
        assert [process.returncode for process in processes] == [0, 0, 0], errors
    names = [row[0] for row in Store(path).db.execute("SELECT name FROM migrations ORDER BY name")]
    assert names == sorted(name for name, _ in MIGRATIONS)
