"""Report: everything newsloom says about one story, gathered from the store and the
comparison stage, as a ``StoryReport`` (and as plain JSON for the CLI and the API)."""

from __future__ import annotations

from dataclasses import asdict

from .compare import Comparer
from .models import StoryReport
from .store import Store

ARTICLE_FIELDS = ("id", "source", "title", "published", "url", "dateline", "author", "language",
                  "duplicate_of", "copy_kind", "copy_score")


def build_report(store: Store, story_id: int, comparer: Comparer | None = None) -> StoryReport:
    summary = store.story(story_id)
    rows = [asdict(article) for article in store.story_articles(story_id)]
    comparison = (comparer or Comparer()).compare(rows)
    return StoryReport(
        story=summary,
        articles=tuple({k: row[k] for k in ARTICLE_FIELDS} | {"text": row["text"]} for row in rows),
        facts=comparison.facts,
        attributions=comparison.attributions,
        summary=comparison.summary,
        timeline=comparison.timeline,
        entities=comparison.entities,
        extra={"headline": comparison.headline},
    )


def report_to_dict(report: StoryReport) -> dict:
    data = asdict(report)
    story = data.pop("story")
    extra = data.pop("extra")
    data["story"] = story | {"headline": extra.get("headline") or story["headline"]}
    data["facts"] = [fact | {"evidence": [{"article": e["article"], "source": e["source"], "sentence": e["sentence"]}
                                          for e in fact["evidence"]]} for fact in data["facts"]]
    data["quotes"] = [a for a in data["attributions"] if a["kind"] == "quote"]
    return data
