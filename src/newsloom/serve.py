"""Serve: the JSON API and the web pages, on the same store as the CLI.

``create_app(db_path)`` builds a FastAPI app. API under ``/api`` (OpenAPI at
``/openapi.json``, docs at ``/docs``); pages at ``/``, ``/stories/{id}``, ``/articles/{id}``.
Everything from an article is data: templates autoescape it, SQL binds it, scripts only toggle
classes. A story's comparison is computed once per version of the story (its articles) and
kept in the app's cache, so pages stay fast while an ingest runs.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict
from datetime import date, datetime
from importlib.resources import files
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from .compare import Comparer
from .errors import InputError, NewsloomError, NotFound
from .models import Document
from .report import story_data as stored_story_data
from .store import Store, now

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class ArticleIn(BaseModel):
    """One article to ingest: the same fields as a line of JSON Lines."""

    id: str = Field(min_length=1, max_length=2000)
    text: str | None = Field(default=None, max_length=20_000_000)
    html: str | None = Field(default=None, max_length=20_000_000)
    title: str | None = Field(default=None, max_length=2000)
    date: str | None = Field(default=None, max_length=64)
    source: str | None = Field(default=None, max_length=500)
    url: str | None = Field(default=None, max_length=4000)


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


def create_app(db_path: str, *, comparer: Comparer | None = None) -> FastAPI:
    app = FastAPI(title="newsloom", description="Stories across outlets: facts, sources, copies.", version="0.1.0")
    templates = Jinja2Templates(directory=str(files("newsloom").joinpath("templates")))
    app.mount("/static", StaticFiles(directory=str(files("newsloom").joinpath("static"))), name="static")
    local = threading.local()
    cache = StoryCache()
    compare_lock = threading.Lock()
    state = {"comparer": comparer, "cleaner": None, "embedder": None}
    ingest_lock = threading.Lock()

    def store() -> Store:
        if getattr(local, "store", None) is None:
            local.store = Store(db_path)
        return local.store

    def story_version(story_id: int) -> tuple:
        """What changes when the story's articles change (NotFound for an unknown id)."""
        db = store()
        version = db.db.execute("SELECT COUNT(*), MAX(rowid), MAX(ingested_at) FROM articles WHERE story_id = ?",
                                (story_id,)).fetchone()
        if not version[0]:
            db.story(story_id)  # raises NotFound
        return (story_id, *version)

    def story_data(story_id: int) -> dict:
        """The story's full report as JSON-able data, computed once per version of the story."""
        db = store()
        key = ("report", *story_version(story_id))
        cached = cache.get(key)
        if cached is None:
            with compare_lock:
                cached = cache.get(key)
                if cached is None:
                    if state["comparer"] is None:
                        state["comparer"] = Comparer()
                    cached = stored_story_data(db, story_id, state["comparer"])
                    cache.put(key, cached)
        return cached

    # ------------------------------------------------------------ errors

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/") or request.url.path == "/api"

    def error_response(request: Request, status: int, message: str, code: str = ""):
        if wants_json(request):
            return JSONResponse({"status": status, "error": message, "code": code or None}, status_code=status,
                                headers=SECURITY_HEADERS)
        return templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                          status_code=status, headers=SECURITY_HEADERS)

    @app.exception_handler(NewsloomError)
    async def newsloom_error(request: Request, error: NewsloomError):
        return error_response(request, error.status, error.message, error.code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException):
        return error_response(request, error.status_code, str(error.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in error.errors())
        return error_response(request, 422, f"invalid request: {problems}")

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    # ------------------------------------------------------------ API

    @app.get("/api/health")
    def health():
        db = store()
        return {"status": "ok", "articles": db.count("articles"), "stories": db.count("stories")}

    @app.get("/api/stories")
    def list_stories(
        q: Annotated[str | None, Query(max_length=500, description="full-text search over the articles")] = None,
        outlet: Annotated[str | None, Query(max_length=500)] = None,
        since: Annotated[date | None, Query(description="last article on or after (YYYY-MM-DD)")] = None,
        until: Annotated[date | None, Query(description="first article on or before (YYYY-MM-DD)")] = None,
        min_outlets: Annotated[int, Query(ge=0, le=10_000)] = 0,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        updated_since: Annotated[datetime | None, Query(
            description="only stories that gained an article at or after this time (the store's local time)")] = None,
    ):
        db = store()
        found = db.stories(query=q, outlet=outlet, since=since.isoformat() if since else None,
                           until=f"{until.isoformat()}T23:59:59" if until else None,
                           min_outlets=min_outlets, limit=limit, offset=offset,
                           updated_since=_store_time(updated_since) if updated_since else None)
        changed = db.story_changes([s.id for s in found], None)
        return {"limit": limit, "offset": offset,
                "stories": [_story_json(s) | {"last_changed": changed.get(s.id, (None,))[0]} for s in found]}

    @app.get("/api/stories/{story_id}")
    def get_story(story_id: int):
        return story_data(story_id)

    @app.get("/api/articles/{article_id:path}")
    def get_article(article_id: str):
        db = store()
        article = db.article(article_id)
        article["copy_group"] = db.copy_group(article_id)
        article["assignment"] = db.assignment(article_id)
        return article

    @app.post("/api/articles", status_code=201)
    def post_article(article: ArticleIn):
        from .clean import Cleaner
        from .cluster import Embedder
        from .pipeline import Pipeline

        body = article.html or article.text
        if not body or not body.strip():
            raise InputError("the article has no text", "send 'text' (or 'html') with the article body",
                             subject=article.id)
        document = Document(id=article.id, origin="api", kind="html" if article.html else "article", content=body,
                            title=article.title, source=article.source, url=article.url, published=article.date)
        with ingest_lock:  # one writer at a time; the models load once
            state["cleaner"] = state["cleaner"] or Cleaner()
            state["embedder"] = state["embedder"] or (state["comparer"].embedder if state["comparer"] else Embedder())
            pipeline = Pipeline(store(), cleaner=state["cleaner"], embedder=state["embedder"])
            report = pipeline.ingest_items([document], command=f"POST /api/articles {article.id}")
        if report.skipped:
            raise InputError(report.skipped[0].reason, "check the article's text", subject=article.id)
        db = store()
        stored = db.article(article.id)
        return {"id": article.id, "story": stored["story_id"], "duplicate_of": stored["duplicate_of"],
                "status": "new" if report.counts["new"] else "updated" if report.counts["updated"] else "unchanged"}

    @app.get("/api/feeds")
    def list_feeds():
        """The subscriptions and how their polling goes, with the items not stored from their page."""
        db = store()
        return {"feeds": [asdict(feed) | {"items_not_from_page": [dict(row) for row in db.feed_item_notes(feed.id)]}
                          for feed in db.feeds()]}

    # ------------------------------------------------------------ pages

    @app.get("/feeds", response_class=HTMLResponse)
    def feeds_page(request: Request):
        db = store()
        found = db.feeds()
        return templates.TemplateResponse(request, "feeds.html", {
            "feeds": found, "notes": {feed.id: db.feed_item_notes(feed.id) for feed in found}})

    @app.get("/", response_class=HTMLResponse)
    def front_page(request: Request, q: Annotated[str | None, Query(max_length=500)] = None,
                   page: Annotated[int, Query(ge=1, le=100_000)] = 1):
        db = store()
        found = db.stories(query=q, limit=30, offset=(page - 1) * 30)
        counts = {s.id: story_data(s.id)["story"]["claim_counts"] for s in found}
        last_visit = _last_visit(request)
        response = templates.TemplateResponse(request, "index.html", {
            "stories": found, "outlets": db.story_outlets([s.id for s in found]), "counts": counts, "q": q or "",
            "page": page, "more": len(found) == 30,
            "changes": db.story_changes([s.id for s in found], last_visit)})
        if page == 1 and not q:  # the front page seen now: what comes in later is new next time
            response.set_cookie(LAST_VISIT_COOKIE, now(), max_age=365 * 86400, httponly=True, samesite="lax")
        return response

    @app.get("/stories/{story_id}", response_class=HTMLResponse)
    def story_page(request: Request, story_id: int):
        key = ("page", *story_version(story_id))
        body = cache.get(key)
        if body is None:
            body = templates.TemplateResponse(request, "story.html", story_view(story_data(story_id))).body
            cache.put(key, body)
        return HTMLResponse(body)

    @app.get("/articles/{article_id:path}", response_class=HTMLResponse)
    def article_page(request: Request, article_id: str):
        db = store()
        article = db.article(article_id)
        return templates.TemplateResponse(request, "article.html", {
            "article": article, "copies": db.copy_group(article_id), "assignment": db.assignment(article_id)})

    return app


LAST_VISIT_COOKIE = "newsloom_last_visit"


def _store_time(moment: datetime) -> str:
    """A time as the store writes ``ingested_at``: local time, to the second."""
    if moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _last_visit(request: Request) -> str | None:
    """When this reader last saw the front page (a cookie), if it holds a time."""
    try:
        return _store_time(datetime.fromisoformat(request.cookies.get(LAST_VISIT_COOKIE, "")))
    except ValueError:
        return None


def _story_json(summary) -> dict:
    return {"id": summary.id, "headline": summary.headline, "articles": summary.articles, "outlets": summary.outlets,
            "independent_origins": summary.origins, "first_date": summary.first_date, "last_date": summary.last_date}


# ---------------------------------------------------------------- story page view model


def story_view(data: dict) -> dict:
    """What the story template needs: the claim table as a grid (a row per claim, a column per
    outlet, each cell that outlet's wording or nothing), each article's text cut into segments
    that carry the ids of the claims they state, and the coverage chart."""
    outlets = data["story"]["outlet_names"]
    grid = []
    for claim in data["claims"]:
        cells = {}
        for e in claim["evidence"]:
            cells.setdefault(_outlet_of(data, e["article"]), {"text": e["text"], "article": e["article"],
                                                               "attribution": e["attribution"], "against": False})
        for c in claim["conflicts"]:
            cells.setdefault(_outlet_of(data, c["article"]), {"text": c["value"], "article": c["article"],
                                                              "attribution": None, "against": True})
        grid.append(claim | {"cells": [cells.get(outlet) for outlet in outlets]})
    by_article: dict[str, list[tuple[int, int, str]]] = {}
    for claim in data["claims"]:
        for e in claim["evidence"]:
            by_article.setdefault(e["article"], []).append((e["start"], e["end"], claim["id"]))
    articles = [article | {"segments": _segments(article["text"], by_article.get(article["id"], []))}
                for article in data["articles"]]
    return {"story": data["story"], "outlets": outlets, "claims": grid, "articles": articles,
            "summary": data["summary"], "timeline": data["timeline"], "attributions": data["attributions"],
            "quotes": data["quotes"], "entities": data["entities"][:40], "chart": coverage_chart(data["articles"]),
            "counts": data["story"]["claim_counts"]}


def _outlet_of(data: dict, article_id: str) -> str:
    return next(a["outlet"] for a in data["articles"] if a["id"] == article_id)


def _segments(text: str, marks: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    """``text`` as (piece, space-separated claim ids) with each claim's words their own piece;
    overlapping spans keep the first."""
    spans: dict[tuple[int, int], set[str]] = {}
    for start, end, key in marks:
        spans.setdefault((start, end), set()).add(key)
    pieces, position = [], 0
    for (start, end), keys in sorted(spans.items()):
        if start < position:
            continue
        if start > position:
            pieces.append((text[position:start], ""))
        pieces.append((text[start:end], " ".join(sorted(keys))))
        position = end
    if position < len(text):
        pieces.append((text[position:], ""))
    return pieces


def coverage_chart(articles: list[dict], width: int = 640, row: int = 26) -> dict:
    """Articles per outlet per day, as positions for an inline SVG drawn by the template."""
    dated = [(a["source"] or "unknown outlet", a["published"][:10]) for a in articles if a.get("published")]
    outlets = sorted({o for o, _ in dated} | {a["source"] or "unknown outlet" for a in articles})
    if not dated:
        return {"outlets": outlets, "dots": [], "width": width, "height": row * len(outlets) + 30, "days": []}
    days = sorted({d for _, d in dated})
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    span = max((last - first).days, 1)
    left = 170
    counts: dict[tuple[str, str], int] = {}
    for outlet, day in dated:
        counts[(outlet, day)] = counts.get((outlet, day), 0) + 1
    dots = [{"x": left + (width - left - 20) * (date.fromisoformat(day) - first).days / span,
             "y": 20 + row * outlets.index(outlet), "r": 4 + 2 * min(n, 5), "n": n, "outlet": outlet, "day": day}
            for (outlet, day), n in sorted(counts.items())]
    return {"outlets": [{"name": o, "y": 20 + row * i} for i, o in enumerate(outlets)], "dots": dots,
            "width": width, "height": row * len(outlets) + 30, "days": [days[0], days[-1]], "left": left}
