"""The data that flows between newsloom's stages.

Every stage takes and returns only these plain, frozen dataclasses, so a stage can be read,
tested and replaced on its own. Dates are ISO 8601 strings (``2023-09-18`` or with a time);
ids are strings chosen by ingest (the input's own id, else the path as given).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NO_DATE = "9999"
"""Sorts after every ISO date: where an article without a date goes in publication order."""


def day_of(value: str | None) -> date | None:
    """The day of an ISO date or date-time string; None when there is none or it is not a date."""
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Document:
    """One input item as read from a file, before cleaning.

    ``kind`` says how ``content`` is to be read: ``text`` (a page copied as plain text),
    ``html`` (a page's markup) or ``article`` (already an article body, e.g. from JSON Lines).
    Hints are metadata the container gave (a feed's title, a JSON Lines ``source``).
    """

    id: str
    origin: str
    kind: str
    content: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    shown_id: str | None = None  # the name shown to people (a path relative to what was ingested); None: the id


@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be read, and why, in words a user can act on."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class DroppedLine:
    """A line the cleaner removed from a page, with its position and the reason."""

    line_no: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article: the body without boilerplate, and its metadata."""

    id: str
    origin: str
    title: str
    text: str
    content_hash: str
    source: str | None = None
    url: str | None = None
    published: str | None = None
    dateline: str | None = None
    author: str | None = None
    language: str | None = None
    dropped: tuple[DroppedLine, ...] = ()
    shown_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as the store holds it: the cleaned article, the hash of the input it was
    made from (an input whose hash changed replaces it), where it went (its story) and what it
    copies (``duplicate_of`` with ``copy_kind`` and ``copy_score``). The fields are the
    ``articles`` table's columns, in its order."""

    id: str
    origin: str
    title: str
    text: str
    content_hash: str
    input_hash: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    dateline: str | None = None
    author: str | None = None
    language: str | None = None
    story_id: int | None = None
    duplicate_of: str | None = None
    copy_kind: str | None = None
    copy_score: float | None = None
    run_id: int | None = None
    ingested_at: str | None = None
    shown_id: str | None = None


@dataclass(frozen=True, slots=True)
class CopyMember:
    """One article of a copy group as the store lists it: the original has no ``duplicate_of``;
    a copy names what it copies, how (``copy_kind``: exact, near, partial) and how closely."""

    id: str
    source: str | None = None
    title: str | None = None
    published: str | None = None
    duplicate_of: str | None = None
    copy_kind: str | None = None
    copy_score: float | None = None
    shown_id: str | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    """Someone an article cites by name, and the sentence that cites them."""

    name: str
    sentence: str


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """A stored article's clustering features: ``features`` as the featurizer made them (terms,
    entities, title words, date, language, gist) and ``vector``, its embedding as float32
    bytes; with its story, title and copy link (None when it copies nothing), what a replay
    of the clustering needs."""

    id: str
    story_id: int | None
    published: str | None
    features: dict
    vector: bytes | None
    title: str = ""
    copy: CopyLink | None = None


@dataclass(frozen=True, slots=True)
class Run:
    """One run on the store (an ingest, a recluster, a follow round) and what it counted."""

    id: int
    command: str
    started_at: str
    finished_at: str | None
    status: str
    counts: dict


def outlet_name(source: str | None, article_id: str) -> str:
    """An outlet as a reader knows it: its name, else the file (or id) its article came from."""
    return source or f"unknown outlet ({article_id.rstrip('/').rsplit('/', 1)[-1] or article_id})"


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document made ready away from the store (``newsloom batch``, stage 1): its input
    hash, and what cleaning gave (an ``Article``, or a ``Skipped`` with the reason) with the
    article's ``Described`` — what ingest would compute from the same text. The runner
    stores it exactly as it stores a ``Document`` it cleaned itself."""

    id: str
    digest: str
    article: Article | Skipped
    described: Described | None = None


@dataclass(frozen=True, slots=True)
class Described:
    """What the runner computes from an article's text besides cleaning it: the clustering
    features and embedding (float32 bytes), and the sentence spans and vectors (the bytes
    ``SentenceVectors.to_bytes`` gives)."""

    features: dict
    vector: bytes
    sentence_spans: bytes
    sentence_vectors: bytes


@dataclass(frozen=True, slots=True)
class CopyLink:
    """``article`` repeats ``original``: ``kind`` is exact, near or partial; ``score`` in 0..1."""

    article: str
    original: str
    kind: str
    score: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """Which story an article joined and why (the score and what the two share); and the
    articles that moved into that story when it grew (each with its own assignment)."""

    article: str
    story: int
    score: float
    reason: str
    shared_terms: tuple[str, ...] = ()
    moved: tuple[Assignment, ...] = ()


@dataclass(frozen=True, slots=True)
class StorySummary:
    """A story as listed: one real-world event and the articles that report it."""

    id: int
    headline: str
    articles: int
    outlets: int
    first_date: str | None
    last_date: str | None
    origins: int = 0


@dataclass(frozen=True, slots=True)
class ClaimEvidence:
    """One outlet's wording of a claim: the words (``text``), where they stand in the article
    (``start``/``end``, character offsets), their sentence, and who the outlet cites for them."""

    article: str
    source: str
    text: str
    sentence: str
    start: int
    end: int
    attribution: str | None = None


@dataclass(frozen=True, slots=True)
class Conflict:
    """The other side of a contested claim: what ``source`` states (``value``) against the
    row's own value (``other_value``), and the ``kind`` of conflict (number, time, date, place,
    role, quote)."""

    kind: str
    article: str
    source: str
    sentence: str
    value: str
    other_value: str


@dataclass(frozen=True, slots=True)
class CloseMatch:
    """The closest wording another outlet has to a claim, and how close (0..1)."""

    article: str
    source: str
    text: str
    score: float


@dataclass(frozen=True, slots=True)
class Why:
    """Why a claim has its status, in words (``reason``) and as data (``closest``: for a
    single-source claim, the nearest wording of each other outlet and its score)."""

    reason: str
    closest: tuple[CloseMatch, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """One row of a story's claim table: a claim (verbatim from one outlet), each outlet's own
    wording of it, its status (corroborated | single_source | contested) and why."""

    id: str
    text: str
    status: str
    outlets: tuple[str, ...]
    origins: int
    evidence: tuple[ClaimEvidence, ...]
    conflicts: tuple[Conflict, ...] = ()
    why: Why = Why("")


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who an article cites for what: ``kind`` is quote, said or according_to."""

    article: str
    source: str
    speaker: str
    kind: str
    text: str
    sentence: str


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    date: str
    text: str
    article: str
    source: str
    expression: str


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    label: str
    mentions: tuple[str, ...]
    articles: int


@dataclass(frozen=True, slots=True)
class SummarySentence:
    text: str
    article: str
    source: str


@dataclass(frozen=True, slots=True)
class StoryReport:
    """Everything newsloom says about one story: its articles and the comparison of sources;
    ``headline``, an outlet's own title chosen by the comparison (the stored one when empty)."""

    story: StorySummary
    articles: tuple[StoredArticle, ...]
    claims: tuple[ClaimRow, ...] = ()
    attributions: tuple[Attribution, ...] = ()
    summary: tuple[SummarySentence, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    entities: tuple[Entity, ...] = ()
    headline: str = ""


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of an RSS/Atom feed: ``key`` is its guid (else its link, else its position);
    ``body`` is the feed's own text for it (content or summary, as HTML)."""

    key: str
    link: str | None
    title: str | None
    published: str | None
    author: str | None
    body: str


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscription and how its polling goes. Times are ISO 8601 UTC; ``failures`` counts
    the errors in a row (the back-off grows with it); ``held_items`` are items stored with
    the feed's own text because their page could not be fetched."""

    id: int
    url: str
    title: str | None
    added_at: str
    last_poll: str | None = None
    last_status: str | None = None
    last_error: str | None = None
    failures: int = 0
    next_poll: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    items: int = 0
    held_items: int = 0


@dataclass(frozen=True, slots=True)
class FeedItem:
    """A feed item whose page is to be fetched (or was), with the feed it came from."""

    id: str
    entry: FeedEntry
    state: str
    attempts: int
    feed_url: str
    feed_title: str | None


@dataclass(frozen=True, slots=True)
class FeedItemNote:
    """A feed item not stored from its page, and why (``note``), with when it is retried."""

    id: str
    state: str
    note: str | None
    attempts: int
    retry_at: str | None
