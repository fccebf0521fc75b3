"""The long-lived parts of a running server, made once per app and shared by its routes: a
store connection per worker thread for reads, one comparer, one writer (the ingest pipeline
with its cleaner and embedder, on its own connection, one write at a time), the story cache
and the templates."""

from __future__ import annotations

import threading
from collections import OrderedDict
from importlib.resources import files

from fastapi import Request
from fastapi.templating import Jinja2Templates

from ..clean import Cleaner
from ..compare import Comparer
from ..display import printable
from ..errors import InputError
from ..models import Document, StoredArticle
from ..pipeline import Pipeline
from ..report import story_data
from ..store import Store


class StoryCache:
    """Story reports and rendered pages by story version, least recently used dropped first."""

    def __init__(self, size: int = 256):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key, value):
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class Services:
    """What the routes use, built once: ``store()`` (this thread's connection), ``story_data``
    (a story's report, cached by version), ``ingest`` and ``delete`` (the one writer, which waits
    at most ``lock_wait`` seconds for a run of another process — a CLI ingest — to finish, and
    then answers 503 with ``Retry-After`` instead of holding the request)."""

    def __init__(self, db_path: str, *, comparer: Comparer | None = None, lock_wait: float = 10.0):
        self.db_path = db_path
        self.lock_wait = lock_wait
        self.cache = StoryCache()
        self.comparer = comparer or Comparer()
        self.templates = Jinja2Templates(directory=str(files("newsloom").joinpath("templates")))
        self.templates.env.filters["printable"] = printable
        self._local = threading.local()
        self._compare_lock = threading.Lock()  # the NLP model is used by one request at a time
        self._write_lock = threading.Lock()  # one writer; the pipeline is made on the first write
        self._writer: Store | None = None
        self._pipeline: Pipeline | None = None

    def store(self) -> Store:
        """This thread's connection to the store (SQLite connections are not shared for reads)."""
        if getattr(self._local, "store", None) is None:
            self._local.store = Store(self.db_path)
        return self._local.store

    def story_version(self, story_id: int) -> tuple:
        return (story_id, *self.store().story_version(story_id))

    def story_data(self, story_id: int) -> dict:
        """The story's full report as JSON-able data, computed once per version of the story."""
        key = ("report", *self.story_version(story_id))
        cached = self.cache.get(key)
        if cached is None:
            with self._compare_lock:
                cached = self.cache.get(key)
                if cached is None:
                    cached = story_data(self.store(), story_id, self.comparer)
                    self.cache.put(key, cached)
        return cached

    # ------------------------------------------------------------ the writer

    @property
    def writer(self) -> Store:
        """The connection all writes go through; callers hold the write lock."""
        if self._writer is None:
            self._writer = Store(self.db_path)
        return self._writer

    @property
    def pipeline(self) -> Pipeline:
        """The ingest pipeline, made on the first write (its models load once); callers hold the write lock."""
        if self._pipeline is None:
            self._pipeline = Pipeline(self.writer, cleaner=Cleaner(), embedder=self.comparer.embedder)
        return self._pipeline

    def ingest(self, document: Document) -> tuple[str, StoredArticle]:
        """Ingest one document: its status (new, updated or unchanged) and the stored article.
        InputError when no article text is found in it."""
        with self._write_lock:
            report = self.pipeline.ingest_items([document], command=f"POST /api/articles {printable(document.id)}",
                                                wait=self.lock_wait)
            if report.skipped:
                raise InputError(report.skipped[0].reason, "send the article's body as 'text' or its page as 'html'",
                                 subject=document.id)
            status = "new" if report.counts["new"] else "updated" if report.counts["updated"] else "unchanged"
            return status, self.writer.article(document.id)

    def delete(self, article_id: str) -> list[str]:
        """Remove an article from the store, its story and the copy index (the pipeline's one
        delete), named by its id or shown name; the shown names of its former copies."""
        with self._write_lock:
            article_id = self.writer.resolve(article_id)
            copies = [m.shown_id or m.id for m in self.writer.copy_group(article_id) if m.duplicate_of == article_id]
            self.pipeline.delete(article_id, wait=self.lock_wait)
            return copies


def services(request: Request) -> Services:
    """The app's services, as a route dependency."""
    return request.app.state.services
