"""Compare: what the outlets of a story agree on, what only one says, where they differ, and
whom they cite — every statement traced to the words and outlet it came from.

The steps, one module each:

1. ``claims``: each article cut into the claims it makes, with offsets; debris set aside.
2. ``entities``: the story's people, places and organisations, one each whatever the spelling.
3. ``align``: claims of different articles that state the same thing grouped into rows.
4. ``conflicts``: detectors (numbers, times, dates, places, roles, quotes) find frames that
   independent outlets give incompatible values.
5. ``status``: corroborated / single_source / contested per row, with its reason as data.
6. ``attribution``: who each outlet cites for each claim.
7. ``summary`` and ``timeline``.

``Comparer.compare(articles)`` runs them on a story's stored articles and returns a
``Comparison``. The same articles give the same table every time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError
from ..models import outlet_name as outlet_of
from ..models import Attribution, ClaimRow, Entity, StoredArticle, SummarySentence, TimelineEntry
from .align import AlignConfig, PairModel, detail_rows, fold_repeats, group, similarity
from .attribution import attribute, attributions
from .claims import Claim, SetAside, article_claims
from .conflicts import StoryContext, find_conflicts
from .entities import EntityTable
from .sentences import SentenceVectors, encoder_with, lookup
from .status import aligned_row, contested_row, detail_row
from .summary import summarise
from .timeline import timeline

__all__ = ["Comparer", "CompareConfig", "Comparison", "SentenceVectors", "headline", "independent_origins",
           "outlet_name"]

STATUS_ORDER = {"contested": 0, "corroborated": 1, "single_source": 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class CompareConfig:
    """``align``: how claims are matched; ``summary_sentences``: length of the summary."""

    align: AlignConfig = field(default_factory=AlignConfig)
    summary_sentences: int = 6

    def __post_init__(self):
        if self.summary_sentences < 1:
            raise ConfigError("summary_sentences must be at least 1", "use the default 6")


@dataclass(frozen=True, slots=True)
class Comparison:
    headline: str
    claims: tuple[ClaimRow, ...] = ()
    attributions: tuple[Attribution, ...] = ()
    summary: tuple[SummarySentence, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    entities: tuple[Entity, ...] = ()
    set_aside: tuple[SetAside, ...] = ()


class Comparer:
    """Compares the articles of a story. Holds the sentence encoder, loaded once and injected
    (a server makes one Comparer and reuses it)."""

    def __init__(self, config: CompareConfig | None = None, *, embedder=None, aligner: PairModel | None = None):
        self.config = config or CompareConfig()
        self._embedder = embedder
        self.aligner = aligner or PairModel.shipped()

    @property
    def embedder(self):
        if self._embedder is None:
            from ..cluster import Embedder

            self._embedder = Embedder()
        return self._embedder

    def compare(self, articles: list[StoredArticle], sentence_vectors: dict | None = None) -> Comparison:
        """Compare a story's articles; ``sentence_vectors`` (article id → ``SentenceVectors``,
        as ingest stored them) spare encoding their sentences again."""
        if not articles:
            return Comparison(headline="")
        claims, set_aside, table = story_claims(articles)
        config = self.config.align
        encode = self.embedder.encode
        if sentence_vectors:
            encode = encoder_with(lookup({a.id: a.text for a in articles}, sentence_vectors), encode)
        score, fitted = similarity(claims, encode, table, config, self.aligner)
        repeats = fold_repeats(claims, score, config)
        groups = group(claims, score, config, set(repeats), fitted)
        rows_of: dict[int, frozenset[int]] = {}  # a claim → its rows (two when it is shared)
        for n, members in enumerate(groups):
            for index in members:
                rows_of[index] = rows_of.get(index, frozenset()) | {n}
        for repeat, first in repeats.items():
            rows_of[repeat] = rows_of[first]
        cited = attribute(claims, table)
        context = StoryContext(table, tuple(dict.fromkeys(c.sentence for c in claims)))
        disputes = find_conflicts(claims, score, rows_of, context, config.dispute)
        details = detail_rows(claims, score, rows_of, config, set(repeats))
        rows = self._table(claims, groups, details, disputes, score, cited)
        return Comparison(
            headline=headline(articles, self.embedder),
            claims=tuple(rows),
            attributions=tuple(attributions(claims, cited)),
            summary=tuple(summarise(rows, self.embedder.encode, self.config.summary_sentences,
                                    [a.title for a in articles if a.title])),
            timeline=tuple(timeline(rows, {a.id: a.published for a in articles})),
            entities=tuple(table.entities()),
            set_aside=tuple(set_aside),
        )

    def _table(self, claims, groups, details, disputes, score, cited) -> list[ClaimRow]:
        threshold = self.config.align.threshold
        aligned = [aligned_row("", [claims[i] for i in members], claims, score, cited, threshold) for members in groups]
        shared = [detail_row("", key, [(claims[i], start, end) for i, start, end in members], cited)
                  for key, members in details]
        # a single-source claim that a detector disputes is shown once, as the contested row
        disputed = {c.index for g in disputes for _, side, _ in g.sides for c in side}
        kept = [(row, members) for row, members in zip(aligned, groups)
                if not (row.status == "single_source" and set(members) <= disputed)]
        taken = {row.text for row, _ in kept}
        contested = []
        for dispute in disputes:
            row = contested_row("", dispute, cited, taken)
            taken.add(row.text)
            contested.append(row)
        rows = contested + [row for row, _ in kept] + shared
        rows = _distinct_texts(rows)
        rows.sort(key=lambda r: (STATUS_ORDER[r.status], -r.origins, min((e.article, e.start) for e in r.evidence)))
        return [_with_id(row, f"c{n}") for n, row in enumerate(rows, start=1)]


def _with_id(row: ClaimRow, row_id: str) -> ClaimRow:
    from dataclasses import replace

    return replace(row, id=row_id)


def _distinct_texts(rows: list[ClaimRow]) -> list[ClaimRow]:
    """No two rows with the same text: a later row shows another outlet's wording of its own,
    or is folded away when it has none."""
    from dataclasses import replace

    taken: set[str] = set()
    result = []
    for row in rows:
        if row.text in taken:
            other = next((e.text for e in row.evidence if e.text not in taken), None)
            if other is None:
                continue
            row = replace(row, text=other)
        taken.add(row.text)
        result.append(row)
    return result


def story_claims(articles: list[StoredArticle]) -> tuple[list[Claim], list[SetAside], EntityTable]:
    """The claims of a story's articles (numbered across the story), what was set aside as
    debris, and the story's entity table."""
    origins = independent_origins(articles)
    claims: list[Claim] = []
    set_aside: list[SetAside] = []
    for article in articles:
        found, aside = article_claims(article, outlet_name(article), origins[article.id], len(claims))
        claims += found
        set_aside += aside
    return claims, set_aside, EntityTable.build([(c.article, c.sentence) for c in claims])


def outlet_name(article: StoredArticle) -> str:
    """The outlet of an article as shown: its source, else 'unknown outlet (file name)'."""
    return outlet_of(article.source, article.id)


def independent_origins(articles: list[StoredArticle]) -> dict[str, str]:
    """Each article's independent origin: copies share their original's; one outlet is one origin."""
    by_id = {a.id: a for a in articles}
    result = {}
    for article in articles:
        root = article
        for _ in range(len(articles)):
            if not root.duplicate_of or root.duplicate_of not in by_id:
                break
            root = by_id[root.duplicate_of]
        result[article.id] = f"outlet:{root.source}" if root.source else f"article:{root.id}"
    return result


def headline(articles: list[StoredArticle], embedder) -> str:
    """An outlet's own title: the one closest to the others (the shortest of one or two)."""
    titles = [a.title for a in articles if a.title]
    if len(titles) <= 2:
        return min(titles, key=len) if titles else ""
    vectors = embedder.encode(titles)
    return titles[int(np.argmax((vectors @ vectors.T).sum(axis=1)))]
