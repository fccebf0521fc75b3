"""Outlet boilerplate: lines an outlet repeats on many of its articles.

A subscription prompt, a "You must enter the characters…" form, the same "Related News"
block: text that recurs across several articles of one outlet is that outlet's boilerplate,
whatever it looks like. ``OutletLines`` counts, per outlet, in how many articles each
paragraph occurred (counts kept in an injected ``LineCounts``: the store's, from
``Store.line_counts()``); once a paragraph has been seen in ``min_articles`` articles of the outlet it is
removed from that outlet's later articles, and the removal keeps its reason.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Protocol

from .clean import content_hash
from .errors import ConfigError
from .models import Article, DroppedLine


@dataclass(frozen=True, slots=True, kw_only=True)
class OutletLinesConfig:
    """``min_articles``: in how many articles of one outlet a paragraph must have been seen
    before it counts as that outlet's boilerplate."""

    min_articles: int = 3

    def __post_init__(self):
        if self.min_articles < 2:
            raise ConfigError(f"min_articles={self.min_articles} would remove every paragraph seen twice",
                              "use 2 or more (default 3)")


class LineCounts(Protocol):
    """In how many articles of an outlet each paragraph (by key) has been seen."""

    def seen(self, source: str, keys: list[str]) -> dict[str, int]: ...
    def add(self, source: str, keys: list[str]) -> None: ...


def _key(paragraph: str) -> str:
    return hashlib.sha1(" ".join(paragraph.casefold().split()).encode()).hexdigest()[:20]


class OutletLines:
    def __init__(self, counts: LineCounts, config: OutletLinesConfig | None = None):
        self.counts = counts
        self.config = config or OutletLinesConfig()

    def filter(self, article: Article) -> Article:
        """Remove the outlet's known boilerplate from an article, then count its paragraphs."""
        if not article.source:
            return article
        paragraphs = [p for p in article.text.split("\n\n") if p.strip()]
        keys = [_key(p) for p in paragraphs]
        seen = self.counts.seen(article.source, sorted(set(keys)))
        self.counts.add(article.source, sorted(set(keys)))
        kept, dropped = [], []
        for paragraph, key in zip(paragraphs, keys):
            if seen[key] >= self.config.min_articles:
                dropped.append(DroppedLine(0, paragraph, f"outlet boilerplate: seen in {seen[key]} earlier "
                                                         f"articles of {article.source}"))
            else:
                kept.append(paragraph)
        if not dropped or not kept:
            return article
        text = "\n\n".join(kept)
        return dataclasses.replace(article, text=text, content_hash=content_hash(text),
                                   dropped=article.dropped + tuple(dropped))
