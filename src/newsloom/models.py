"""The data that flows between newsloom's stages.

Every stage takes and returns only these plain, frozen dataclasses, so a stage can be read,
tested and replaced on its own. Dates are ISO 8601 strings (``2023-09-18`` or with a time);
ids are strings chosen by ingest (the input's own id, else the path as given).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as the store holds it: the cleaned article, where it went (its story) and
    what it copies (``duplicate_of`` with ``copy_kind`` and ``copy_score``)."""

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
    story_id: int | None = None
    duplicate_of: str | None = None
    copy_kind: str | None = None
    copy_score: float | None = None
    run_id: int | None = None
    ingested_at: str | None = None


@dataclass(frozen=True, slots=True)
class CopyLink:
    """``article`` repeats ``original``: ``kind`` is exact, near or partial; ``score`` in 0..1."""

    article: str
    original: str
    kind: str
    score: float


@dataclass(frozen=True, slots=True)
class Assignment:
    """Which story an article joined and why (the score and what the two share)."""

    article: str
    story: int
    score: float
    reason: str
    shared_terms: tuple[str, ...] = ()


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
class Evidence:
    """A sentence of an article that supports a statement."""

    article: str
    source: str
    sentence: str


@dataclass(frozen=True, slots=True)
class Fact:
    """A group of sentences from a story's articles that state the same thing."""

    text: str
    status: str  # corroborated | single_source | contested
    sources: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    conflicts: tuple[Evidence, ...] = ()
    note: str = ""


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
    """Everything newsloom says about one story: its articles and the comparison of sources."""

    story: StorySummary
    articles: tuple[dict, ...]
    facts: tuple[Fact, ...] = ()
    attributions: tuple[Attribution, ...] = ()
    summary: tuple[SummarySentence, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    entities: tuple[Entity, ...] = ()
    extra: dict = field(default_factory=dict)
