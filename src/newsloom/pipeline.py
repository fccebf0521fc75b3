"""The runner: strings the stages together — ingest → clean → copies → cluster → store.

It knows the order of the stages and the batch boundaries, not their insides. Each batch of
articles is written in one transaction, so a run killed midway keeps every finished batch and
nothing of the unfinished one; running the same command again skips what is already stored
(same id, same input) and completes the rest.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .citations import cited_sources
from .clean import CleanConfig, Cleaner
from .cluster import ClusterConfig, Embedder, StoryIndex, article_features, assign, stored_features
from .copies import CopyConfig, CopyDetector, StoreBands
from .errors import ConfigError
from .ingest import IngestConfig, read_inputs
from .models import Article, Assignment, CopyLink, Document, Skipped
from .outletlines import OutletLines, OutletLinesConfig, StoreLineCounts
from .store import Store


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineConfig:
    ingest: IngestConfig = field(default_factory=IngestConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    outlet_lines: OutletLinesConfig = field(default_factory=OutletLinesConfig)
    copies: CopyConfig = field(default_factory=CopyConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    batch_size: int = 256

    def __post_init__(self):
        if self.batch_size < 1:
            raise ConfigError(f"batch_size={self.batch_size} is below 1", "use a batch size such as 256")


@dataclass
class RunReport:
    run_id: int
    counts: Counter = field(default_factory=Counter)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.skipped


def input_hash(document: Document) -> str:
    parts = (document.kind, document.content, document.title, document.source, document.url,
             document.published, document.author)
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:32]


class Pipeline:
    """Runs ingest batches against one store. The embedder is injected (or made on first use)."""

    def __init__(self, store: Store, config: PipelineConfig | None = None, *, embedder: Embedder | None = None,
                 cleaner: Cleaner | None = None, on_progress: Callable[[int], None] | None = None,
                 on_skip: Callable[[Skipped], None] | None = None):
        self.store = store
        self.config = config or PipelineConfig()
        self._embedder = embedder
        self._cleaner = cleaner
        self.on_progress = on_progress or (lambda n: None)
        self.on_skip = on_skip or (lambda s: None)
        self._unsaved_skips: list[Skipped] = []

    @property
    def cleaner(self) -> Cleaner:
        if self._cleaner is None:
            self._cleaner = Cleaner(self.config.clean)
        return self._cleaner

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder()
        return self._embedder

    def ingest(self, paths: Iterable[str], command: str = "ingest") -> RunReport:
        """Ingest files and folders."""
        return self.ingest_items(read_inputs(paths, self.config.ingest), command)

    def ingest_items(self, items: Iterable[Document | Skipped], command: str = "ingest") -> RunReport:
        """Ingest documents (and record the inputs that could not be read). The run's state is
        always closed: ``done``, ``done with skips``, or ``failed`` / ``interrupted`` when an
        error or Ctrl-C ends it (the finished batches stay). Runs on one store, from any
        process, take turns (the store's run lock), so each starts from all the last stored."""
        with self.store.run_lock():
            self.store.mark_interrupted_runs()
            report = RunReport(self.store.start_run(command))
            status = "failed"
            try:
                self._run(items, report)
                status = "done" if report.ok else "done with skips"
            except KeyboardInterrupt:
                status = "interrupted"
                raise
            finally:
                self._close_run(report, status)
        return report

    def _close_run(self, report: RunReport, status: str) -> None:
        if status in ("failed", "interrupted") and self._unsaved_skips:
            with self.store.transaction():
                self._save_skips(report)
        self.store.finish_run(report.run_id, dict(report.counts) | {"skipped": len(report.skipped)}, status)

    def _run(self, items: Iterable[Document | Skipped], report: RunReport) -> None:
        stories = self._load_story_index()
        copies = CopyDetector(StoreBands(self.store.db), self.store, self.config.copies)
        outlet_lines = OutletLines(StoreLineCounts(self.store.db), self.config.outlet_lines)
        batch: list[tuple[Document, str]] = []
        for item in items:
            if isinstance(item, Skipped):
                self._skip(report, item)
                continue
            report.counts["read"] += 1
            digest = input_hash(item)
            if self.store.input_hash(item.id) == digest:
                report.counts["unchanged"] += 1
                self.on_progress(1)
                continue
            batch.append((item, digest))
            if len(batch) >= self.config.batch_size:
                self._process_batch(batch, report, stories, copies, outlet_lines)
                batch = []
        if batch:
            self._process_batch(batch, report, stories, copies, outlet_lines)
        with self.store.transaction():
            self._save_skips(report)
            report.counts["expired from copy index"] = self._expire_copy_index(copies)

    def _place(self, stories: StoryIndex, article_id: str, title: str, features: dict, vector: np.ndarray | None,
               copy: CopyLink | None, run_id: int) -> bool:
        """Put an article in a story: a copy goes where its original is; anything else is
        assigned. True when it went with its original."""
        story_of_original = self.store.story_of(copy.original) if copy else None
        if story_of_original is not None:
            stories.add(story_of_original, features, vector)
            assignment = Assignment(article_id, story_of_original, 1.0,
                                    f"copy ({copy.kind}, {copy.score:.2f}) of {copy.original}", ())
        else:
            assignment = assign(stories, article_id, features, vector, lambda: self.store.new_story(title, run_id))
        self.store.assign(assignment)
        return story_of_original is not None

    def recluster(self) -> dict:
        """Rebuild every story from scratch: the stored articles replayed in publication order
        (ties in ingest order) through the same assignment as ingest, in one transaction;
        never at the same time as an ingest on the store (the run lock)."""
        with self.store.run_lock():
            return self._recluster()

    def _recluster(self) -> dict:
        run_id = self.store.start_run("recluster")
        stories = self._story_index()
        with self.store.transaction():
            self.store.clear_stories()
            for row in self.store.all_features():
                copy = CopyLink(row["id"], row["duplicate_of"], row["copy_kind"], row["copy_score"]) \
                    if row["duplicate_of"] else None
                self._place(stories, row["id"], row["title"], *stored_features(row), copy, run_id)
                self.on_progress(1)
                if stories.documents % self.config.batch_size == 0:
                    stories.evict()
        counts = {"articles": stories.documents, "stories": self.store.count("stories")}
        self.store.finish_run(run_id, counts)
        return counts

    def _skip(self, report: RunReport, item: Skipped) -> None:
        report.skipped.append(item)
        self._unsaved_skips.append(item)
        self.on_skip(item)

    def _save_skips(self, report: RunReport) -> None:
        self.store.add_skipped(report.run_id, self._unsaved_skips)
        self._unsaved_skips = []

    def _expire_copy_index(self, copies: CopyDetector) -> int:
        """Forget copy signatures older than the window before the newest article."""
        latest = self.store.latest_published()
        if not latest:
            return 0
        try:
            cutoff = date.fromisoformat(latest[:10]) - timedelta(days=self.config.copies.window_days)
        except ValueError:
            return 0
        return copies.storage.expire(cutoff.isoformat())

    def _story_index(self) -> StoryIndex:
        """An empty story index that pages evicted stories in from this store."""
        return StoryIndex(self.config.cluster, self.store.features_of_stories_active, self.store.features_of_story)

    def _load_story_index(self) -> StoryIndex:
        index = self._story_index()
        latest = self.store.latest_published()
        since = None
        if latest:
            try:
                since = (date.fromisoformat(latest[:10]) - timedelta(days=self.config.cluster.window_days)).isoformat()
            except ValueError:
                since = None
        index.load(self.store.features_since(since), since)
        return index

    def _process_batch(self, batch: list[tuple[Document, str]], report: RunReport, stories: StoryIndex,
                       copies: CopyDetector, outlet_lines: OutletLines) -> None:
        cleaned: list[tuple[Article, str]] = []
        for document, digest in batch:
            article = self.cleaner.clean_or_skip(document)
            if isinstance(article, Skipped):
                self._skip(report, article)
                continue
            if not article.text.strip():
                reasons = "; ".join(sorted({d.reason for d in article.dropped})) or "empty body"
                self._skip(report, Skipped(document.id, f"no article text found ({reasons[:200]})"))
                continue
            cleaned.append((article, digest))
        # publication order, ties in input order (sorted() is stable)
        cleaned.sort(key=lambda pair: pair[0].published or "9999")
        with self.store.transaction():
            # outlet boilerplate counts change in the same transaction as the articles
            cleaned = [(outlet_lines.filter(article), digest) for article, digest in cleaned]
            features = [article_features(a.title, a.text, a.published, self.config.cluster.lead_words, a.language)
                        for a, _ in cleaned]
            vectors = self.embedder.encode([f"{a.title}. {a.text[:1500]}" for a, _ in cleaned]) if cleaned else []
            self._save_skips(report)
            for (article, digest), feats, vector in zip(cleaned, features, vectors):
                if self.store.input_hash(article.id) is not None:
                    self.store.delete_article(article.id)
                    report.counts["updated"] += 1
                else:
                    report.counts["new"] += 1
                self.store.add_article(article, digest, report.run_id)
                self.store.add_citations(article.id, cited_sources(article.text))
                links = copies.process(article.id, article.text, article.content_hash, article.published)
                for link in links:
                    self.store.set_copy(link)
                mine = next((link for link in links if link.article == article.id), None)
                if self._place(stories, article.id, article.title, feats, vector, mine, report.run_id):
                    report.counts["copies"] += 1
                self.store.save_features(article.id, feats, vector.tobytes())
            stories.evict()
        self.on_progress(len(batch))
