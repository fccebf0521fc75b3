"""Outlet boilerplate: a paragraph an outlet repeats on enough of its articles leaves its later
articles, with the reason; other outlets and the article's own text are untouched."""

from __future__ import annotations

import pytest

from newsloom.clean import content_hash
from newsloom.errors import ConfigError
from newsloom.models import Article
from newsloom.outletlines import OutletLines, OutletLinesConfig
from newsloom.store import Store, StoreLineCounts

PROMPT = "Subscribe to the Valley Gazette for all the news from the valley, delivered every morning."


def article(i: int, source: str | None, body: str) -> Article:
    text = f"{body}\n\n{PROMPT}"
    return Article(id=f"a{i}", origin="test", title=f"Title {i}", text=text, content_hash=content_hash(text),
                   source=source)


@pytest.fixture
def outlet_lines():
    store = Store(":memory:")
    yield OutletLines(StoreLineCounts(store), OutletLinesConfig(min_articles=3))
    store.close()


def test_a_repeated_paragraph_leaves_the_outlets_later_articles(outlet_lines):
    bodies = [f"The council met on day {i} and voted on the budget for the coming year." for i in range(5)]
    results = [outlet_lines.filter(article(i, "Valley Gazette", body)) for i, body in enumerate(bodies)]
    assert all(PROMPT in r.text for r in results[:3]), "seen in fewer than 3 earlier articles: kept"
    for result, body in zip(results[3:], bodies[3:]):
        assert result.text == body and result.content_hash == content_hash(body)
        (dropped,) = result.dropped
        assert dropped.text == PROMPT and dropped.reason.startswith("outlet boilerplate: seen in ")
    assert PROMPT in outlet_lines.filter(article(9, "Other Outlet", "A different story altogether.")).text


def test_an_article_without_an_outlet_or_only_boilerplate_is_kept_whole(outlet_lines):
    for i in range(4):
        outlet_lines.filter(article(i, "Valley Gazette", f"Body {i}."))
    alone = Article(id="x", origin="test", title="t", text=PROMPT, content_hash=content_hash(PROMPT),
                    source="Valley Gazette")
    assert outlet_lines.filter(alone) == alone, "nothing would be left: the article stays as it was"
    unnamed = article(10, None, "Body.")
    assert outlet_lines.filter(unnamed) is unnamed


def test_config_names_the_fix():
    with pytest.raises(ConfigError, match="use 2 or more"):
        OutletLinesConfig(min_articles=1)
