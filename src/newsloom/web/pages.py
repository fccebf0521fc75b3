"""The web pages: the stories (with search, every outlet, claim counts, what changed since the
reader's last visit), the feeds, one story (summary, the claim grid, timeline,
coverage chart, the articles side by side) and one article (clean text, copies, cited sources,
removed boilerplate). Everything from an article is data: the templates autoescape it and show
names with their control characters escaped; the scripts only toggle classes. A story page is
rendered once per version of the story."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from ..report import listed_stories
from ..store import MAX_ROWID, now
from .api import store_time
from .errors import documented
from .state import Services, services

router = APIRouter(tags=["pages"], default_response_class=HTMLResponse, responses=documented(400, 413, 500, html=True))

ServicesDep = Annotated[Services, Depends(services)]
PAGE_SIZE = 30

_PAGE = {200: {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}}}


@router.get("/", responses=_PAGE | documented(422, html=True))
def front_page(request: Request, state: ServicesDep, q: Annotated[str | None, Query(max_length=500)] = None,
               page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    """The stories, newest first, each with every outlet that reported it; ``q`` searches them."""
    store = state.store()
    found = store.stories(query=q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    ids = [s.id for s in found]
    listed = listed_stories(store, found, state.story_data)  # claim counts from the store's cache
    response = state.templates.TemplateResponse(request, "index.html", {
        "stories": found, "outlets": {s["id"]: s["outlet_names"] for s in listed}, "q": q or "", "page": page,
        "more": len(found) == PAGE_SIZE, "counts": {s["id"]: s["claim_counts"] for s in listed},
        "changes": store.story_changes(ids, last_visit(request))})
    if page == 1 and not q:  # the front page seen now: what comes in later is new next time
        response.set_cookie(LAST_VISIT_COOKIE, now(), max_age=365 * 86400, httponly=True, samesite="lax")
    return response


LAST_VISIT_COOKIE = "newsloom_last_visit"


def last_visit(request: Request) -> str | None:
    """When this reader last saw the front page (a cookie), if it holds a time."""
    try:
        return store_time(datetime.fromisoformat(request.cookies.get(LAST_VISIT_COOKIE, "")))
    except ValueError:
        return None


@router.get("/feeds", responses=_PAGE)
def feeds_page(request: Request, state: ServicesDep):
    """The subscriptions: when each was polled, what it found, its last error."""
    store = state.store()
    found = store.feeds()
    return state.templates.TemplateResponse(request, "feeds.html", {
        "feeds": found, "notes": {feed.id: store.feed_item_notes(feed.id) for feed in found}})


@router.get("/stories/{story_id}", responses=_PAGE | documented(404, 422, html=True))
def story_page(request: Request, state: ServicesDep,
               story_id: Annotated[int, Path(ge=1, le=MAX_ROWID, description="a story id")]):
    key = ("page", *state.story_version(story_id))
    body = state.cache.get(key)
    if body is None:
        body = state.templates.TemplateResponse(request, "story.html", story_view(state.story_data(story_id))).body
        state.cache.put(key, body)
    return HTMLResponse(body)


@router.get("/articles/{article_id:path}", responses=_PAGE | documented(404, 422, html=True))
def article_page(request: Request, state: ServicesDep,
                 article_id: Annotated[str, Path(min_length=1, max_length=2000, pattern=r"^[^\n\r]+$",
                                                 description="an article id")]):
    store = state.store()
    article_id = store.resolve(article_id)
    return state.templates.TemplateResponse(request, "article.html", {
        "article": store.article(article_id), "copies": store.copy_group(article_id),
        "assignment": store.assignment(article_id), "cited": store.citations(article_id),
        "dropped": store.dropped_lines(article_id)})


# ---------------------------------------------------------------- story page view model


def story_view(data: dict) -> dict:
    """What the story template needs: the claim table as a grid (a row per claim, a column per
    outlet, each cell that outlet's wording or nothing), each article's text cut into segments
    that carry the ids of the claims they state, the coverage chart, and the name each article
    is shown (and linked) by."""
    outlets = data["story"]["outlet_names"]
    outlet_of = {a["id"]: a["outlet"] for a in data["articles"]}
    grid = []
    for claim in data["claims"]:
        cells = {}
        for e in claim["evidence"]:
            cells.setdefault(outlet_of[e["article"]], {"text": e["text"], "article": e["article"],
                                                      "attribution": e["attribution"], "against": False})
        for c in claim["conflicts"]:
            cells.setdefault(outlet_of[c["article"]], {"text": c["value"], "article": c["article"],
                                                      "attribution": None, "against": True})
        grid.append(claim | {"cells": [cells.get(outlet) for outlet in outlets]})
    by_article: dict[str, list[tuple[int, int, str]]] = {}
    for claim in data["claims"]:
        for e in claim["evidence"]:
            by_article.setdefault(e["article"], []).append((e["start"], e["end"], claim["id"]))
    articles = [article | {"segments": _segments(article["text"], by_article.get(article["id"], []))}
                for article in data["articles"]]
    shown = {a["id"]: a["shown_id"] or a["id"] for a in data["articles"]}  # what links name an article by
    return {"story": data["story"], "outlets": outlets, "claims": grid, "articles": articles, "shown": shown,
            "summary": data["summary"], "timeline": data["timeline"], "attributions": data["attributions"],
            "quotes": data["quotes"], "entities": data["entities"][:40], "chart": coverage_chart(data["articles"]),
            "counts": data["story"]["claim_counts"]}


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
