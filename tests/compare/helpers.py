"""Articles for the compare tests: real sentences from the seeds and the shared dev sets."""

from __future__ import annotations

from newsloom.models import StoredArticle


def article(id: str, source: str | None, text: str, published: str | None = None, title: str = "",
            duplicate_of: str | None = None) -> StoredArticle:
    return StoredArticle(id=id, origin="test", title=title or id, text=text, content_hash="", source=source,
                         published=published, duplicate_of=duplicate_of)
