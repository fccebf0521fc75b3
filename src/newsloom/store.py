"""Store: newsloom's SQLite home — articles, stories, copies, runs, and full-text search.

The schema changes only through ``MIGRATIONS``, each applied once and recorded, so opening a
store twice (or an old store with a new newsloom) is safe. WAL mode; the pipeline writes one
transaction per batch, so a run killed midway leaves every finished batch whole and nothing
of the unfinished one. Every value from an article is bound as a parameter.

All of newsloom's SQL is here: the stages get what they store through the storages this
module offers for their protocols (``StoreBands`` for the copy index, ``StoreLineCounts`` for
outlet boilerplate). What it reads back are the typed rows of ``models`` (``StoredArticle``,
``ArticleFeatures``, ``CopyMember``, ``Assignment``, ``Run``, ``FeedItem``…), never rows keyed
by column names. The ``settings`` table records what the stored features and bands were
made with, and ``check_settings`` refuses to add to a store made with others.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import unicodedata
from collections import Counter
from collections.abc import Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields

from .display import printable
from .errors import NotFound, SettingsMismatch, StoreBusy, StoreError
from .models import (NO_DATE, Article, ArticleFeatures, Assignment, Citation, CopyLink, CopyMember, DroppedLine, Feed,
                     FeedEntry, FeedItem, FeedItemNote, Run, Skipped, StoredArticle, StorySummary, outlet_name)

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
    ("0006_feeds", """
        CREATE TABLE IF NOT EXISTS feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            title TEXT,
            added_at TEXT NOT NULL,
            last_poll TEXT,
            last_status TEXT,
            last_error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            next_poll TEXT,
            etag TEXT,
            last_modified TEXT
        );
        CREATE TABLE IF NOT EXISTS feed_items (
            id TEXT PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            entry TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued',
            note TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            retry_at TEXT,
            pending TEXT,
            seen_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS feed_items_feed ON feed_items(feed_id);
        CREATE INDEX IF NOT EXISTS feed_items_state ON feed_items(state, retry_at);
        CREATE INDEX IF NOT EXISTS articles_ingested ON articles(ingested_at);
    """),
    ("0007_comparisons", """
        CREATE TABLE IF NOT EXISTS comparisons (
            story_id INTEGER PRIMARY KEY,
            version TEXT NOT NULL,
            counts TEXT NOT NULL,
            data TEXT NOT NULL
        );
    """),
    # what the stored features and LSH bands were made with; the values are those in force
    # before this table existed (a newsloom that adds a setting adds a migration with its old value)
    ("0008_settings", """
        CREATE TABLE IF NOT EXISTS settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT OR IGNORE INTO settings (name, value) VALUES
            ('features.recipe', '1'), ('features.lead_words', '400'), ('features.embedding', 'potion-base-8M'),
            ('copies.shingle_words', '5'), ('copies.num_perm', '126'), ('copies.bands', '42'),
            ('copies.engine', 'rensa');
    """),
    # each article's sentences (character spans) and their encoder vectors (int8), made once at
    # ingest and read when a story is compared
    ("0009_sentence_vectors", """
        CREATE TABLE IF NOT EXISTS sentence_vectors (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            spans BLOB NOT NULL,
            vectors BLOB NOT NULL
        ) WITHOUT ROWID;
    """),
    # the name an article is shown by: its file's path relative to what was ingested (the id
    # keeps the path as given, which re-ingest matches); older articles are shown by their id
    ("0010_shown_ids", """
        ALTER TABLE articles ADD COLUMN shown_id TEXT;
        UPDATE articles SET shown_id = id WHERE shown_id IS NULL;
        CREATE INDEX IF NOT EXISTS articles_shown ON articles(shown_id);
    """),
    # in how many articles with features each term of them occurs, kept up to date as features
    # come and go, so that a run starts without reading the features of the whole store
    ("0011_term_counts", """
        CREATE TABLE IF NOT EXISTS term_counts (
            term TEXT PRIMARY KEY,
            articles INTEGER NOT NULL
        ) WITHOUT ROWID;
        DELETE FROM term_counts;
        INSERT INTO term_counts (term, articles)
            SELECT t.key, COUNT(*) FROM article_features f, json_each(f.features, '$.terms') t GROUP BY t.key;
        CREATE TRIGGER IF NOT EXISTS term_counts_insert AFTER INSERT ON article_features BEGIN
            INSERT INTO term_counts (term, articles) SELECT key, 1 FROM json_each(new.features, '$.terms') WHERE true
                ON CONFLICT (term) DO UPDATE SET articles = articles + 1;
        END;
        CREATE TRIGGER IF NOT EXISTS term_counts_delete AFTER DELETE ON article_features BEGIN
            UPDATE term_counts SET articles = articles - 1
                WHERE term IN (SELECT key FROM json_each(old.features, '$.terms'));
            DELETE FROM term_counts
                WHERE articles <= 0 AND term IN (SELECT key FROM json_each(old.features, '$.terms'));
        END;
    """),
)

_ADD_COLUMN = re.compile(r"\s*ALTER TABLE (\w+) ADD COLUMN (\w+)", re.I)

SETTING_FIXES = {
    "features": "re-ingest the articles into a new database (newsloom --db NEW.db ingest PATH...), "
                "or use the newsloom version that made this one",
    "copies": "re-ingest the articles into a new database (newsloom --db NEW.db ingest PATH...), "
              "or keep the copy settings this database was made with",
}


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def utc_now(seconds: float | None = None) -> str:
    """Now (or ``seconds`` since the epoch) as ISO 8601 UTC, to the second: the feeds' clock."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class Store:
    """A newsloom database. ``Store(":memory:")`` for tests."""

    def __init__(self, path: str):
        self.path = path
        try:
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            if path != ":memory:":
                self._write_ahead_log()
                self.db.execute("PRAGMA synchronous = NORMAL")
            self.migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"cannot open the database ({error})",
                             "check the path given with --db, or move the damaged file away", subject=path) from None

    def _write_ahead_log(self, patience: float = 30.0) -> None:
        """Put the database in WAL mode. Two processes opening one new database at once both
        ask; the switch takes a lock SQLite does not wait for, so the one refused asks again
        (the mode is kept in the file: once set, the pragma needs no lock)."""
        deadline = time.monotonic() + patience
        while True:
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

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
                # another process opening the same new store may have applied it meanwhile
                if self.db.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                    continue
                for statement in _statements(sql):
                    if not self._has_column_added_by(statement):
                        self.db.execute(statement)
                self.db.execute("INSERT OR IGNORE INTO migrations VALUES (?, ?)", (name, now()))
            applied.append(name)
        return applied

    def _has_column_added_by(self, statement: str) -> bool:
        """Whether ``statement`` is an ``ALTER TABLE t ADD COLUMN c`` whose column is already
        there (SQLite has no ``IF NOT EXISTS`` for columns), so a rerun migration skips it."""
        match = _ADD_COLUMN.match(statement)
        return bool(match) and any(row[1] == match.group(2) for row in
                                   self.db.execute("SELECT * FROM pragma_table_info(?)", (match.group(1),)))

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

    @contextmanager
    def run_lock(self, wait: float | None = None) -> Iterator[None]:
        """Hold the store's run lock: one run (ingest, recluster) at a time on a store, across
        processes, so that a second run starts from everything the first stored instead of
        racing it; the second waits — as long as it takes, or ``wait`` seconds and then
        ``StoreBusy`` (for a server, which answers 503 rather than hold a request). The lock is a ``flock`` on ``PATH.lock`` beside the
        database (not on the database, whose POSIX locks belong to SQLite), released by the
        system when its process ends, even by kill -9. An in-memory store needs none."""
        if self.path == ":memory:":
            yield
            return
        import fcntl

        try:
            handle = open(f"{self.path}.lock", "a")
        except OSError as error:
            raise StoreError(f"cannot open the run lock {self.path}.lock ({error.strerror or error})",
                             "make the database's folder writable", subject=self.path) from None
        with handle:
            _take_lock(handle, wait)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

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

    def runs(self) -> list[Run]:
        return [Run(run_id, command, started, finished, status, json.loads(counts))
                for run_id, command, started, finished, status, counts in self.db.execute(
                    "SELECT id, command, started_at, finished_at, status, counts FROM runs ORDER BY id DESC")]

    # ------------------------------------------------------------ articles

    def input_hash(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT input_hash FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def add_article(self, article: Article, input_hash: str, run_id: int | None) -> None:
        self.db.execute(
            """INSERT INTO articles (id, origin, title, text, content_hash, input_hash, source, url, published,
                   dateline, author, language, run_id, ingested_at, shown_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (article.id, article.origin, article.title, article.text, article.content_hash, input_hash, article.source,
             article.url, article.published, article.dateline, article.author, article.language, run_id, now(),
             article.shown_id or article.id),
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

    def copy_group(self, article_id: str) -> list[CopyMember]:
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
            row = self.db.execute(f"SELECT {_MEMBER_COLUMNS} FROM articles WHERE id = ?", (current,)).fetchone()
            if row is None:
                continue
            group.append(CopyMember(*row))
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

    def fingerprint(self) -> tuple:
        """What changes whenever a run starts or an article comes or goes: a run that finds it as
        the last one left it may go on from that run's state in memory."""
        return tuple(self.db.execute("SELECT (SELECT MAX(id) FROM runs), (SELECT COUNT(*) FROM articles), "
                                     "(SELECT MAX(rowid) FROM articles)").fetchone())

    def latest_published(self) -> str | None:
        return self.db.execute("SELECT MAX(published) FROM articles").fetchone()[0]

    def mark_interrupted_runs(self) -> int:
        return self.db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'").rowcount

    def add_citations(self, article_id: str, citations: list[tuple[str, str]]) -> None:
        self.db.executemany("INSERT INTO cited_sources (article_id, name, sentence) VALUES (?, ?, ?)",
                            [(article_id, name, sentence) for name, sentence in citations])

    def citations(self, article_id: str) -> list[Citation]:
        return [Citation(*row) for row in self.db.execute(
            "SELECT name, sentence FROM cited_sources WHERE article_id = ? ORDER BY rowid", (article_id,))]

    def set_copy(self, link: CopyLink) -> None:
        self.db.execute("UPDATE articles SET duplicate_of = ?, copy_kind = ?, copy_score = ? WHERE id = ?",
                        (link.original, link.kind, link.score, link.article))

    def resolve(self, key: str) -> str:
        """The id of the article named ``key``: its id, else the name it is shown by (which
        must be unique). NotFound says which ids share an ambiguous name."""
        if self.db.execute("SELECT 1 FROM articles WHERE id = ?", (key,)).fetchone():
            return key
        ids = [row[0] for row in self.db.execute("SELECT id FROM articles WHERE shown_id = ? ORDER BY rowid LIMIT 4",
                                                 (key,))]
        if len(ids) == 1:
            return ids[0]
        if ids:
            raise NotFound(f"{key!r} names more than one article ({', '.join(printable(i) for i in ids[:3])}…)",
                           "give the full id instead (the \"id\" of 'newsloom export articles')")
        raise NotFound(f"no article with id {key!r}", "list ids with 'newsloom export articles'")

    def shown_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """id → the name it is shown by, for the given ids that exist."""
        result = {}
        for chunk, marks in _in_chunks(list(ids)):
            result.update(self.db.execute(f"SELECT id, shown_id FROM articles WHERE id IN ({marks})", chunk).fetchall())
        return result

    def article(self, article_id: str) -> StoredArticle:
        row = self.db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFound(f"no article with id {article_id!r}", "list ids with 'newsloom export articles'")
        return StoredArticle(*row)

    def dropped_lines(self, article_id: str) -> list[DroppedLine]:
        """The lines the cleaner removed from the article's page, in page order, with why."""
        return [DroppedLine(*row) for row in self.db.execute(
            "SELECT line_no, text, reason FROM dropped_lines WHERE article_id = ? ORDER BY line_no", (article_id,))]

    def iter_articles(self) -> Iterator[StoredArticle]:
        for row in self.db.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY COALESCE(published, ''), rowid"):
            yield StoredArticle(*row)

    def count(self, table: str) -> int:
        assert table in {"articles", "stories", "runs", "skipped", "dropped_lines", "minhash_bands"}
        return self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def outcome(self) -> tuple[set[frozenset[str]], set[tuple]]:
        """What two runs over the same input must agree on (``ingest`` and ``batch``): the
        partition of the articles into stories, and the copy links (article, original, kind,
        score)."""
        stories: dict[int, set[str]] = {}
        for article, story in self.db.execute("SELECT id, story_id FROM articles"):
            stories.setdefault(story, set()).add(article)
        copies = {tuple(row) for row in self.db.execute(
            "SELECT id, duplicate_of, copy_kind, copy_score FROM articles WHERE duplicate_of IS NOT NULL")}
        return {frozenset(members) for members in stories.values()}, copies

    # ------------------------------------------------------------ features (for clustering)

    def save_sentence_vectors(self, article_id: str, spans: bytes, vectors: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO sentence_vectors VALUES (?, ?, ?)", (article_id, spans, vectors))

    def sentence_vectors(self, article_ids: list[str]) -> dict[str, tuple[bytes, bytes]]:
        """article id → (spans, vectors) as stored, for the articles that have them."""
        found = {}
        for chunk, marks in _in_chunks(article_ids):
            for article_id, spans, vectors in self.db.execute(
                    f"SELECT article_id, spans, vectors FROM sentence_vectors WHERE article_id IN ({marks})", chunk):
                found[article_id] = (spans, vectors)
        return found

    def save_features(self, article_id: str, features: dict, vector: bytes | None) -> None:
        # features replaced are deleted first, so that the term counts' trigger sees them go
        self.db.execute("DELETE FROM article_features WHERE article_id = ?", (article_id,))
        self.db.execute("INSERT INTO article_features VALUES (?, ?, ?)", (article_id, json.dumps(features), vector))

    def term_counts(self) -> tuple[int, Counter]:
        """How many clustered articles the store holds, and in how many of them each term of
        their features occurs: the document counts of the story index. Read from the counts
        kept as features come and go (an article's features are written after its story, in
        its batch's transaction, so every article with features is clustered)."""
        documents = self.db.execute("SELECT COUNT(*) FROM article_features").fetchone()[0]
        return documents, Counter(dict(self.db.execute("SELECT term, articles FROM term_counts")))

    _LATEST_STORIES = """SELECT story_id, substr(MAX(published), 1, 10) AS last FROM articles
                         WHERE story_id IS NOT NULL GROUP BY story_id
                         ORDER BY last IS NULL DESC, last DESC, story_id DESC"""

    def features_of_latest_stories(self, limit: int) -> tuple[Iterator[ArticleFeatures], str | None]:
        """Features of every article of the ``limit`` stories last active most recently (those
        without a date first, then by their last day, then by id) — and of every story without a
        date however many there are, as a run's index never evicts those — in the order the
        articles were stored; and the last day of the newest story left out (None when none is)."""
        undated = self.db.execute(f"SELECT COUNT(*) FROM ({self._LATEST_STORIES}) WHERE last IS NULL").fetchone()[0]
        limit = max(limit, undated)
        left_out = self.db.execute(f"{self._LATEST_STORIES} LIMIT 1 OFFSET ?", (limit,)).fetchone()
        rows = _features(self.db.execute(
            f"""SELECT {_FEATURE_COLUMNS} FROM articles a JOIN article_features f ON f.article_id = a.id
                WHERE a.story_id IN (SELECT story_id FROM ({self._LATEST_STORIES} LIMIT ?))
                ORDER BY a.rowid""", (limit,)))
        return rows, left_out["last"] if left_out else None

    def features_of_stories_active(self, first: str, last: str,
                                   skip: Container[int] = ()) -> Iterator[ArticleFeatures]:
        """Features of every article of the stories that have an article published from day
        ``first`` to day ``last`` (ISO dates, both included), in the order they were stored;
        none of the stories in ``skip`` (their features are not even read)."""
        yield from _features((row for row in self.db.execute(
            f"""SELECT {_FEATURE_COLUMNS} FROM articles a JOIN article_features f ON f.article_id = a.id
               WHERE a.story_id IN (SELECT DISTINCT story_id FROM articles
                                    WHERE published >= ? AND published < ? AND story_id IS NOT NULL)
               ORDER BY a.rowid""", (first, last + "~")) if row[1] not in skip))

    def features_of_story(self, story_id: int) -> Iterator[ArticleFeatures]:
        """Features of every article of one story, in the order they were stored (the order
        they joined it)."""
        yield from _features(self.db.execute(
            f"""SELECT {_FEATURE_COLUMNS} FROM articles a JOIN article_features f ON f.article_id = a.id
               WHERE a.story_id = ? ORDER BY a.rowid""", (story_id,)))

    def all_features(self) -> Iterator[ArticleFeatures]:
        """Every article with its features, in publication order (ties: ingest order)."""
        yield from _features(self.db.execute(
            f"""SELECT {_FEATURE_COLUMNS} FROM articles a JOIN article_features f ON f.article_id = a.id
               ORDER BY COALESCE(a.published, ?), a.rowid""", (NO_DATE,)))

    # ------------------------------------------------------------ stories

    def new_story(self, headline: str, run_id: int | None) -> int:
        return self.db.execute("INSERT INTO stories (headline, created_run) VALUES (?, ?)",
                               (headline, run_id)).lastrowid

    def assign(self, assignment: Assignment) -> None:
        """Record an article's story and why; and the articles that moved with it into that
        story (``assignment.moved``), each leaving a story that goes when empty."""
        self._assign(assignment)
        for moved in assignment.moved:
            left = self.db.execute("SELECT story_id FROM articles WHERE id = ?", (moved.article,)).fetchone()
            self._assign(moved)
            if left is not None and left[0] != moved.story:
                self.db.execute("DELETE FROM stories WHERE id = ? AND NOT EXISTS "
                                "(SELECT 1 FROM articles WHERE story_id = ?)", (left[0], left[0]))

    def _assign(self, assignment: Assignment) -> None:
        self.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", (assignment.story, assignment.article))
        self.db.execute("INSERT OR REPLACE INTO assignments VALUES (?, ?, ?, ?, ?)",
                        (assignment.article, assignment.story, assignment.score, assignment.reason,
                         json.dumps(list(assignment.shared_terms))))

    def assignment(self, article_id: str) -> Assignment | None:
        row = self.db.execute("SELECT article_id, story_id, score, reason, shared_terms FROM assignments "
                              "WHERE article_id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        return Assignment(*row[:4], shared_terms=tuple(json.loads(row[4])))

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
                until: str | None = None, min_outlets: int = 0, limit: int = 1000, offset: int = 0,
                updated_since: str | None = None) -> list[StorySummary]:
        where, params = [], []
        if updated_since:
            where.append("s.id IN (SELECT story_id FROM articles WHERE ingested_at >= ?)")
            params.append(updated_since)
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
                    unnamed.add(outlet_name(None, article_id))
        return {i: sorted(named) + sorted(unnamed) for i, (named, unnamed) in found.items()}

    def story_articles(self, story_id: int) -> list[StoredArticle]:
        return [StoredArticle(*row) for row in self.db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE story_id = ? ORDER BY COALESCE(published, ''), rowid",
            (story_id,))]

    # ------------------------------------------------------------ feeds (newsloom follow)

    def add_feed(self, url: str, title: str | None = None) -> bool:
        """Subscribe to a feed; False when it is already there (a title fills a missing one)."""
        with self.transaction():
            added = self.db.execute("INSERT OR IGNORE INTO feeds (url, title, added_at) VALUES (?, ?, ?)",
                                    (url, title, utc_now())).rowcount
            if not added and title:
                self.db.execute("UPDATE feeds SET title = ? WHERE url = ? AND title IS NULL", (title, url))
        return bool(added)

    def remove_feed(self, url: str) -> None:
        with self.transaction():
            if not self.db.execute("DELETE FROM feeds WHERE url = ?", (url,)).rowcount:
                raise NotFound(f"no feed {url!r}", "list the feeds with 'newsloom feeds'")

    def feeds(self, *, due_at: str | None = None) -> list[Feed]:
        """The subscriptions with their item counts; with ``due_at``, only those to poll then:
        the healthy ones, and the failing ones whose back-off is over."""
        where = "WHERE f.failures = 0 OR f.next_poll IS NULL OR f.next_poll <= ?" if due_at else ""
        return [Feed(**dict(row)) for row in self.db.execute(
            f"""SELECT f.id, f.url, f.title, f.added_at, f.last_poll, f.last_status, f.last_error, f.failures,
                       f.next_poll, f.etag, f.last_modified,
                       (SELECT COUNT(*) FROM feed_items i WHERE i.feed_id = f.id) AS items,
                       (SELECT COUNT(*) FROM feed_items i WHERE i.feed_id = f.id AND i.state = 'held') AS held_items
                FROM feeds f {where} ORDER BY f.id""", (due_at,) if due_at else ())]

    def feed_polled(self, feed_id: int, *, at: str, status: str, next_poll: str, title: str | None = None,
                    etag: str | None = None, last_modified: str | None = None) -> None:
        self.db.execute(
            """UPDATE feeds SET last_poll = ?, last_status = ?, last_error = NULL, failures = 0, next_poll = ?,
                   title = COALESCE(title, ?), etag = COALESCE(?, etag), last_modified = COALESCE(?, last_modified)
               WHERE id = ?""", (at, status, next_poll, title, etag, last_modified, feed_id))

    def feed_failed(self, feed_id: int, *, at: str, error: str, next_poll: str) -> None:
        self.db.execute("UPDATE feeds SET last_poll = ?, last_status = 'error', last_error = ?, "
                        "failures = failures + 1, next_poll = ? WHERE id = ?", (at, error, next_poll, feed_id))

    def queue_items(self, feed_id: int, items: Iterable[tuple[str, str]], at: str) -> list[str]:
        """Remember a feed's items (id, entry as JSON) to fetch; return the ids not seen before
        (in any feed)."""
        new = []
        for item_id, entry in items:
            if self.db.execute("INSERT OR IGNORE INTO feed_items (id, feed_id, entry, seen_at) VALUES (?, ?, ?, ?)",
                               (item_id, feed_id, entry, at)).rowcount:
                new.append(item_id)
        return new

    _FEED_ITEM = """SELECT i.id, i.entry, i.state, i.attempts, f.url AS feed_url, f.title AS feed_title
                    FROM feed_items i JOIN feeds f ON f.id = i.feed_id"""

    def items_to_fetch(self, now: str) -> list[FeedItem]:
        """Items whose page is to be fetched: the new ones, and the failed ones whose retry
        time has come; oldest first, with their feed's url and title."""
        return [_feed_item(row) for row in self.db.execute(
            self._FEED_ITEM + """ WHERE i.state = 'queued' OR (i.state IN ('held', 'failed')
                               AND i.retry_at IS NOT NULL AND i.retry_at <= ?) ORDER BY i.rowid""", (now,))]

    def feed_item(self, item_id: str) -> FeedItem | None:
        row = self.db.execute(self._FEED_ITEM + " WHERE i.id = ?", (item_id,)).fetchone()
        return _feed_item(row) if row else None

    def item_fetched(self, item_id: str, *, state: str, note: str | None, attempts: int, retry_at: str | None,
                     pending: str | None) -> None:
        """Record how an item's fetch went, with the document to ingest (kept until ingested)."""
        self.db.execute("UPDATE feed_items SET state = ?, note = ?, attempts = ?, retry_at = ?, pending = ? "
                        "WHERE id = ?", (state, note, attempts, retry_at, pending, item_id))

    def pending_documents(self) -> list[tuple[str, str]]:
        """(item id, document as JSON) fetched but not yet ingested (a run stopped midway)."""
        return self.db.execute("SELECT id, pending FROM feed_items WHERE pending IS NOT NULL ORDER BY rowid").fetchall()

    def clear_pending(self, item_ids: Iterable[str]) -> None:
        with self.transaction():
            self.db.executemany("UPDATE feed_items SET pending = NULL WHERE id = ?", [(i,) for i in item_ids])

    def feed_item_notes(self, feed_id: int) -> list[FeedItemNote]:
        """The items of a feed that are not stored from their page, with why."""
        return [FeedItemNote(*row) for row in self.db.execute(
            "SELECT id, state, note, attempts, retry_at FROM feed_items "
            "WHERE feed_id = ? AND state != 'page' ORDER BY rowid", (feed_id,))]

    def story_changes(self, story_ids: list[int], since: str | None) -> dict[int, tuple[str, int]]:
        """story id → (when an article last came in, how many came in since ``since``)."""
        if not story_ids:
            return {}
        marks = ",".join("?" * len(story_ids))
        return {row[0]: (row[1], row[2]) for row in self.db.execute(
            f"""SELECT story_id, MAX(ingested_at), SUM(CASE WHEN ? IS NOT NULL AND ingested_at > ? THEN 1 ELSE 0 END)
                FROM articles WHERE story_id IN ({marks}) GROUP BY story_id""", (since, since, *story_ids))}

    # ------------------------------------------------------------ web queries (serve)

    def story_version(self, story_id: int) -> tuple[int, int, str]:
        """What changes when a story's articles change: how many there are, the newest row
        and the latest ingest time. NotFound for a story the store does not hold."""
        count, newest, ingested = self.db.execute(
            "SELECT COUNT(*), MAX(rowid), MAX(ingested_at) FROM articles WHERE story_id = ?", (story_id,)).fetchone()
        if not count:
            raise NotFound(f"no story with id {story_id}", "list stories with 'newsloom stories'")
        return count, newest, ingested


# SQLite's integers are signed 64-bit: an id past this can name nothing in the store
MAX_ROWID = 2**63 - 1

_ARTICLE_COLUMNS = ", ".join(f.name for f in fields(StoredArticle))
_MEMBER_COLUMNS = ", ".join(f.name for f in fields(CopyMember))


_FEATURE_COLUMNS = ("a.id, a.story_id, a.published, f.features, f.vector, a.title, "
                    "a.duplicate_of, a.copy_kind, a.copy_score")


def _features(rows: Iterable[tuple]) -> Iterator[ArticleFeatures]:
    """Stored features (``_FEATURE_COLUMNS``) as typed rows: the JSON read back, the vector's
    bytes as they are, the copy link when the article copies another."""
    for article_id, story_id, published, features, vector, title, original, kind, score in rows:
        copy = CopyLink(article_id, original, kind, score) if original else None
        yield ArticleFeatures(article_id, story_id, published, json.loads(features), vector, title, copy)


def _feed_item(row: sqlite3.Row) -> FeedItem:
    item_id, entry, state, attempts, feed_url, feed_title = row
    return FeedItem(item_id, FeedEntry(**json.loads(entry)), state, attempts, feed_url, feed_title)


class ComparisonCache:
    """Story comparisons kept in the store by version: a version names the story's articles and
    their texts, and the comparison that made it, so a cached table is never stale."""

    def __init__(self, store: Store):
        self.db = store.db

    def version(self, story_id: int, method: str) -> str:
        import hashlib

        digest = hashlib.sha256(method.encode())
        for row in self.db.execute("SELECT id, content_hash, COALESCE(duplicate_of, ''), COALESCE(source, '') "
                                   "FROM articles WHERE story_id = ? ORDER BY id", (story_id,)):
            digest.update("\x1f".join(row).encode() + b"\x1e")
        return digest.hexdigest()[:32]

    def get(self, story_id: int, version: str) -> dict | None:
        row = self.db.execute("SELECT data FROM comparisons WHERE story_id = ? AND version = ?",
                              (story_id, version)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, story_id: int, version: str, counts: dict, data: dict) -> None:
        self.db.execute("INSERT OR REPLACE INTO comparisons (story_id, version, counts, data) VALUES (?, ?, ?, ?)",
                        (story_id, version, json.dumps(counts), json.dumps(data, ensure_ascii=False)))

    def counts(self, story_ids: list[int]) -> dict[int, dict]:
        """Claim counts of the stories compared already (whatever their version)."""
        found = {}
        for chunk, marks in _in_chunks(story_ids):
            for story_id, counts in self.db.execute(
                    f"SELECT story_id, counts FROM comparisons WHERE story_id IN ({marks})", chunk):
                found[story_id] = json.loads(counts)
        return found


def fts_query(text: str) -> str:
    """Turn user words into a safe FTS5 query: each word quoted, all required; control
    characters dropped (SQLite reads a NUL inside a quoted FTS5 string as its end)."""
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
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


def _take_lock(handle, wait: float | None) -> None:
    import fcntl

    if wait is None:
        fcntl.flock(handle, fcntl.LOCK_EX)
        return
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise StoreBusy(f"another run (an ingest, a recluster or a delete) has held the store for "
                                f"over {wait:g} s", "send it again in a few seconds, when that run has finished",
                                retry_after=max(1, round(wait))) from None
            time.sleep(0.05)


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
