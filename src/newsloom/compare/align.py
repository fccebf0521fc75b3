"""Align: which claims of a story's articles state the same thing.

Two claims of different articles are scored by how alike they are: the cosine of their
sentence-encoder vectors (paraphrase: "a landmark visit to Beijing soon" / "may visit China
next month"), the share of content words they have in common, the story entities both name
and the specific figures both give (a clock time, "30 officers"). Claims are then grouped into
rows, most similar pairs first: a row takes at most one claim of each article, and two rows
join only when their claims are alike on average and none is far from the others. A claim an
article repeats (a lead restated lower down) folds into its first statement.

The claims still alone after that get a second chance from a fitted model (``PairModel``,
``models/claim_aligner.json``): a logistic combination of that score with signals that see past
the topic and the wording — the encoder cosine once the story's mean vector is taken out, the
rare words two claims share with near-synonyms counted ("slain"/"killed"), and whether both are
among their article's first claims. What the first pass paired stays as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..words import STOP_WORDS
from .claims import Claim
from .conflicts.numbers import by_surname, counts
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
    alike enough for a conflict detector to compare their values; ``second_threshold``: the
    fitted model's probability at which two claims left alone state the same thing;
    ``share_margin``: how much more than either threshold a claim still alone must score with a
    wording already in another row to share it (a row of two of its own)."""

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
    second_threshold: float = 0.6
    share_margin: float = 0.2

    def __post_init__(self):
        from ..errors import ConfigError

        if not 0 < self.floor <= self.threshold < 1:
            raise ConfigError(f"floor={self.floor}, threshold={self.threshold}: need 0 < floor <= threshold < 1",
                              "use the defaults 0.3 and 0.5")
        if not 0 <= self.share_margin < 1:
            raise ConfigError(f"share_margin={self.share_margin} is outside [0, 1)", "use the default 0.2")
        if not 0 < self.second_threshold < 1:
            raise ConfigError(f"second_threshold={self.second_threshold} is not a probability", "use the default 0.6")
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


SIGNALS = ("match", "centered", "soft_f", "soft_cover", "lead", "lead_both")
MODEL_KIND = "newsloom claim aligner"
MODEL_FORMAT = 1
SOFT_WORD = 0.6  # two words whose encoder cosine reaches this count as the same word ("slain"/"killed")
LEAD = 3  # an article's first claims: where every outlet states the main event


@dataclass(frozen=True, slots=True)
class PairModel:
    """How likely two claims of different articles state the same thing: a logistic combination
    of named signals (``SIGNALS``), fitted by ``benchmarks/fit_aligner.py`` on the fit half of the
    labelled claim set and shipped as JSON (``models/claim_aligner.json``)."""

    weights: dict[str, float]
    intercept: float

    @staticmethod
    def shipped() -> PairModel:
        from importlib.resources import files

        path = files("newsloom") / "models" / "claim_aligner.json"
        return PairModel.from_json(path.read_bytes(), str(path))

    @staticmethod
    def from_json(data: bytes, where: str) -> PairModel:
        import math

        from .. import modelfile
        from ..errors import ConfigError

        fix = "refit it with benchmarks/fit_aligner.py --out, or reinstall newsloom"
        meta = modelfile.check(modelfile.read_json(data, where, fix), MODEL_KIND, MODEL_FORMAT, SIGNALS, where, fix)
        try:
            weights = {s: float(meta["weights"][s]) for s in SIGNALS}
            intercept = float(meta["intercept"])
        except (KeyError, TypeError, ValueError) as error:
            raise ConfigError(f"{where} lacks a weight or the intercept ({error!r})", fix) from None
        if not all(map(math.isfinite, [*weights.values(), intercept])):
            raise ConfigError(f"{where} has a weight that is not a number", fix)
        return PairModel(weights, intercept)

    def to_json(self, fitted_on: str) -> str:
        import json

        from .. import modelfile

        return json.dumps(modelfile.header(MODEL_KIND, MODEL_FORMAT, SIGNALS, fitted_on=fitted_on)
                          | {"weights": self.weights, "intercept": self.intercept}, indent=2) + "\n"

    def score(self, signals: dict[str, np.ndarray]) -> np.ndarray:
        z = self.intercept + sum(self.weights[name] * signals[name] for name in SIGNALS)
        return 1.0 / (1.0 + np.exp(-z))


def article_positions(claims: list[Claim]) -> np.ndarray:
    """Each claim's rank in its article (0 for the first)."""
    seen: dict[str, int] = {}
    ranks = []
    for claim in claims:
        ranks.append(seen.get(claim.article, 0))
        seen[claim.article] = ranks[-1] + 1
    return np.array(ranks)


def claim_signals(claims: list[Claim], encode, entity_table, config: AlignConfig) -> dict[str, np.ndarray]:
    """The named signals of every pair of a story's claims (as ``similarity`` computes them)."""
    texts = [c.text for c in claims]
    vectors = encode(texts)
    match = _scores(texts, vectors, [entity_table.in_text(t) for t in texts], config)
    return signals(texts, vectors, match, article_positions(claims), encode)


def signals(texts: list[str], vectors: np.ndarray, match: np.ndarray, positions: np.ndarray,
            encode) -> dict[str, np.ndarray]:
    """The named signals of every pair of claims (``SIGNALS``): ``match``, the hand-weighted mix
    of encoder cosine, shared words, entities and figures (given); ``centered``, the encoder
    cosine once what the whole story is about (the mean vector) is taken out, so two sentences
    on the same topic but different facts fall apart; ``soft_f`` and ``soft_cover``, the share of
    rare words the two have in common, a word matching its near-synonyms (``soft_overlap``);
    ``lead`` / ``lead_both``, one or both among the first claims of their article."""
    centered = vectors - vectors.mean(axis=0, keepdims=True)
    centered /= np.maximum(np.linalg.norm(centered, axis=1, keepdims=True), 1e-9)
    soft_f, soft_cover = soft_overlap(texts, encode)
    first = positions < LEAD
    return {
        "match": match,
        "centered": np.clip(centered @ centered.T, 0, 1),
        "soft_f": soft_f,
        "soft_cover": soft_cover,
        "lead": np.logical_or.outer(first, first).astype(np.float32),
        "lead_both": np.logical_and.outer(first, first).astype(np.float32),
    }


def soft_overlap(texts: list[str], encode) -> tuple[np.ndarray, np.ndarray]:
    """How much of two texts' words the other states too, each word weighted by its rarity in
    English (wordfreq) and in the story, a word matching any word of the other whose encoder
    cosine reaches ``SOFT_WORD`` (numbers match only themselves). Returns the F-measure of the
    two directions and the larger of them."""
    incidence, names = _incidence([rare_words(t) for t in texts])
    n = len(texts)
    alike = _similar_words(names, encode)
    df = np.asarray((incidence > 0).sum(axis=0), dtype=np.float32).ravel()
    documents_n = max(n, 2)
    weight = np.array([_rarity(w) for w in names] or [0.0], dtype=np.float32) \
        * np.log1p(documents_n / np.maximum(df, 1)) / np.log1p(documents_n)
    covered = incidence @ alike
    covered.data[:] = 1.0  # text i has a word alike vocabulary word v
    weighted = incidence.multiply(weight[None, :]).tocsr()
    matched = (covered @ weighted.T).toarray()  # [i, j]: weight of j's words that i states too
    total = np.maximum(np.asarray(weighted.sum(axis=1)).ravel(), 1e-6)
    recall = matched / total[None, :]
    precision = recall.T
    f = 2 * recall * precision / np.maximum(recall + precision, 1e-9)
    return f.astype(np.float32), np.maximum(recall, precision).astype(np.float32)


_RARE_WORD = re.compile(r"[^\W\d_][\w'’-]+|\d[\d,.:]*\d|\d", re.U)


def _incidence(sets: list[frozenset[str]]):
    """A sparse 0/1 matrix (one row per set, one column per item) and its column names."""
    from scipy import sparse

    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for i, items in enumerate(sets):
        for item in sorted(items):
            rows.append(i)
            cols.append(vocabulary.setdefault(item, len(vocabulary)))
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                               shape=(len(sets), max(len(vocabulary), 1)))
    return matrix, list(vocabulary)


def rare_words(text: str) -> frozenset[str]:
    """The words of a text that can say what it is about: not stop words, numbers kept."""
    found = set()
    for word in _RARE_WORD.findall(text.lower().replace("’", "'")):
        word = re.sub(r"'s$", "", word)
        if word in STOP_WORDS or (len(word) < 3 and not word[0].isdigit()):
            continue
        found.add(word.replace(",", ""))
    return frozenset(found)


def _rarity(word: str) -> float:
    """Weight of a word: rarer in English weighs more; a number weighs as a rare word."""
    from wordfreq import zipf_frequency

    return 4.0 if word[0].isdigit() else max(0.5, 7.0 - zipf_frequency(word, "en"))


def _similar_words(words: list[str], encode, block: int = 2048):
    """A sparse 0/1 matrix: which words of the vocabulary count as the same (cosine ≥ ``SOFT_WORD``,
    or the same first six letters; numbers only themselves)."""
    from scipy import sparse

    n = len(words)
    if not n:
        return sparse.csr_matrix((1, 1), dtype=np.float32)
    vectors = encode(words)
    stems = np.array([w[:6] for w in words])
    numeric = np.array([w[0].isdigit() for w in words])
    rows, cols = [], []
    for start in range(0, n, block):
        part = slice(start, min(start + block, n))
        alike = (vectors[part] @ vectors.T >= SOFT_WORD) | (stems[part, None] == stems[None, :])
        alike &= ~(numeric[part, None] | numeric[None, :])
        alike[np.arange(part.stop - part.start), np.arange(part.start, part.stop)] = True
        r, c = np.nonzero(alike)
        rows.append(r + start)
        cols.append(c)
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sparse.csr_matrix((np.ones(len(r), dtype=np.float32), (r, c)), shape=(n, n))


def similarity(claims: list[Claim], encode, entity_table, config: AlignConfig,
               model: PairModel) -> tuple[np.ndarray, np.ndarray]:
    """Two pairwise scores of the claims (symmetric, 1 on the diagonal): the hand-weighted score
    of the claims as wholes, raised towards the score of their best pair of parts; and the
    fitted model's score of the claims as wholes."""
    n = len(claims)
    if not n:
        return np.zeros((0, 0)), np.zeros((0, 0))
    units, owner = [], []
    for claim in claims:
        for unit in (claim.text, *parts(claim.text)):
            units.append(unit)
            owner.append(claim.index - claims[0].index)
    owner = np.array(owner)
    whole = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    vectors = encode(units)
    unit_score = _scores(units, vectors, [entity_table.in_text(u) for u in units], config)
    claim_score = unit_score[np.ix_(whole, whole)]
    best_part = np.maximum.reduceat(np.maximum.reduceat(unit_score, whole, axis=0), whole, axis=1)
    score = np.maximum(claim_score, (1 - config.part_weight) * claim_score + config.part_weight * best_part)
    np.fill_diagonal(score, 1.0)
    fitted = model.score(signals([c.text for c in claims], vectors[whole], claim_score, article_positions(claims),
                                 encode))
    np.fill_diagonal(fitted, 1.0)
    return score, fitted


def _scores(texts: list[str], vectors: np.ndarray, entities: list[frozenset[str]], config: AlignConfig) -> np.ndarray:
    def incidence(sets: list[frozenset[str]]):
        matrix, _ = _incidence(sets)
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
    """claim index → the earlier claim of the same article it restates (in other words, or word
    for word: a page that prints a paragraph twice)."""
    repeats: dict[int, int] = {}
    for i, claim in enumerate(claims):
        for j in range(i):
            if claims[j].article == claim.article and j not in repeats and (
                    score[i, j] >= config.repeat or claims[j].text.lower() == claim.text.lower()):
                repeats[i] = j
                break
    return repeats


def group(claims: list[Claim], score: np.ndarray, config: AlignConfig, skip: set[int],
          second: np.ndarray | None = None) -> list[list[int]]:
    """Rows of claim indices. Between each two articles the claims are paired one to one so
    that the pairs' total score is highest (a claim pairs with the wording that fits it best
    overall, not the first that scores well); pairs at or above ``threshold`` are then joined
    into rows, best first: a row takes one claim per article, and two rows join when their
    cross pairs average at least ``threshold`` and none is below ``floor``. With ``second``
    (the fitted pair model's scores), the claims still alone are then paired the same way on
    it, at ``second_threshold``: what the hand-weighted score paired stays as it is."""
    n = len(claims)
    articles = [c.article for c in claims]
    row_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n) if i not in skip}
    _join(_links(articles, score, [i for i in range(n) if i not in skip], config.threshold), members, row_of,
          articles, score, config, config.threshold)
    if second is not None:
        alone = [row[0] for row in members.values() if len(row) == 1]
        _join(_links(articles, second, alone, config.second_threshold), members, row_of, articles, second, config,
              config.second_threshold)
    rows = _shared(list(members.values()), articles, score, second, config)
    return sorted(rows, key=lambda row: row[0])


def _shared(rows: list[list[int]], articles: list[str], score: np.ndarray, second: np.ndarray | None,
            config: AlignConfig) -> list[list[int]]:
    """The rows, each claim still alone whose best match in another article was already paired
    with a claim it fits better in a row of two with that wording instead: a long sentence of
    one outlet can state two facts another outlet states apart ("transported the victims to
    local hospitals" / "Chapman … died at a hospital"); that wording then stands in two rows."""
    paired = np.zeros(len(articles), dtype=bool)
    for row in rows:
        paired[row] = len(row) > 1
    eligible = score >= config.threshold + config.share_margin
    if second is not None:
        eligible |= second >= config.second_threshold + config.share_margin
    strength = score if second is None else second
    result = []
    for row in rows:
        candidates = [j for j in np.flatnonzero(eligible[row[0]] & paired) if articles[j] != articles[row[0]]] \
            if len(row) == 1 else []
        if candidates:
            best = max(candidates, key=lambda j: (strength[row[0], j], -j))
            row = sorted([row[0], int(best)])
        result.append(row)
    return result


def _links(articles: list[str], score: np.ndarray, candidates: list[int], threshold: float):
    """The one-to-one pairs between each two articles' candidate claims at or above ``threshold``."""
    from scipy.optimize import linear_sum_assignment

    by_article: dict[str, list[int]] = {}
    for i in candidates:
        by_article.setdefault(articles[i], []).append(i)
    links = []
    names = list(by_article)
    for x, first in enumerate(names):
        for other in names[x + 1:]:
            left, right = by_article[first], by_article[other]
            block = score[np.ix_(left, right)]
            # only pairs at or above the threshold count: a weak pair must not win a claim
            # away from the pair that states the same thing
            gain = np.maximum(block - threshold, 0.0)
            for r, c in zip(*linear_sum_assignment(gain, maximize=True)):
                if block[r, c] >= threshold:
                    links.append((float(block[r, c]), left[r], right[c]))
    return links


def _join(links, members: dict[int, list[int]], row_of: list[int], articles: list[str], score: np.ndarray,
          config: AlignConfig, threshold: float) -> None:
    """Join the rows of linked claims, best link first, when the rows hold no article twice and
    their members are alike enough (``grow_margin`` more for a third outlet)."""
    for _, i, j in sorted(links, reverse=True):
        a, b = row_of[i], row_of[j]
        if a == b:
            continue
        left, right = members[a], members[b]
        if {articles[k] for k in left} & {articles[k] for k in right}:
            continue
        cross = score[np.ix_(left, right)]
        needed = threshold + (config.grow_margin if len(left) + len(right) > 2 else 0.0)
        if cross.mean() < needed or cross.min() < config.floor:
            continue
        keep, gone = (a, b) if len(left) >= len(right) else (b, a)
        members[keep] = sorted(members[keep] + members.pop(gone))
        for k in members[keep]:
            row_of[k] = keep


_MONTH_DAY = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})\b", re.I)
_MONEY = re.compile(r"\$\s?(\d[\d,.]*)\s*(million|billion|thousand)?", re.I)


def details(text: str) -> dict[str, str]:
    """The specific details a claim gives, each with the words that give it: exact counts by
    what they count, ages of named people, clock times, days of a month, sums of money."""
    from .conflicts.numbers import quantities
    from .conflicts.times import clock_times

    found: dict[str, str] = {}
    for key, bound, value, phrase in quantities(text):
        key = by_surname(key)
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


def detail_rows(claims: list[Claim], score: np.ndarray, rows_of: dict[int, frozenset[int]], config: AlignConfig,
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
        if len(origins) < 2 or frozenset.intersection(*(rows_of.get(i - offset, frozenset()) for i, _ in chosen)):
            continue  # one origin, or already one row that states it
        members = []
        for index, phrase in chosen:
            start, end = part_around(claims[index - offset].text, phrase)
            members.append((index, start, end))
        rows.append((key, members))
    return rows
