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

import numpy as np

from .citations import cited_sources
from .clean import CleanConfig, Cleaner
from .cluster import ClusterConfig, Embedder, Featurizer, StoryIndex, place, stored_features
from .compare import SentenceVectors
from .copies import CopyConfig, CopyDetector
from .errors import ConfigError
from .ingest import IngestConfig, read_inputs
from .models import NO_DATE, Article, CopyLink, Described, Document, Prepared, Skipped
from .outletlines import OutletLines, OutletLinesConfig
from .store import Store, StoreBands, StoreLineCounts


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


@dataclass
class Indexes:
    """What a run keeps beside the store: the active stories and the copy index (whose
    buckets live in the store). ``Pipeline.delete`` changes them together with the store."""

    stories: StoryIndex
    copies: CopyDetector


def input_hash(document: Document) -> str:
    parts = (document.kind, document.content, document.title, document.source, document.url,
             document.published, document.author)
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:32]


class Preparer:
    """The runner's work on one document that needs no store: cleaning it and describing the
    article. The models are loaded on first use, once (``newsloom batch`` keeps one per worker)."""

    def __init__(self, config: PipelineConfig | None = None, *, embedder: Embedder | None = None,
                 cleaner: Cleaner | None = None):
        self.config = config or PipelineConfig()
        self.featurizer = Featurizer(self.config.cluster, embedder)
        self._cleaner = cleaner

    @property
    def cleaner(self) -> Cleaner:
        if self._cleaner is None:
            self._cleaner = Cleaner(self.config.clean)
        return self._cleaner

    def load(self) -> None:
        """Load every model now rather than on the first documents (the cleaner's, with its
        language identifier and HTML extractor, and the embedder): a short page of each kind
        is prepared and described, and the result dropped."""
        sentence = "The council closed the old bridge on Monday after engineers found cracks in its piers. "
        pages = [Document(id="warm-up", origin="warm-up", kind="article", content=sentence * 4),
                 Document(id="warm-up.html", origin="warm-up", kind="html",
                          content=f"<html><body><article><h1>Bridge closed</h1><p>{sentence * 4}</p></article></body></html>")]
        self.describe([article for article in map(self.prepare, pages) if isinstance(article, Article)])

    def prepare(self, document: Document) -> Article | Skipped:
        """Clean one document: the article, or a Skipped with the reason (cleaning failed, or
        no article text was left)."""
        article = self.cleaner.clean_or_skip(document)
        if isinstance(article, Skipped) or article.text.strip():
            return article
        reasons = "; ".join(sorted({d.reason for d in article.dropped})) or "empty body"
        return Skipped(document.id, f"no article text found ({reasons[:200]})")

    def describe(self, articles: list[Article]) -> list[Described]:
        """What the store keeps beside each article's text: its clustering features and
        embedding, and its sentence vectors (each article's on its own, whatever else is in
        the list)."""
        featured = self.featurizer(articles)
        sentences = SentenceVectors.of([article.text for article in articles], self.featurizer.embedder.encode)
        return [Described(features, vector.tobytes(), *vectors.to_bytes())
                for (features, vector), vectors in zip(featured, sentences)]


class Pipeline:
    """Runs ingest batches against one store. The embedder is injected (or made on first use)."""

    def __init__(self, store: Store, config: PipelineConfig | None = None, *, embedder: Embedder | None = None,
                 cleaner: Cleaner | None = None, on_progress: Callable[[int], None] | None = None,
                 on_skip: Callable[[Skipped], None] | None = None):
        self.store = store
        self.config = config or PipelineConfig()
        self.preparer = Preparer(self.config, embedder=embedder, cleaner=cleaner)
        self.featurizer = self.preparer.featurizer
        self.on_progress = on_progress or (lambda n: None)
        self.on_skip = on_skip or (lambda s: None)
        self._unsaved_skips: list[Skipped] = []
        # the indexes as the last run left them, with the store's fingerprint then
        self._kept: tuple[tuple, Indexes] | None = None

    @property
    def cleaner(self) -> Cleaner:
        return self.preparer.cleaner

    def ingest(self, paths: Iterable[str], command: str = "ingest") -> RunReport:
        """Ingest files and folders."""
        return self.ingest_items(read_inputs(paths, self.config.ingest), command)

    def ingest_items(self, items: Iterable[Document | Prepared | Skipped], command: str = "ingest", *,
                     wait: float | None = None) -> RunReport:
        """Ingest documents (and record the inputs that could not be read); a ``Prepared``
        document (cleaned and described beforehand, by ``newsloom batch``) is stored exactly
        as the same ``Document`` would be. The run's state is always closed: ``done``, ``done
        with skips``, or ``failed`` / ``interrupted`` when an error or Ctrl-C ends it (the
        finished batches stay). Runs on one store, from any process, take turns (the store's
        run lock; ``wait`` seconds at most, then ``StoreBusy``), so each starts from all the
        last stored."""
        self.check_settings()
        with self.store.run_lock(wait):
            self.store.mark_interrupted_runs()
            indexes = self._run_indexes()
            report = RunReport(self.store.start_run(command))
            status = "failed"
            try:
                self._run(items, report, indexes)
                status = "done" if report.ok else "done with skips"
            except KeyboardInterrupt:
                status = "interrupted"
                raise
            finally:
                self._close_run(report, status)
            self._kept = (self.store.fingerprint(), indexes)
        return report

    def _run_indexes(self) -> Indexes:
        """The indexes a run starts from: those the last run of this pipeline left when nothing
        has changed the store since (a server's or a follower's runs one after another), else
        made from the store — the same state either way, made once."""
        kept, self._kept = self._kept, None
        if kept is not None and kept[0] == self.store.fingerprint():
            return kept[1]
        return self._indexes(recent=True)

    def _close_run(self, report: RunReport, status: str) -> None:
        if status in ("failed", "interrupted") and self._unsaved_skips:
            with self.store.transaction():
                self._save_skips(report)
        self.store.finish_run(report.run_id, dict(report.counts) | {"skipped": len(report.skipped)}, status)

    def _run(self, items: Iterable[Document | Prepared | Skipped], report: RunReport, indexes: Indexes) -> None:
        outlet_lines = OutletLines(StoreLineCounts(self.store), self.config.outlet_lines)
        batch: list[tuple[Document | Prepared, str]] = []
        for item in items:
            if isinstance(item, Skipped):
                self._skip(report, item)
                continue
            report.counts["read"] += 1
            digest = item.digest if isinstance(item, Prepared) else input_hash(item)
            if self.store.input_hash(item.id) == digest:
                report.counts["unchanged"] += 1
                self.on_progress(1)
                continue
            batch.append((item, digest))
            if len(batch) >= self.config.batch_size:
                self._process_batch(batch, report, indexes, outlet_lines)
                batch = []
        if batch:
            self._process_batch(batch, report, indexes, outlet_lines)
        with self.store.transaction():
            self._save_skips(report)
            report.counts["expired from copy index"] = indexes.copies.expire(self.store.latest_published())

    def delete(self, article_id: str, indexes: Indexes | None = None, *, wait: float | None = None) -> list[CopyLink]:
        """Remove an article from the store, its story and the copy index, in one transaction:
        the one way an article leaves (``newsloom delete``; an update, from a changed input or
        the API, before its new version goes in). Its story is rebuilt without it (dropped
        when empty); its former copies are re-linked to a new original. Returns their new
        links. Without a run's ``indexes`` there is no story in memory to keep in step, and the
        delete takes its turn with the runs (the run lock, ``wait`` as for ``ingest_items``)."""
        if indexes is None:
            with self.store.run_lock(wait):
                return self.delete(article_id, self._indexes(recent=False))
        with self.store.transaction():
            links = indexes.copies.remove(article_id)
            removed, features = self.store.delete_article(article_id)
            for link in links:
                self.store.set_copy(link)
            indexes.stories.remove(removed.story_id, features)
        return links

    def recluster(self) -> dict:
        """Rebuild every story from scratch: the stored articles replayed in publication order
        (ties in ingest order) through the same assignment as ingest, in one transaction;
        never at the same time as an ingest on the store (the run lock)."""
        self.check_settings()
        with self.store.run_lock():
            return self._recluster()

    def _recluster(self) -> dict:
        run_id = self.store.start_run("recluster")
        stories = self._story_index()
        with self.store.transaction():
            self.store.clear_stories()
            for row in self.store.all_features():
                features, vector = stored_features(row)
                self.store.assign(place(stories, row.id, features, vector,
                                        lambda: self.store.new_story(row.title, run_id), row.copy, self.store.story_of))
                self.on_progress(1)
                if stories.documents % self.config.batch_size == 0:
                    stories.settle()
        counts = {"articles": stories.documents, "stories": self.store.count("stories")}
        self.store.finish_run(run_id, counts)
        return counts

    def check_settings(self) -> None:
        """Refuse a store whose features or copy index were made with other settings."""
        self.store.check_settings(self.featurizer.settings() | self.config.copies.index_settings())

    def _skip(self, report: RunReport, item: Skipped) -> None:
        report.skipped.append(item)
        self._unsaved_skips.append(item)
        self.on_skip(item)

    def _save_skips(self, report: RunReport) -> None:
        self.store.add_skipped(report.run_id, self._unsaved_skips)
        self._unsaved_skips = []

    def _story_index(self) -> StoryIndex:
        """An empty story index that pages evicted stories in from this store."""
        return StoryIndex(self.config.cluster, self.store.features_of_stories_active, self.store.features_of_story)

    def _indexes(self, *, recent: bool) -> Indexes:
        """The run's indexes; with ``recent``, the story index as an uninterrupted run would hold
        it after all the store has (the document counts of every stored article, the most
        recently active stories), so a run resumed after a kill, or one after another, goes on
        as one run would (a delete alone needs no story in memory)."""
        stories = self._story_index()
        if recent:
            rows, evicted_before = self.store.features_of_latest_stories(self.config.cluster.max_stories)
            stories.resume(*self.store.term_counts(), rows, evicted_before)
        return Indexes(stories, CopyDetector(StoreBands(self.store), self.store, self.config.copies))

    def _process_batch(self, batch: list[tuple[Document | Prepared, str]], report: RunReport, indexes: Indexes,
                       outlet_lines: OutletLines) -> None:
        cleaned: list[tuple[Article, str, Described | None]] = []
        for item, digest in batch:
            article, described = (item.article, item.described) if isinstance(item, Prepared) \
                else (self.preparer.prepare(item), None)
            if isinstance(article, Skipped):
                self._skip(report, article)
                continue
            cleaned.append((article, digest, described))
        # publication order, ties in input order (sorted() is stable)
        cleaned.sort(key=lambda entry: entry[0].published or NO_DATE)
        with self.store.transaction():
            # outlet boilerplate counts change in the same transaction as the articles
            filtered = [outlet_lines.filter(article) for article, _, _ in cleaned]
            # a description made beforehand holds while the outlet filter left the text as it was
            todo = [i for i, (article, (before, _, described)) in enumerate(zip(filtered, cleaned))
                    if described is None or article is not before]
            made = dict(zip(todo, self.preparer.describe([filtered[i] for i in todo])))
            self._save_skips(report)
            for i, (article, (_, digest, described)) in enumerate(zip(filtered, cleaned)):
                described = made.get(i, described)
                if self.store.input_hash(article.id) is not None:
                    self.delete(article.id, indexes)
                    report.counts["updated"] += 1
                else:
                    report.counts["new"] += 1
                self.store.add_article(article, digest, report.run_id)
                self.store.add_citations(article.id, cited_sources(article.text))
                links = indexes.copies.process(article.id, article.text, article.content_hash, article.published)
                for link in links:
                    self.store.set_copy(link)
                mine = next((link for link in links if link.article == article.id), None)
                features, vector = described.features, np.frombuffer(described.vector, dtype=np.float32)
                self.store.assign(place(indexes.stories, article.id, features, vector,
                                        lambda: self.store.new_story(article.title, report.run_id), mine,
                                        self.store.story_of))
                if mine is not None:
                    report.counts["copies"] += 1
                self.store.save_features(article.id, features, described.vector)
                self.store.save_sentence_vectors(article.id, described.sentence_spans, described.sentence_vectors)
            indexes.stories.settle()
        self.on_progress(len(batch))
