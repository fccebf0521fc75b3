"""The JSON API under ``/api``: stories (listed and one by one), articles (read, add, delete)
and the server's health. Reads are open; writes need the server's token. Every answer,
errors included, is JSON and is documented in the OpenAPI schema at ``/openapi.json``."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..models import Document
from ..report import article_data, listed_stories
from ..store import MAX_ROWID
from .errors import documented
from .guards import require_write_token
from .state import Services, services

router = APIRouter(prefix="/api", tags=["api"], responses=documented(400, 413, 500))

ServicesDep = Annotated[Services, Depends(services)]
StoryId = Annotated[int, Path(ge=1, le=MAX_ROWID, description="a story id (from /api/stories)")]
# no line breaks: a path ending in one ("/api/articles/%0A") reaches the route without it
ArticleId = Annotated[str, Path(min_length=1, max_length=2000, pattern=r"^[^\n\r]+$",
                                description="an article id: the JSON Lines 'id', else the path it was read from")]


def _only_a_day(value: object) -> object:
    """A day as YYYY-MM-DD and nothing else (pydantic alone also takes '0' and '2026-01-01T00:00:00')."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("use a day as YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_only_a_day)]


def _only_a_time(value: object) -> object:
    """A time as ISO 8601, YYYY-MM-DD[THH:MM[:SS][±HH:MM|Z]] (pydantic alone also takes a number of seconds)."""
    if isinstance(value, str) and not re.fullmatch(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})?)?",
            value):
        raise ValueError("use a time as YYYY-MM-DDTHH:MM:SS (or a day as YYYY-MM-DD)")
    return value


Moment = Annotated[datetime, BeforeValidator(_only_a_time)]


class ArticleIn(BaseModel):
    """One article to ingest: the same fields as a line of JSON Lines; ``text`` (the article's
    body) or ``html`` (its page, where the article is looked for; ``text`` is then ignored),
    each with at least one character that is not a space. A page or text in which the cleaner
    finds no article (every line boilerplate to it) is refused (400, E100)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"required": ["text"], "properties": {"text": {"type": "string"}}},
        {"required": ["html"], "properties": {"html": {"type": "string"}}}]})

    id: str = Field(min_length=1, max_length=2000)
    text: str | None = Field(default=None, max_length=20_000_000, pattern=r"\S")
    html: str | None = Field(default=None, max_length=20_000_000, pattern=r"\S")
    title: str | None = Field(default=None, max_length=2000)
    date: str | None = Field(default=None, max_length=64)
    source: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def has_a_body(self) -> ArticleIn:
        if self.text is None and self.html is None:
            raise ValueError("send the article's body as 'text' or its page as 'html'")
        return self


class Health(BaseModel):
    status: str
    articles: int
    stories: int


class ListedStory(BaseModel):
    """A story as listed (``newsloom stories --json``), and when it last gained an article."""

    id: int
    headline: str
    articles: int
    outlets: int
    first_date: str | None
    last_date: str | None
    origins: int
    last_changed: str | None = Field(default=None, description="when the story last gained an article (store time)")
    outlet_names: list[str] = Field(description="every outlet of the story; an unnamed one as 'unknown outlet (file)'")
    claim_counts: dict[str, int] = Field(description="claims agreed (corroborated), single_source and contested")


class StoryList(BaseModel):
    limit: int
    offset: int
    stories: list[ListedStory]


class Ingested(BaseModel):
    id: str
    status: str = Field(description="new, updated or unchanged")
    story: int | None
    duplicate_of: str | None


class Deleted(BaseModel):
    id: str
    former_copies: list[str] = Field(description="articles that copied this one and are now originals")


@router.get("/health", response_model=Health)
def health(state: ServicesDep):
    store = state.store()
    return {"status": "ok", "articles": store.count("articles"), "stories": store.count("stories")}


@router.get("/stories", response_model=StoryList, responses=documented(422))
def list_stories(
    state: ServicesDep,
    q: Annotated[str | None, Query(max_length=500, description="full-text search over the articles")] = None,
    outlet: Annotated[str | None, Query(max_length=500, description="only stories this outlet reported")] = None,
    since: Annotated[Day | None, Query(description="last article on or after this day (YYYY-MM-DD)")] = None,
    until: Annotated[Day | None, Query(description="first article on or before this day (YYYY-MM-DD)")] = None,
    min_outlets: Annotated[int, Query(ge=0, le=10_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    updated_since: Annotated[Moment | None, Query(
        description="only stories that gained an article at or after this time (the store's local time)")] = None,
):
    store = state.store()
    found = store.stories(query=q, outlet=outlet, since=since.isoformat() if since else None,
                          until=f"{until.isoformat()}T23:59:59" if until else None,
                          min_outlets=min_outlets, limit=limit, offset=offset,
                          updated_since=store_time(updated_since) if updated_since else None)
    return {"limit": limit, "offset": offset, "stories": listed_stories(store, found, state.story_data)}


@router.get("/feeds", response_model=dict[str, Any], responses=documented(422))
def list_feeds(state: ServicesDep):
    """The subscriptions and how their polling goes, with the items not stored from their page."""
    store = state.store()
    return {"feeds": [asdict(feed) | {"items_not_from_page": [asdict(note) for note in store.feed_item_notes(feed.id)]}
                      for feed in store.feeds()]}


def store_time(moment: datetime) -> str:
    """A time as the store writes ``ingested_at``: local time, to the second."""
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


@router.get("/stories/{story_id}", response_model=dict[str, Any], responses=documented(404, 422),
            description="What `newsloom story ID --json` prints: the story, its articles and the comparison.")
def get_story(state: ServicesDep, story_id: StoryId):
    return state.story_data(story_id)


@router.get("/articles/{article_id:path}", response_model=dict[str, Any], responses=documented(404, 422),
            description="The stored article with its removed lines, cited sources, copy group and story assignment.")
def get_article(state: ServicesDep, article_id: ArticleId):
    store = state.store()
    return article_data(store, store.resolve(article_id))


@router.post("/articles", response_model=Ingested, status_code=201,
             dependencies=[Depends(require_write_token)],
             responses={200: {"description": "Already stored: updated, or unchanged", "model": Ingested},
                        **documented(401, 403, 422, 503)})
def post_article(state: ServicesDep, article: ArticleIn, response: Response):
    """Ingest one article (201 when new, 200 when it replaced or matched the stored one)."""
    document = Document(id=article.id, origin="api", kind="html" if article.html else "article",
                        content=article.html or article.text, title=article.title, source=article.source,
                        url=article.url, published=article.date)
    status, stored = state.ingest(document)
    if status != "new":
        response.status_code = 200
    return {"id": article.id, "status": status, "story": stored.story_id, "duplicate_of": stored.duplicate_of}


@router.delete("/articles/{article_id:path}", response_model=Deleted, dependencies=[Depends(require_write_token)],
               responses=documented(401, 403, 404, 422, 503))
def delete_article(state: ServicesDep, article_id: ArticleId):
    """Remove an article from the store, its story and the copy index."""
    return {"id": article_id, "former_copies": state.delete(article_id)}
