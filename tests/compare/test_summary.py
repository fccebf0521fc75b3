"""The summary: the main event first, each sentence verbatim from its outlet."""

from __future__ import annotations

import json

from ..conftest import STORIES_DEV
from .helpers import article


def story_articles(set_name: str, story: str):
    with open(STORIES_DEV / f"{set_name}.jsonl", encoding="utf-8") as lines:
        rows = [row for row in map(json.loads, lines) if row["story"] == story]
    return [article(row["id"], row.get("source") or f"outlet {n}", row["text"], row.get("date") or None,
                    title=row["title"]) for n, row in enumerate(rows)]


def test_the_main_event_is_the_claim_closest_to_the_headlines(comparer):
    """allsides-train-1163: three outlets on Giuliani's press conference; one opens with "What a
    hot mess." — the summary opens with the press conference, not with that."""
    articles = story_articles("allsides", "allsides-train-1163")
    summary = comparer.compare(articles).summary
    assert "press conference" in summary[0].text
    texts = {a.id: a.text for a in articles}
    assert all(s.text in texts[s.article] for s in summary)


def test_every_summary_sentence_stands_on_its_own(comparer):
    """allsides-train-865: one outlet opens "It's about the economy. And it's about his
    reelection. Because for Trump and his team, the issues are interlinked." — fragments of an
    argument, not sentences a summary can quote alone."""
    summary = comparer.compare(story_articles("allsides", "allsides-train-865")).summary
    assert summary
    assert not any(s.text.startswith(("And ", "Because ", "It’s about the economy")) for s in summary)
    assert all(len(s.text.split()) >= 8 for s in summary)
