"""Follow: poll the subscribed feeds and run each new item through the pipeline.

One poll round: the due feeds are fetched (conditional GET, a few at a time, one at a time per
host); their new items are remembered in the store; each item's page is fetched and handed to
``Pipeline.ingest_items`` as it arrives, so the pipeline cleans, finds copies and assigns
stories in its usual batches. An item whose page cannot be fetched keeps the feed's own text
(and is marked ``held``, with why); a transient failure is retried a few times, and a later
success replaces the feed's text with the page.

Nothing is fetched or stored twice: an item is remembered before its page is fetched, and the
fetched document is kept in the store until the pipeline has written it, so a restart after a
stop (or a crash) goes on from there. A failing feed backs off (exponential, capped) and never
holds up the others. ``stop`` (a ``threading.Event``, set by the CLI on SIGINT/SIGTERM) ends
the round after the pages in flight, and the pipeline finishes its current batch.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import asdict, dataclass, field
from itertools import chain
from urllib.parse import urlsplit

from .errors import ConfigError, FetchError, NewsloomError
from .feeds import entry_document, parse_feed
from .fetch import FetchConfig, Fetcher, Response
from .ingest import decode_html
from .models import Document, Feed, FeedEntry, FeedItem, Skipped
from .pipeline import Pipeline
from .store import Store, utc_now

HTML_TYPES = ("text/html", "application/xhtml+xml", "")


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowConfig:
    """``interval``: seconds between poll rounds; a failing feed waits ``interval`` × 2^failures
    (at least a minute, at most ``backoff_cap``). A page that fails for a transient reason is
    tried ``page_attempts`` times, ``page_retry`` × 2^attempt seconds apart."""

    interval: float = 900.0
    backoff_cap: float = 86_400.0
    page_attempts: int = 3
    page_retry: float = 600.0
    fetch: FetchConfig = field(default_factory=FetchConfig)

    def __post_init__(self):
        if self.interval < 0 or self.page_retry < 0:
            raise ConfigError("interval and page_retry cannot be negative", "use 0 or more seconds, e.g. --interval 900")
        if self.backoff_cap < 60:
            raise ConfigError(f"backoff_cap={self.backoff_cap} is under a minute", "use at least 60 seconds")
        if not 1 <= self.page_attempts <= 20:
            raise ConfigError(f"page_attempts={self.page_attempts} is outside 1..20", "use a few attempts, such as 3")


@dataclass
class PollReport:
    """What one poll round did."""

    feeds: int = 0
    not_modified: int = 0
    errors: int = 0
    new_items: int = 0
    pages: int = 0
    held: int = 0
    failed: int = 0
    articles: dict = field(default_factory=dict)
    stopped: bool = False

    def count(self, state: str) -> None:
        """One more item fetched into ``state`` (page, held or failed)."""
        if state == "page":
            self.pages += 1
        elif state == "held":
            self.held += 1
        else:
            self.failed += 1

    def line(self) -> str:
        stored = ", ".join(f"{k} {self.articles.get(k, 0)}" for k in ("new", "updated", "unchanged", "copies"))
        return (f"{self.feeds} feeds polled ({self.not_modified} not modified, {self.errors} errors), "
                f"{self.new_items} new items; {self.pages} pages fetched, {self.held} kept the feed's text, "
                f"{self.failed} without text; articles: {stored}" + ("; stopped" if self.stopped else ""))


def item_id(feed_url: str, entry: FeedEntry) -> str:
    """The article id of a feed item: its link (the same story in two feeds is one item),
    else the feed's address and the item's guid."""
    if entry.link and urlsplit(entry.link).scheme in ("http", "https"):
        return entry.link
    return f"{feed_url}#{entry.key}"


def by_host_turns(rows: list, address: Callable[[object], str]) -> list:
    """``rows`` reordered so that hosts take turns (a, b, c, a, b, c, …), each host's rows in
    their order: one request at a time per host, so a run of one host's pages would leave the
    other workers waiting behind it."""
    queues: dict[str, deque] = {}
    for row in rows:
        queues.setdefault(urlsplit(address(row)).hostname or "", deque()).append(row)
    turns = []
    while queues:
        for host in list(queues):
            turns.append(queues[host].popleft())
            if not queues[host]:
                del queues[host]
    return turns


@dataclass(frozen=True, slots=True)
class _Fetched:
    """How an item's page fetch went: ``state`` page, held (the feed's text kept) or failed."""

    state: str
    document: Document | None
    note: str | None = None
    transient: bool = False


class Follower:
    """Polls the store's feeds into its pipeline. The fetcher, the clock and the stop event are
    injected, so tests run on a local server with a fixed clock."""

    def __init__(self, store: Store, pipeline: Pipeline, config: FollowConfig | None = None, *,
                 fetcher: Fetcher | None = None, clock: Callable[[], float] = time.time,
                 stop: threading.Event | None = None):
        self.store = store
        self.pipeline = pipeline
        self.config = config or FollowConfig()
        self.fetcher = fetcher or Fetcher(self.config.fetch)
        self.clock = clock
        self.stop = stop or threading.Event()

    def run(self, *, once: bool = False, on_poll: Callable[[PollReport], None] = lambda report: None) -> None:
        """Poll rounds every ``interval`` seconds until ``stop`` is set (one round with ``once``)."""
        while True:
            on_poll(self.poll())
            if once or self.stop.wait(self.config.interval):
                return

    def poll(self) -> PollReport:
        """One round: the due feeds, then the pages of their new items, into the pipeline."""
        report = PollReport()
        handed: list[str] = []
        documents = self._documents(report, handed)
        first = next(documents, None)
        if first is not None:  # an idle round (all 304) starts no pipeline run
            run = self.pipeline.ingest_items(chain([first], documents), command="follow")
            self.store.clear_pending(handed)
            report.articles = dict(run.counts)
            self._hold_pages_without_text(run.skipped, report)
        report.stopped = self.stop.is_set()
        return report

    # ------------------------------------------------------------ the documents of a round

    def _documents(self, report: PollReport, handed: list[str]) -> Iterator[Document]:
        for item, pending in self.store.pending_documents():  # fetched before a stop, not yet stored
            handed.append(item)
            yield Document(**json.loads(pending))
        if self.stop.is_set():
            return
        pool = ThreadPoolExecutor(self.config.fetch.workers, thread_name_prefix="newsloom-fetch")
        try:
            self._poll_feeds(pool, report)
            yield from self._fetch_pages(pool, report, handed)
        finally:
            pool.shutdown(cancel_futures=True)

    def _poll_feeds(self, pool: ThreadPoolExecutor, report: PollReport) -> None:
        feeds = by_host_turns(self.store.feeds(due_at=utc_now(self.clock())), lambda feed: feed.url)
        futures = {pool.submit(self._fetch_feed, feed): feed for feed in feeds}
        for future in as_completed(futures):
            if self.stop.is_set():
                break
            feed = futures[future]
            report.feeds += 1
            with self.store.transaction():
                self._record_feed(feed, future.result(), report)

    def _fetch_feed(self, feed: Feed):
        try:
            response = self.fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified)
            if response.status == 304:
                return response, None
            return response, parse_feed(response.body, feed.url)
        except NewsloomError as error:
            return error

    def _record_feed(self, feed: Feed, result, report: PollReport) -> None:
        now = self.clock()
        if isinstance(result, NewsloomError):
            report.errors += 1
            wait_s = min(self.config.backoff_cap, max(self.config.interval, 60) * 2 ** feed.failures)
            self.store.feed_failed(feed.id, at=utc_now(now), error=result.message, next_poll=utc_now(now + wait_s))
            return
        response, parsed = result
        common = {"at": utc_now(now), "next_poll": utc_now(now + self.config.interval), "etag": response.etag,
                  "last_modified": response.last_modified}
        if parsed is None:
            report.not_modified += 1
            self.store.feed_polled(feed.id, status="not modified (304)", **common)
            return
        items = [(item_id(feed.url, entry), json.dumps(asdict(entry))) for entry in parsed.entries]
        new = self.store.queue_items(feed.id, items, utc_now(now))
        report.new_items += len(new)
        self.store.feed_polled(feed.id, status=f"{len(items)} items, {len(new)} new", title=parsed.title, **common)

    def _fetch_pages(self, pool: ThreadPoolExecutor, report: PollReport, handed: list[str]) -> Iterator[Document]:
        """Fetch the pages to fetch, a few at a time; record each and yield its document as it
        comes in. After ``stop`` nothing new is started; what is in flight is still kept."""
        todo = iter(by_host_turns(self.store.items_to_fetch(utc_now(self.clock())), lambda item: item.id))
        running: dict[Future, object] = {}
        while True:
            while not self.stop.is_set() and len(running) < 4 * self.config.fetch.workers:
                item = next(todo, None)
                if item is None:
                    break
                running[pool.submit(self._fetch_page, item)] = item
            if self.stop.is_set():  # what has not started stays queued for the next round
                for future in [f for f in running if f.cancel()]:
                    del running[future]
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                item = running.pop(future)
                fetched = future.result()
                if fetched is None:
                    continue  # not started before the stop: stays queued for the next round
                document = self._record_page(item, fetched, report)
                if document is not None:
                    handed.append(item.id)
                    yield document

    def _fetch_page(self, item: FeedItem) -> _Fetched | None:
        if self.stop.is_set():  # the stop came while this page waited for a worker
            return None
        entry = item.entry
        problem: NewsloomError | None = None
        if entry.link:
            try:
                response = self.fetcher.get(entry.link)
                return _Fetched("page", self._page_document(item, entry, response))
            except NewsloomError as error:
                problem = error
        cause = problem.message if problem else "the item has no link"
        transient = isinstance(problem, FetchError) and problem.transient
        if not entry.body.strip():
            return _Fetched("failed", None, f"page not fetched ({cause}) and the feed has no text for it", transient)
        document = entry_document(entry, id=item.id, origin=item.feed_url, outlet=item.feed_title)
        return _Fetched("held", document, f"page not fetched ({cause}); the feed's own text is kept", transient)

    def _page_document(self, item: FeedItem, entry: FeedEntry, response: Response) -> Document:
        content_type = response.content_type.split(";")[0].strip().lower()
        if content_type not in HTML_TYPES:
            raise FetchError(f"not an HTML page ({content_type})", "the feed's text is kept", subject=response.url)
        return Document(id=item.id, origin=item.feed_url, kind="html", content=_page_text(response, item.id),
                        title=entry.title, source=item.feed_title, url=response.url, published=entry.published,
                        author=entry.author)

    def _record_page(self, item: FeedItem, fetched: _Fetched, report: PollReport) -> Document | None:
        """Store how the fetch went (with the document, until the pipeline has it); the
        document to ingest, or None when there is nothing new (the same feed text again)."""
        attempts = item.attempts + 1
        retry_at = None
        if fetched.state != "page" and fetched.transient and attempts < self.config.page_attempts:
            retry_at = utc_now(self.clock() + self.config.page_retry * 2 ** (attempts - 1))
        report.count(fetched.state)
        document = fetched.document
        if item.state == "held" and fetched.state == "held":
            document = None  # the feed's text is stored already
        pending = json.dumps(asdict(document)) if document else None
        with self.store.transaction():
            self.store.item_fetched(item.id, state=fetched.state, note=fetched.note, attempts=attempts,
                                    retry_at=retry_at, pending=pending)
        return document

    def _hold_pages_without_text(self, skipped: list[Skipped], report: PollReport) -> None:
        """Pages in which the cleaner found no article: the item keeps the feed's text instead."""
        held = []
        for skip in skipped:
            item = self.store.feed_item(skip.path)
            if item is None or item.state != "page":
                continue
            entry = item.entry
            state = "held" if entry.body.strip() else "failed"
            kept = "the feed's own text is kept" if state == "held" else "nothing stored"
            with self.store.transaction():
                self.store.item_fetched(item.id, state=state, note=f"the page had no article text ({skip.reason}); "
                                        f"{kept}", attempts=item.attempts, retry_at=None, pending=None)
            report.count(state)
            if state == "held":
                held.append(entry_document(entry, id=item.id, origin=item.feed_url, outlet=item.feed_title))
        if held:
            run = self.pipeline.ingest_items(held, command="follow (feed text of pages without an article)")
            for key, value in run.counts.items():
                report.articles[key] = report.articles.get(key, 0) + value


def _page_text(response: Response, where: str) -> str:
    """The page decoded by the charset the server names, else as HTML declares it (or UTF-8)."""
    named = re.search(r"charset=[\"']?([A-Za-z0-9_.:-]+)", response.content_type)
    if named:
        try:
            return response.body.decode(named.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_html(response.body, where)
