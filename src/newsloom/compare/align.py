"""Align: which claims of a story's articles state the same thing.

Two claims of different articles are scored by how alike they are: the cosine of their
sentence-encoder vectors (paraphrase: "a landmark visit to Beijing soon" / "may visit China
next month"), the share of content words they have in common, the story entities both name
and the specific figures both give (a clock time, "30 officers"). Claims are then grouped into
rows, most similar pairs first: a row takes at most one claim of each article, and two rows
join only when their claims are alike on average and none is far from the others. A claim an
article repeats (a lead restated lower down) folds into its first statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .claims import Claim
from .conflicts.numbers import counts
from .words import content_words

_FIGURE = re.compile(r"\b\d{1,2}:\d\d\b|\b\d+(?:[.,]\d+)*\b")


def figures(text: str) -> frozenset[str]:
    """The specific figures of a claim: clock times, counts by what they count, numbers of two
    digits or more that are not years."""
    found = {f"{what}={value}" for what, values in counts(text).items() for value in values}
    for token in _FIGURE.findall(text):
        if ":" in token or (len(token) >= 2 and not re.fullmatch(r"(?:19|20)\d\d", token)):
            found.add(token.replace(",", ""))
    return frozenset(found)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlignConfig:
    """``threshold``: score at which two claims state the same thing; ``floor``: no member of a
    row may score below this with another; weights of the encoder cosine, word overlap and
    entity overlap; ``figure_bonus`` for a shared specific figure; ``repeat``: score at which an
    article's claim restates one of its own earlier claims; ``part_weight``: how much the best
    pair of parts (a claim cut at its commas) counts against the claims as wholes, so a detail
    stated inside two long sentences ("the chase covered 30 miles") is found; ``grow_margin``: how
    much more a third outlet's wording must score to join a row of two (a related but different
    statement must not ride along); ``dispute``: score at which two claims of different rows are
    alike enough for a conflict detector to compare their values."""

    threshold: float = 0.5
    floor: float = 0.3
    encoder_weight: float = 0.5
    words_weight: float = 0.35
    entities_weight: float = 0.15
    figure_bonus: float = 0.1
    repeat: float = 0.8
    part_weight: float = 0.5
    grow_margin: float = 0.15
    dispute: float = 0.5

    def __post_init__(self):
        from ..errors import ConfigError

        if not 0 < self.floor <= self.threshold < 1:
            raise ConfigError(f"floor={self.floor}, threshold={self.threshold}: need 0 < floor <= threshold < 1",
                              "use the defaults 0.3 and 0.5")
        if abs(self.encoder_weight + self.words_weight + self.entities_weight - 1) > 1e-6:
            raise ConfigError("the encoder, words and entities weights must add up to 1", "use 0.5, 0.35, 0.15")


_PART_BREAK = re.compile(r",\s+|\s+(?:and|but|while|after|before|when|because)\s+|\s+[—–-]\s+|\s*\(|\)\s*")


PART_MIN_WORDS = 10


def parts(text: str) -> list[str]:
    """A long claim cut at its commas and joining words, parts of three content words or more
    (a claim of fewer than ``PART_MIN_WORDS`` words is its only part)."""
    if len(text.split()) < PART_MIN_WORDS:
        return []
    pieces = [p for p in _PART_BREAK.split(text) if p and len(content_words(p)) >= 3]
    return pieces if len(pieces) > 1 else []


def similarity(claims: list[Claim], encode, entity_table, config: AlignConfig) -> np.ndarray:
    """Pairwise scores of the claims (symmetric, 1 on the diagonal): the score of the claims as
    wholes, raised towards the score of their best pair of parts."""
    n = len(claims)
    if not n:
        return np.zeros((0, 0))
    units, owner = [], []
    for claim in claims:
        for unit in (claim.text, *parts(claim.text)):
            units.append(unit)
            owner.append(claim.index - claims[0].index)
    owner = np.array(owner)
    whole = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    unit_score = _scores(units, encode(units), [entity_table.in_text(u) for u in units], config)
    claim_score = unit_score[np.ix_(whole, whole)]
    best_part = np.maximum.reduceat(np.maximum.reduceat(unit_score, whole, axis=0), whole, axis=1)
    score = np.maximum(claim_score, (1 - config.part_weight) * claim_score + config.part_weight * best_part)
    np.fill_diagonal(score, 1.0)
    return score


def _scores(texts: list[str], vectors: np.ndarray, entities: list[frozenset[str]], config: AlignConfig) -> np.ndarray:
    from scipy import sparse

    n = len(texts)

    def incidence(sets: list[frozenset[str]]):
        vocabulary: dict[str, int] = {}
        rows, cols = [], []
        for i, items in enumerate(sets):
            for item in items:
                rows.append(i)
                cols.append(vocabulary.setdefault(item, len(vocabulary)))
        matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                                   shape=(n, max(len(vocabulary), 1)))
        return matrix, np.asarray(matrix.sum(axis=1), dtype=np.float32).ravel()

    words, word_sizes = incidence([content_words(t) for t in texts])
    common = (words @ words.T).toarray()
    overlap = common / np.maximum(np.minimum.outer(word_sizes, word_sizes), 5)
    names, name_sizes = incidence(entities)
    shared = (names @ names.T).toarray()
    union = np.add.outer(name_sizes, name_sizes) - shared
    entity = shared / np.maximum(union, 1)
    numbers, _ = incidence([figures(t) for t in texts])
    shares_figure = (numbers @ numbers.T).toarray() > 0
    dense = np.clip(vectors.astype(np.float32) @ vectors.T.astype(np.float32), 0, 1)
    return (config.encoder_weight * dense + config.words_weight * overlap + config.entities_weight * entity
            + config.figure_bonus * shares_figure)


def fold_repeats(claims: list[Claim], score: np.ndarray, config: AlignConfig) -> dict[int, int]:
    """claim index → the earlier claim of the same article it restates."""
    repeats: dict[int, int] = {}
    for i, claim in enumerate(claims):
        for j in range(i):
            if claims[j].article == claim.article and j not in repeats and score[i, j] >= config.repeat:
                repeats[i] = j
                break
    return repeats


def group(claims: list[Claim], score: np.ndarray, config: AlignConfig, skip: set[int]) -> list[list[int]]:
    """Rows of claim indices. Between each two articles the claims are paired one to one so
    that the pairs' total score is highest (a claim pairs with the wording that fits it best
    overall, not the first that scores well); pairs at or above ``threshold`` are then joined
    into rows, best first: a row takes one claim per article, and two rows join when their
    cross pairs average at least ``threshold`` and none is below ``floor``."""
    from scipy.optimize import linear_sum_assignment

    n = len(claims)
    articles = [c.article for c in claims]
    by_article: dict[str, list[int]] = {}
    for i in range(n):
        if i not in skip:
            by_article.setdefault(articles[i], []).append(i)
    links = []
    names = list(by_article)
    for x, first in enumerate(names):
        for second in names[x + 1:]:
            left, right = by_article[first], by_article[second]
            block = score[np.ix_(left, right)]
            # only pairs at or above the threshold count: a weak pair must not win a claim
            # away from the pair that states the same thing
            gain = np.maximum(block - config.threshold, 0.0)
            for r, c in zip(*linear_sum_assignment(gain, maximize=True)):
                if block[r, c] >= config.threshold:
                    links.append((float(block[r, c]), left[r], right[c]))
    row_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n) if i not in skip}
    for _, i, j in sorted(links, reverse=True):
        a, b = row_of[i], row_of[j]
        if a == b:
            continue
        left, right = members[a], members[b]
        if {articles[k] for k in left} & {articles[k] for k in right}:
            continue
        cross = score[np.ix_(left, right)]
        needed = config.threshold + (config.grow_margin if len(left) + len(right) > 2 else 0.0)
        if cross.mean() < needed or cross.min() < config.floor:
            continue
        keep, gone = (a, b) if len(left) >= len(right) else (b, a)
        members[keep] = sorted(members[keep] + members.pop(gone))
        for k in members[keep]:
            row_of[k] = keep
    return sorted(members.values(), key=lambda row: row[0])


_MONTH_DAY = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})\b", re.I)
_MONEY = re.compile(r"\$\s?(\d[\d,.]*)\s*(million|billion|thousand)?", re.I)


def details(text: str) -> dict[str, str]:
    """The specific details a claim gives, each with the words that give it: exact counts by
    what they count, ages of named people, clock times, days of a month, sums of money."""
    from .conflicts.numbers import quantities
    from .conflicts.times import clock_times

    found: dict[str, str] = {}
    for key, bound, value, phrase in quantities(text):
        if bound == "=" and (value >= 2 or key.startswith("age of")):
            found.setdefault(f"{key}={value:g}", phrase)
    for kind, minutes, phrase in clock_times(text):
        if kind == "at":
            found.setdefault(f"time={minutes}", phrase)
    for match in _MONTH_DAY.finditer(text):
        found.setdefault(f"day={match.group(1).lower()[:3]}-{int(match.group(2))}", match.group(0))
    for match in _MONEY.finditer(text):
        found.setdefault(f"money={match.group(1).replace(',', '')}{(match.group(2) or '').lower()}", match.group(0))
    return found


def part_around(text: str, phrase: str) -> tuple[int, int]:
    """Offsets in ``text`` of the comma-delimited part that holds ``phrase`` (the whole text when
    the phrase is not found)."""
    at = text.find(phrase)
    if at < 0:
        return 0, len(text)
    start = max(text.rfind(", ", 0, at), text.rfind("; ", 0, at))
    start = 0 if start < 0 else start + 2
    end = min([i for i in (text.find(", ", at + len(phrase)), text.find("; ", at + len(phrase))) if i >= 0],
              default=len(text))
    if len(text[start:end].split()) < 4:
        return 0, len(text)
    return start, end


def detail_rows(claims: list[Claim], score: np.ndarray, row_of: dict[int, int], config: AlignConfig,
                skip: set[int]) -> list[tuple[str, list[tuple[int, int, int]]]]:
    """Details that claims of different origins share outside their rows ("LaCalamita, 38," and
    "Anthony LaCalamita, 38, of Ann Arbor" in two otherwise different sentences): per shared
    detail, (key, [(claim index, start, end of the part that gives it)]), one claim per article."""
    by_key: dict[str, list[tuple[int, str]]] = {}
    for claim in claims:
        if claim.index in skip:
            continue
        for key, phrase in details(claim.text).items():
            by_key.setdefault(key, []).append((claim.index, phrase))
    offset = 0  # claim indices are positions in ``claims``
    rows = []
    for key, items in by_key.items():
        chosen: list[tuple[int, str]] = []
        for index, phrase in items:
            claim = claims[index - offset]
            if any(claims[i - offset].article == claim.article for i, _ in chosen):
                continue
            if chosen and score[chosen[0][0] - offset, index - offset] < config.floor:
                continue
            chosen.append((index, phrase))
        origins = {claims[i - offset].origin for i, _ in chosen}
        if len(origins) < 2 or len({row_of.get(i - offset) for i, _ in chosen}) == 1:
            continue  # one origin, or already one row that states it
        members = []
        for index, phrase in chosen:
            start, end = part_around(claims[index - offset].text, phrase)
            members.append((index, start, end))
        rows.append((key, members))
    return rows
