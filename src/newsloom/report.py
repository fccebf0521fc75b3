"""Report: everything newsloom says about one story, gathered from the store and the
comparison stage, as a ``StoryReport`` — and as plain JSON, one shape for the CLI and the API;
and one stored article with all the store knows of it, as JSON."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import Counter
from dataclasses import asdict, replace

from .compare import Comparer, SentenceVectors, outlet_name
from .models import Assignment, StoryReport
from .store import Store

log = logging.getLogger(__name__)

ARTICLE_FIELDS = ("id", "source", "title", "published", "url", "dateline", "author", "language",
                  "duplicate_of", "copy_kind", "copy_score", "text", "shown_id")


def build_report(store: Store, story_id: int, comparer: Comparer | None = None) -> StoryReport:
    summary = store.story(story_id)
    articles = store.story_articles(story_id)
    stored = {article_id: SentenceVectors.from_bytes(*blobs)
              for article_id, blobs in store.sentence_vectors([a.id for a in articles]).items()}
    comparison = (comparer or Comparer()).compare(articles, stored)
    return StoryReport(
        story=summary,
        articles=tuple(articles),
        claims=comparison.claims,
        attributions=comparison.attributions,
        summary=comparison.summary,
        timeline=comparison.timeline,
        entities=comparison.entities,
        headline=comparison.headline,
    )


COMPARISON_METHOD = "claims-v12"  # change when the comparison or its JSON changes: cached tables are then made anew


def story_data(store: Store, story_id: int, comparer: Comparer | None = None) -> dict:
    """The story's report as JSON-able data (the shape of ``story --json`` and the API), from
    the store's cache when the story has not changed since it was compared."""
    from .store import ComparisonCache

    store.story(story_id)  # NotFound for an unknown id
    cache = ComparisonCache(store)
    version = cache.version(story_id, COMPARISON_METHOD)
    data = cache.get(story_id, version)
    if data is None:
        report = build_report(store, story_id, comparer)
        originals = {a.duplicate_of for a in report.articles if a.duplicate_of} - {a.id for a in report.articles}
        names = {a.id: a.shown_id for a in report.articles} | store.shown_ids(originals)
        data = json.loads(json.dumps(shown_everywhere(report_to_dict(report), names), ensure_ascii=False))
        try:
            with store.transaction():
                cache.put(story_id, version, data["story"]["claim_counts"], data)
        except sqlite3.OperationalError as error:  # a long write (an ingest batch) holds the store
            log.info("story %s compared but not cached: %s", story_id, error)
    return data


def listed_stories(store: Store, summaries, data_of=None) -> list[dict]:
    """Stories as listed, one shape for ``newsloom stories --json`` and ``GET /api/stories``:
    the summary, when the story last gained an article, every outlet by name and its claim
    counts (from the store's cache; a story not compared yet is compared now, through
    ``data_of(story_id)`` when given)."""
    from .store import ComparisonCache

    ids = [s.id for s in summaries]
    counts = ComparisonCache(store).counts(ids)
    outlets = store.story_outlets(ids)
    changed = store.story_changes(ids, None)
    listed = []
    for summary in summaries:
        if summary.id not in counts:
            data = data_of(summary.id) if data_of else story_data(store, summary.id)
            counts[summary.id] = data["story"]["claim_counts"]
        listed.append(asdict(summary) | {"last_changed": changed.get(summary.id, (None,))[0],
                                         "outlet_names": outlets[summary.id], "claim_counts": counts[summary.id]})
    return listed


def claim_counts(report: StoryReport) -> dict[str, int]:
    counts = Counter(row.status for row in report.claims)
    return {status: counts.get(status, 0) for status in ("corroborated", "single_source", "contested")}


def report_to_dict(report: StoryReport) -> dict:
    data = asdict(replace(report, articles=()))
    data["articles"] = [{k: getattr(a, k) for k in ARTICLE_FIELDS} | {"outlet": outlet_name(a)} for a in report.articles]
    story = data.pop("story")
    headline = data.pop("headline")
    data["story"] = story | {"headline": headline or story["headline"],
                             "outlet_names": list(dict.fromkeys(a["outlet"] for a in data["articles"])),
                             "claim_counts": claim_counts(report)}
    data["quotes"] = [a for a in data["attributions"] if a["kind"] == "quote"]
    return data


def article_data(store: Store, article_id: str) -> dict:
    """The stored article as JSON-able data (``GET /api/articles/{id}``): its fields, the lines
    removed from its page, whom it cites, its group of copies and why it is in its story."""
    article = store.article(article_id)  # NotFound for an unknown id
    assignment = store.assignment(article_id)
    group = store.copy_group(article_id)
    data = asdict(article) | {
        "dropped": [asdict(line) for line in store.dropped_lines(article_id)],
        "cited_sources": [asdict(citation) for citation in store.citations(article_id)],
        "copy_group": [asdict(member) for member in group],
        "assignment": assignment_to_dict(assignment) if assignment else None,
    }
    return shown_everywhere(data, {m.id: m.shown_id for m in group} | {article.id: article.shown_id,
                                                                       article.origin: shown_origin(article)})


def shown_everywhere(value, names: dict[str, str | None]):
    """``value`` (JSON-able data) with each article id in it replaced by the name the article is
    shown by (``names``: id → shown name), so output shows no path of the machine that read the
    files. Only ids that differ from their name are replaced: a JSON Lines or API id is kept."""
    names = {key: name for key, name in names.items() if name and name != key}
    if not names:
        return value
    return _replaced(value, names)


def _replaced(value, names: dict[str, str]):
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, dict):
        return {key: _replaced(item, names) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_replaced(item, names) for item in value]
    return value


def shown_origin(article) -> str | None:
    """The name the file an article came from is shown by: its shown name without the part
    after the file (``#…`` of a WARC record or feed entry), when the id is made from the file."""
    if article.shown_id and article.id.startswith(article.origin):
        return article.shown_id[:len(article.shown_id) - (len(article.id) - len(article.origin))] or None
    return None


def assignment_to_dict(assignment: Assignment) -> dict:
    """An assignment in the API's words (the columns of the store's ``assignments`` table)."""
    return {"article_id": assignment.article, "story_id": assignment.story, "score": assignment.score,
            "reason": assignment.reason, "shared_terms": list(assignment.shared_terms)}
