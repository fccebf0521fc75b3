"""Store: newsloom's SQLite home — articles, stories, copies, runs, and full-text search.

The schema changes only through ``MIGRATIONS``, each applied once and recorded, so opening a
store twice (or an old store with a new newsloom) is safe. WAL mode; the pipeline writes one
transaction per batch, so a run killed midway leaves every finished batch whole and nothing
of the unfinished one. Every value from an article is bound as a parameter.

All of newsloom's SQL is here: the stages get what they store through the storages this
module offers for their protocols (``StoreBands`` for the copy index, ``StoreLineCounts`` for
outlet boilerplate). The ``settings`` table records what the stored features and bands were
made with, and ``check_settings`` refuses to add to a store made with others.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields

from .errors import NotFound, SettingsMismatch, StoreError
from .models import NO_DATE, Article, Assignment, CopyLink, Skipped, StoredArticle, StorySummary

MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("0001_core", """
        CREATE TABLE IF NOT EXISTS runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL DEFAULT 'running',
            counts TEXT NOT NULL DEFAULT '{}'
        );
        CREATE TABLE IF NOT EXISTS articles (
            id TEXT PRIMARY KEY,
            origin TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            input_hash TEXT NOT NULL,
            source TEXT,
            url TEXT,
            published TEXT,
            dateline TEXT,
            author TEXT,
            language TEXT,
            story_id INTEGER,
            duplicate_of TEXT,
            copy_kind TEXT,
            copy_score REAL,
            run_id INTEGER REFERENCES runs(id),
            ingested_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
        CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id);
        CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
        CREATE TABLE IF NOT EXISTS dropped_lines (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            line_no INTEGER NOT NULL,
            text TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS dropped_article ON dropped_lines(article_id);
        CREATE TABLE IF NOT EXISTS skipped (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            path TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS stories (
            id INTEGER PRIMARY KEY,
            headline TEXT NOT NULL,
            created_run INTEGER
        );
        CREATE TABLE IF NOT EXISTS assignments (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            story_id INTEGER NOT NULL,
            score REAL NOT NULL,
            reason TEXT NOT NULL,
            shared_terms TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE IF NOT EXISTS article_features (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            features TEXT NOT NULL,
            vector BLOB
        );
    """),
    ("0002_fts", """
        CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
            title, text, content='articles', content_rowid='rowid'
        );
        CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER IF NOT EXISTS articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        INSERT INTO articles_fts(articles_fts) VALUES ('rebuild');
    """),
    ("0003_copies", """
        CREATE TABLE IF NOT EXISTS minhash_bands (
            band INTEGER NOT NULL,
            bucket BLOB NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            published TEXT,
            PRIMARY KEY (band, bucket, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS minhash_article ON minhash_bands(article_id);
        CREATE TABLE IF NOT EXISTS cited_sources (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            sentence TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS cited_article ON cited_sources(article_id);
    """),
    ("0004_outlet_lines", """
        CREATE TABLE IF NOT EXISTS outlet_lines (
            source TEXT NOT NULL,
            line_hash TEXT NOT NULL,
            articles INTEGER NOT NULL,
            PRIMARY KEY (source, line_hash)
        ) WITHOUT ROWID;
    """),
    ("0005_copy_index", """
        CREATE INDEX IF NOT EXISTS articles_duplicate_of ON articles(duplicate_of);
    """),
    # what the stored features and LSH bands were made with; the values are those in force
    # before this table existed (a newsloom that adds a setting adds a migration with its old value)
    ("0006_settings", """
        CREATE TABLE IF NOT EXISTS settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO settings (name, value) VALUES
            ('features.recipe', '1'), ('features.lead_words', '400'), ('features.embedding', 'potion-base-8M'),
            ('copies.shingle_words', '5'), ('copies.num_perm', '126'), ('copies.bands', '42'),
            ('copies.engine', 'rensa');
    """),
)

SETTING_FIXES = {
    "features": "re-ingest the articles into a new database (newsloom --db NEW.db ingest PATH...), "
                "or use the newsloom version that made this one",
    "copies": "re-ingest the articles into a new database (newsloom --db NEW.db ingest PATH...), "
              "or keep the copy settings this database was made with",
}


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


class Store:
    """A newsloom database. ``Store(":memory:")`` for tests."""

    def __init__(self, path: str):
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            if path != ":memory:":
                self.db.execute("PRAGMA journal_mode = WAL")
                self.db.execute("PRAGMA synchronous = NORMAL")
            self.migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot open the database ({error})",
                             "check the path given with --db, or move the damaged file away", subject=path) from None

    # ------------------------------------------------------------ schema

    def migrate(self) -> list[str]:
        """Apply the migrations not yet applied; return their names. Safe to run twice."""
        self.db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {row[0] for row in self.db.execute("SELECT name FROM migrations")}
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                for statement in _statements(sql):
                    self.db.execute(statement)
                self.db.execute("INSERT OR IGNORE INTO migrations VALUES (?, ?)", (name, now()))
            applied.append(name)
        return applied

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        if self.db.in_transaction:
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------ settings

    def settings(self) -> dict[str, str]:
        """The settings the stored features and copy index were made with."""
        return dict(self.db.execute("SELECT name, value FROM settings").fetchall())

    def check_settings(self, current: dict[str, str]) -> None:
        """Refuse to add to a store made with other ``current`` settings (``features.*``,
        ``copies.*``), with the fix; a store without articles takes the current ones."""
        stored = self.settings()
        differing = sorted(name for name in current if stored.get(name) != current[name])
        if not differing:
            return
        if not self.db.execute("SELECT 1 FROM articles LIMIT 1").fetchone():
            with self.transaction():
                self.db.executemany("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", current.items())
            return
        what = ", ".join(f"{name} {stored.get(name, 'unset')} (now {current[name]})" for name in differing)
        fixes = " ".join(dict.fromkeys(SETTING_FIXES.get(name.split(".")[0], "") for name in differing))
        raise SettingsMismatch(f"this database was made with other settings: {what}", fixes.strip(),
                               subject=self.path)

    # ------------------------------------------------------------ runs

    def start_run(self, command: str) -> int:
        with self.transaction():
            cursor = self.db.execute("INSERT INTO runs (command, started_at) VALUES (?, ?)", (command, now()))
        return cursor.lastrowid

    def finish_run(self, run_id: int, counts: dict, status: str = "done") -> None:
        with self.transaction():
            self.db.execute("UPDATE runs SET finished_at = ?, status = ?, counts = ? WHERE id = ?",
                            (now(), status, json.dumps(counts, sort_keys=True), run_id))

    def add_skipped(self, run_id: int, skipped: Iterable[Skipped]) -> None:
        self.db.executemany("INSERT INTO skipped (run_id, path, reason) VALUES (?, ?, ?)",
                            [(run_id, s.path, s.reason) for s in skipped])

    def runs(self) -> list[dict]:
        return [dict(row) | {"counts": json.loads(row["counts"])}
                for row in self.db.execute("SELECT * FROM runs ORDER BY id DESC")]

    # ------------------------------------------------------------ articles

    def input_hash(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT input_hash FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def add_article(self, article: Article, input_hash: str, run_id: int | None) -> None:
        self.db.execute(
            """INSERT INTO articles (id, origin, title, text, content_hash, input_hash, source, url, published,
                   dateline, author, language, run_id, ingested_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (article.id, article.origin, article.title, article.text, article.content_hash, input_hash, article.source,
             article.url, article.published, article.dateline, article.author, article.language, run_id, now()),
        )
        self.db.executemany(
            "INSERT INTO dropped_lines (article_id, line_no, text, reason) VALUES (?, ?, ?, ?)",
            [(article.id, d.line_no, d.text, d.reason) for d in article.dropped],
        )

    def delete_article(self, article_id: str) -> tuple[StoredArticle, dict | None]:
        """The store's part of removing an article (``Pipeline.delete`` is the one call that
        keeps the in-memory indexes in step): its rows, features, bands, citations and
        assignment go, its former copies lose their link (the caller re-links them) and its
        story goes when empty. Returns the article as it was and its features."""
        row = self.db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFound(f"no article with id {article_id!r}", "list ids with 'newsloom export articles'")
        removed = StoredArticle(*row)
        features = self.db.execute("SELECT features FROM article_features WHERE article_id = ?",
                                   (article_id,)).fetchone()
        with self.transaction():
            self.db.execute("UPDATE articles SET duplicate_of = NULL, copy_kind = NULL, copy_score = NULL "
                            "WHERE duplicate_of = ?", (article_id,))
            self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
            self.db.execute("DELETE FROM stories WHERE id = ? AND NOT EXISTS "
                            "(SELECT 1 FROM articles WHERE story_id = ?)", (removed.story_id, removed.story_id))
        return removed, json.loads(features[0]) if features else None

    def copy_group(self, article_id: str) -> list[dict]:
        """The article's group of copies: its root original and everything linked below it."""
        root = article_id
        for _ in range(100):
            row = self.db.execute("SELECT duplicate_of FROM articles WHERE id = ?", (root,)).fetchone()
            if row is None or row[0] is None:
                break
            root = row[0]
        group, frontier = [], [root]
        while frontier:
            current = frontier.pop()
            row = self.db.execute("SELECT id, source, title, published, duplicate_of, copy_kind, copy_score "
                                  "FROM articles WHERE id = ?", (current,)).fetchone()
            if row is None:
                continue
            group.append(dict(row))
            frontier += [r[0] for r in self.db.execute("SELECT id FROM articles WHERE duplicate_of = ?", (current,))]
        return group

    def texts(self, ids: list[str]) -> dict[str, tuple[str, str | None]]:
        """id → (text, published) for the given ids."""
        result = {}
        for chunk, marks in _in_chunks(ids):
            for row in self.db.execute(f"SELECT id, text, published FROM articles WHERE id IN ({marks})", chunk):
                result[row[0]] = (row[1], row[2])
        return result

    def ids_with_hash(self, content_hash: str) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT id FROM articles WHERE content_hash = ?", (content_hash,))]

    def story_of(self, article_id: str) -> int | None:
        row = self.db.execute("SELECT story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def latest_published(self) -> str | None:
        return self.db.execute("SELECT MAX(published) FROM articles").fetchone()[0]

    def mark_interrupted_runs(self) -> int:
        return self.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'").rowcount

    def add_citations(self, article_id: str, citations: list[tuple[str, str]]) -> None:
        self.db.executemany("INSERT INTO cited_sources (article_id, name, sentence) VALUES (?, ?, ?)",
                            [(article_id, name, sentence) for name, sentence in citations])

    def citations(self, article_id: str) -> list[dict]:
        return [dict(row) for row in self.db.execute(
            "SELECT name, sentence FROM cited_sources WHERE article_id = ? ORDER BY rowid", (article_id,))]

    def set_copy(self, link: CopyLink) -> None:
        self.db.execute("UPDATE articles SET duplicate_of = ?, copy_kind = ?, copy_score = ? WHERE id = ?",
                        (link.original, link.kind, link.score, link.article))

    def article(self, article_id: str) -> dict:
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFound(f"no article with id {article_id!r}", "list ids with 'newsloom export articles'")
        result = dict(row)
        result["dropped"] = [dict(r) for r in self.db.execute(
            "SELECT line_no, text, reason FROM dropped_lines WHERE article_id = ? ORDER BY line_no", (article_id,))]
        result["cited_sources"] = self.citations(article_id)
        return result

    def iter_articles(self) -> Iterator[StoredArticle]:
        for row in self.db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY COALESCE(published, ''), rowid"):
            yield StoredArticle(*row)

    def count(self, table: str) -> int:
        assert table in {"articles", "stories", "runs", "skipped", "dropped_lines", "minhash_bands"}
        return self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    # ------------------------------------------------------------ features (for clustering)

    def save_features(self, article_id: str, features: dict, vector: bytes | None) -> None:
        self.db.execute("INSERT OR REPLACE INTO article_features VALUES (?, ?, ?)",
                        (article_id, json.dumps(features), vector))

    def features_since(self, since: str | None) -> Iterator[sqlite3.Row]:
        """Features of clustered articles published on or after ``since`` (all when None)."""
        yield from self.db.execute(
            """SELECT a.id, a.story_id, a.published, a.source, f.features, f.vector
               FROM articles a JOIN article_features f ON f.article_id = a.id
               WHERE a.story_id IS NOT NULL AND (? IS NULL OR COALESCE(a.published, ?) >= ?)
               ORDER BY COALESCE(a.published, ''), a.rowid""", (since, NO_DATE, since))

    def features_of_stories_active(self, first: str, last: str) -> Iterator[sqlite3.Row]:
        """Features of every article of the stories that have an article published from day
        ``first`` to day ``last`` (ISO dates, both included), in publication order."""
        yield from self.db.execute(
            """SELECT a.id, a.story_id, a.published, f.features, f.vector
               FROM articles a JOIN article_features f ON f.article_id = a.id
               WHERE a.story_id IN (SELECT DISTINCT story_id FROM articles
                                    WHERE published >= ? AND published < ? AND story_id IS NOT NULL)
               ORDER BY COALESCE(a.published, ''), a.rowid""", (first, last + "~"))

    def features_of_story(self, story_id: int) -> Iterator[sqlite3.Row]:
        """Features of every article of one story, in publication order."""
        yield from self.db.execute(
            """SELECT a.id, a.story_id, a.published, f.features, f.vector
               FROM articles a JOIN article_features f ON f.article_id = a.id
               WHERE a.story_id = ? ORDER BY COALESCE(a.published, ''), a.rowid""", (story_id,))

    def all_features(self) -> Iterator[sqlite3.Row]:
        """Every article with its features and copy link, in publication order (ties: ingest order)."""
        yield from self.db.execute(
            """SELECT a.id, a.title, a.duplicate_of, a.copy_kind, a.copy_score, f.features, f.vector
               FROM articles a JOIN article_features f ON f.article_id = a.id
               ORDER BY COALESCE(a.published, ?), a.rowid""", (NO_DATE,))

    # ------------------------------------------------------------ stories

    def new_story(self, headline: str, run_id: int | None) -> int:
        return self.db.execute("INSERT INTO stories (headline, created_run) VALUES (?, ?)",
                               (headline, run_id)).lastrowid

    def assign(self, assignment: Assignment) -> None:
        self.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (assignment.story, assignment.article))
        self.db.execute("INSERT OR REPLACE INTO assignments VALUES (?, ?, ?, ?, ?)",
                        (assignment.article, assignment.story, assignment.score, assignment.reason,
                         json.dumps(list(assignment.shared_terms))))

    def assignment(self, article_id: str) -> dict | None:
        row = self.db.execute("SELECT * FROM assignments WHERE article_id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        return dict(row) | {"shared_terms": json.loads(row["shared_terms"])}

    def clear_stories(self) -> None:
        with self.transaction():
            self.db.execute("UPDATE articles SET story_id = NULL")
            self.db.execute("DELETE FROM assignments")
            self.db.execute("DELETE FROM stories")

    _STORY_SUMMARY = """
        SELECT s.id, s.headline, COUNT(a.id) AS articles,
               COUNT(DISTINCT COALESCE(a.source, 'article:' || a.id)) AS outlets,
               COUNT(DISTINCT CASE WHEN a.duplicate_of IS NULL THEN COALESCE(a.source, 'article:' || a.id) END) AS origins,
               MIN(a.published) AS first_date, MAX(a.published) AS last_date
        FROM stories s JOIN articles a ON a.story_id = s.id
    """

    def stories(self, *, query: str | None = None, outlet: str | None = None, since: str | None = None,
                until: str | None = None, min_outlets: int = 0, limit: int = 1000, offset: int = 0) -> list[StorySummary]:
        where, params = [], []
        if query:
            where.append("s.id IN (SELECT a2.story_id FROM articles_fts JOIN articles a2 ON a2.rowid = articles_fts.rowid "
                         "WHERE articles_fts MATCH ?)")
            params.append(fts_query(query))
        if outlet:
            where.append("s.id IN (SELECT story_id FROM articles WHERE source = ?)")
            params.append(outlet)
        sql = self._STORY_SUMMARY + (" WHERE " + " AND ".join(where) if where else "") + " GROUP BY s.id"
        having = []
        if since:
            having.append("MAX(a.published) >= ?")
            params.append(since)
        if until:
            having.append("MIN(a.published) <= ?")
            params.append(until)
        if min_outlets:
            having.append("outlets >= ?")
            params.append(min_outlets)
        if having:
            sql += " HAVING " + " AND ".join(having)
        sql += " ORDER BY COALESCE(MAX(a.published), '') DESC, s.id DESC LIMIT ? OFFSET ?"
        params += [limit, offset]
        return [StorySummary(**dict(row)) for row in self.db.execute(sql, params)]

    def story(self, story_id: int) -> StorySummary:
        row = self.db.execute(self._STORY_SUMMARY + " WHERE s.id = ? GROUP BY s.id", (story_id,)).fetchone()
        if row is None:
            raise NotFound(f"no story with id {story_id}", "list stories with 'newsloom stories'")
        return StorySummary(**dict(row))

    def story_outlets(self, story_ids: Iterable[int]) -> dict[int, list[str]]:
        """Every outlet of each story, named ones first (sorted); an article without one counts
        as its own "unknown outlet (file name)"."""
        ids = list(story_ids)
        found: dict[int, tuple[set, set]] = {i: (set(), set()) for i in ids}
        for chunk, marks in _in_chunks(ids):
            for story_id, source, article_id in self.db.execute(
                    f"SELECT story_id, source, id FROM articles WHERE story_id IN ({marks})", chunk):
                named, unnamed = found[story_id]
                if source:
                    named.add(source)
                else:
                    unnamed.add(f"unknown outlet ({os.path.basename(article_id.rstrip('/')) or article_id})")
        return {i: sorted(named) + sorted(unnamed) for i, (named, unnamed) in found.items()}

    def story_articles(self, story_id: int) -> list[StoredArticle]:
        return [StoredArticle(*row) for row in self.db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE story_id = ? ORDER BY COALESCE(published, ''), rowid",
            (story_id,))]


_ARTICLE_COLUMNS = ", ".join(f.name for f in fields(StoredArticle))


def fts_query(text: str) -> str:
    """Turn user words into a safe FTS5 query: each word quoted, all required."""
    words = [w.replace('"', '""') for w in text.split() if w.strip()]
    return " ".join(f'"{w}"' for w in words) or '""'


def _in_chunks(values: list, size: int = 500) -> Iterator[tuple[list, str]]:
    """``values`` in chunks small enough for one query, each with its ``?, ?, …`` placeholders."""
    for start in range(0, len(values), size):
        chunk = values[start:start + size]
        yield chunk, ",".join("?" * len(chunk))


def _statements(sql: str) -> Iterator[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()


class StoreBands:
    """The copy detector's LSH buckets (``copies.BandStorage``) in the ``minhash_bands``
    table: they survive restarts, and go with their article when it is deleted."""

    def __init__(self, store: Store):
        self.db = store.db

    def add(self, article_id: str, keys: list[int], published: str | None) -> None:
        self.db.executemany("INSERT OR IGNORE INTO minhash_bands (band, bucket, article_id, published) VALUES (?, ?, ?, ?)",
                            [(band, bucket, article_id, published) for band, bucket in enumerate(keys)])

    def candidates(self, keys: list[int]) -> set[str]:
        clause = " OR ".join(["(band = ? AND bucket = ?)"] * len(keys))
        params = [value for pair in enumerate(keys) for value in pair]
        return {row[0] for row in self.db.execute(f"SELECT article_id FROM minhash_bands WHERE {clause}", params)}

    def remove(self, article_id: str) -> None:
        self.db.execute("DELETE FROM minhash_bands WHERE article_id = ?", (article_id,))

    def expire(self, before: str) -> int:
        return self.db.execute("DELETE FROM minhash_bands WHERE published IS NOT NULL AND published < ?",
                               (before,)).rowcount


class StoreLineCounts:
    """Outlet boilerplate counts (``outletlines.LineCounts``) in the ``outlet_lines`` table."""

    def __init__(self, store: Store):
        self.db = store.db

    def seen(self, source: str, keys: list[str]) -> dict[str, int]:
        found = dict.fromkeys(keys, 0)
        for chunk, marks in _in_chunks(keys):
            for key, articles in self.db.execute(
                    f"SELECT line_hash, articles FROM outlet_lines WHERE source = ? AND line_hash IN ({marks})",
                    [source, *chunk]):
                found[key] = articles
        return found

    def add(self, source: str, keys: list[str]) -> None:
        self.db.executemany(
            "INSERT INTO outlet_lines (source, line_hash, articles) VALUES (?, ?, 1) "
            "ON CONFLICT (source, line_hash) DO UPDATE SET articles = articles + 1",
            [(source, key) for key in keys])
