"""The web pages: the stories (with search), one story (summary, fact table, timeline,
coverage chart, the articles side by side) and one article (clean text, copies, cited sources,
removed boilerplate). Everything from an article is data: the templates autoescape it and show
names with their control characters escaped; the scripts only toggle classes. A story page is
rendered once per version of the story."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse

from ..store import MAX_ROWID
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
    outlets = {story_id: [outlet_name(source, article_id) for source, article_id in rows]
               for story_id, rows in store.outlets_of_stories([s.id for s in found]).items()}
    return state.templates.TemplateResponse(request, "index.html", {
        "stories": found, "outlets": outlets, "q": q or "", "page": page, "more": len(found) == PAGE_SIZE})


def outlet_name(source: str | None, article_id: str) -> str:
    """An outlet as a reader knows it: its name, else the file (or id) its article came from."""
    return source or f"unknown outlet ({PurePosixPath(article_id).name or article_id})"


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
                 article_id: Annotated[str, Path(min_length=1, max_length=2000, description="an article id")]):
    store = state.store()
    article = store.article(article_id)
    return state.templates.TemplateResponse(request, "article.html", {
        "article": article, "copies": store.copy_group(article_id), "assignment": store.assignment(article_id)})


# ---------------------------------------------------------------- story page view model


def story_view(data: dict) -> dict:
    """What the story template needs: facts numbered, each article's text cut into segments
    that carry the ids of the facts they support, and the coverage chart."""
    facts = [fact | {"key": f"f{n}"} for n, fact in enumerate(data["facts"])]
    by_article: dict[str, list[tuple[str, str]]] = {}
    for fact in facts:
        for side in ("evidence", "conflicts"):
            for e in fact[side]:
                by_article.setdefault(e["article"], []).append((e["sentence"], fact["key"]))
    articles = [article | {"segments": _segments(article["text"], by_article.get(article["id"], []))}
                for article in data["articles"]]
    return {"story": data["story"], "facts": facts, "articles": articles, "summary": data["summary"],
            "timeline": data["timeline"], "attributions": data["attributions"], "quotes": data["quotes"],
            "entities": data["entities"][:40], "chart": coverage_chart(data["articles"]),
            "outlet_of": {a["id"]: a["source"] or "unknown outlet" for a in data["articles"]}}


def _segments(text: str, marks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``text`` as (piece, space-separated fact keys) with each evidence sentence its own piece."""
    spans: dict[tuple[int, int], set[str]] = {}
    for sentence, key in marks:
        start = text.find(sentence)
        if start >= 0:
            spans.setdefault((start, start + len(sentence)), set()).add(key)
    pieces, position = [], 0
    for (start, end), keys in sorted(spans.items()):
        if start < position:
            continue  # overlapping sentences: keep the first
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
