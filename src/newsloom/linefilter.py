"""Label the lines of a page copied as plain text: article or boilerplate, and why.

Each line is described by ``line_features``: its own look (length, sentence punctuation,
stop words, capitals, digits; ``pattern_reason`` for captions, share prompts, comment forms,
copyright lines, teasers cut off with "…"), and its place on the page (position, prose
around it, the main block of prose, end markers such as "Related News", repeats, overlap
with the title). A gradient-boosted classifier fitted on the extraction dev pages
(``benchmarks/fit_linefilter.py``, shipped as plain arrays in ``models/linefilter.npz``) turns
them into a probability; every line left out keeps a reason a person can read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from importlib.resources import files

import numpy as np

from . import modelfile
from .errors import ConfigError
from .words import STOP_WORDS


@dataclass(frozen=True, slots=True)
class LineLabel:
    keep: bool
    reason: str


BLANK = LineLabel(False, "blank")

_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (reason, re.compile(pattern, re.I))
    for reason, pattern in (
        ("copyright", r"©|\bcopyright\b|all rights reserved"),
        ("caption", r"\((?:photo|image|picture|file photo|video)s?\b[^)]*\)\s*$"),
        ("caption", r"^(?:photo|image|picture|file photo|video)s?\s*(?:credit)?\s*[:|]"),
        ("caption", r"\b(?:getty images|afp via getty|ap photo|reuters/|shutterstock|istock)\b.{0,40}$"),
        ("cross-link", r"^(?:also read|read also|read more|see also|related|recommended|watch|listen|must read)\s*[:|–—-]"),
        ("cross-link", r"^for more .{0,60}\b(?:visit|click|see|go to)\b"),
        ("cross-link", r"^(?:click here|tap here)\b"),
        ("share buttons", r"^(?:share|tweet|email|e-mail|print|pinterest|facebook|twitter|whatsapp|linkedin|reddit|flipboard|mix|copy link)\b.{0,25}$"),
        ("share buttons", r"^\d+\s+(?:shares?|comments?)$|sharing is caring"),
        ("comment form", r"your email address will not be published|required fields are marked|save my name, email"),
        ("comment form", r"^(?:leave a (?:comment|reply)|post comment|submit comment|cancel reply)\b"),
        ("comment form", r"^(?:name|email|website|comment)\s*\*?$"),
        ("navigation", r"^(?:scroll to top|back to top|skip to (?:main )?content|toggle navigation|menu|search|home)$"),
        ("navigation", r"^(?:log ?in|sign ?in|sign up|subscribe|register)\b.{0,30}$"),
        ("advertisement", r"^(?:advertisement|sponsored(?: content)?|ad)$"),
        ("subscription prompt", r"^(?:subscribe to|sign up for|get our) .{0,60}newsletter"),
        ("teaser", r"(?:…|\.\.\.)\s*$"),
    )
)

NEVER_TITLE = {"copyright", "caption", "navigation", "share buttons", "comment form", "cross-link",
               "advertisement", "dateline", "teaser", "subscription prompt"}

_END_MARKERS = re.compile(
    r"^(?:related (?:news|articles|stories|posts|content|coverage)|more (?:news|stories|from\b.*)|"
    r"you may also like|you might also like|most (?:popular|read|viewed)|trending(?: now)?|recommended(?: for you)?|"
    r"read next|latest (?:news|stories)|leave a (?:comment|reply)|comments?|\d+ comments?|about the author|"
    r"share this(?: article| story)?|related)\s*:?$",
    re.I,
)
_DIGIT = re.compile(r"\d")
_UPPER = re.compile(r"[^\W\d_a-zß-ÿ]")
_DATELINE_LINE = re.compile(r"^\|?\s*\|\s*[A-Z][\w .'’-]{1,40}$")
_SENTENCE_END = re.compile(r"[.!?:;。！？][\"'”’)」]*$")
_WORD = re.compile(r"\w+", re.U)


def pattern_reason(line: str) -> str | None:
    """Why a line is boilerplate by its own look alone, or None."""
    if _DATELINE_LINE.match(line):
        return "dateline"
    if len(line) > 300:
        return None  # long prose may mention "photo" or "share"; judge it by place
    # one by one: a pattern anchored at the start is tried there only, where in one
    # alternation of them all every branch was tried at every position (1.5× the time)
    for reason, pattern in _PATTERNS:
        if pattern.search(line):
            return reason
    return None


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def word_count(line: str) -> float:
    """Words in a line; in scripts written without spaces, two characters count as a word."""
    cjk = len(_CJK.findall(line))
    return len(_WORD.findall(line)) + cjk / 2 if cjk else len(_WORD.findall(line))


def is_prose(line: str) -> bool:
    """A sentence-like line: enough words and ending like a sentence, or long."""
    words = word_count(line)
    if words >= 20:
        return True
    return words >= 8 and bool(_SENTENCE_END.search(line))


REASON_NAMES = ("copyright", "caption", "cross-link", "share buttons", "comment form", "navigation",
                "advertisement", "subscription prompt", "teaser", "dateline")
_BULLETS = re.compile(r"[|•»›·]")
_LINKISH = re.compile(r"https?://|www\.|@\w|\.com\b", re.I)


def page_language(lines: list[str]) -> str:
    """The language of a page's longer lines (py3langid)."""
    import py3langid

    sample = " ".join(line for line in lines if len(line) > 40)[:3000] or " ".join(lines)[:3000]
    return py3langid.classify(sample)[0] if sample.strip() else "en"


def page_stop_words(lines: list[str], cache: dict[str, frozenset[str]] | None = None,
                    language: str | None = None) -> frozenset[str]:
    """The most frequent words of the page's language (wordfreq's lists), so that "mostly
    function words" means prose in any language wordfreq knows."""
    from wordfreq import available_languages, top_n_list

    language = language or page_language(lines)
    cache = {} if cache is None else cache
    if language not in cache:
        known = cache.setdefault("known languages", frozenset(available_languages()))
        cache[language] = frozenset(top_n_list(language, 150)) if language in known else STOP_WORDS
    return cache[language]


def line_features(lines: list[str], stop_words: frozenset[str] = None) -> np.ndarray:
    """One row of features per non-blank line of a page (in order)."""
    stop_words = STOP_WORDS if stop_words is None else stop_words
    items = [(i, line) for i, line in enumerate(lines) if line]
    m = len(items)
    if not m:
        return np.zeros((0, N_FEATURES))
    words = [_WORD.findall(line) for _, line in items]
    counts = np.array([word_count(line) for _, line in items], dtype=float)
    reasons = [pattern_reason(line) for _, line in items]
    prose = np.array([reasons[k] is None and is_prose(line) for k, (_, line) in enumerate(items)], dtype=float)
    first_prose = int(np.argmax(prose)) if prose.any() else m
    last_prose = int(m - 1 - np.argmax(prose[::-1])) if prose.any() else -1
    end_marker = next((k for k in range(first_prose + 1, m) if _END_MARKERS.match(items[k][1])), m)
    block_start, block_end = _main_block(counts, prose)
    title_words = {w.lower() for w in words[0]}
    seen: dict[str, int] = {}
    for _, line in items:
        seen[line] = seen.get(line, 0) + 1
    cumulative = np.cumsum(counts * prose)
    total_prose = cumulative[-1] if m else 0.0
    headline = {w.lower() for w in _WORD.findall(re.split(r"\s[|–—-]\s", items[0][1])[0])}
    since_title, since_date = _since(items, lambda k, line: k > 0 and headline and len(words[k]) <= 2 * len(headline) + 2
                                     and sum(1 for x in words[k] if x.lower() in headline) >= 0.8 * len(headline)), \
        _since(items, lambda k, line: bool(_DATE_OR_BYLINE.search(line)) and len(words[k]) <= 15)
    window3, window10 = _window_mean(prose, 3), _window_mean(prose, 10)
    rows = []
    for k, (i, line) in enumerate(items):
        w = words[k]
        n = max(len(w), 1)
        blank_before = i - items[k - 1][0] - 1 if k else i
        row = [
            math.log1p(counts[k]), math.log1p(len(line)), float(bool(_SENTENCE_END.search(line))),
            line.count(". ") + line.count("。"), sum(1 for x in w if x.lower() in stop_words) / n,
            sum(1 for x in w if x[:1].isupper()) / n, len(_DIGIT.findall(line)) / len(line),
            len(_UPPER.findall(line)) / len(line), prose[k], k / m, math.log1p(k), math.log1p(m - k),
            float(k > end_marker), float(k == end_marker), float(k < first_prose), float(k > last_prose),
            window3[k], window10[k], math.log1p(counts[k - 1]) if k else 0.0, math.log1p(counts[k + 1]) if k + 1 < m else 0.0,
            prose[k - 1] if k else 0.0, prose[k + 1] if k + 1 < m else 0.0, math.log(seen[line]),
            (sum(1 for x in w if x.lower() in title_words) / n) if k else 1.0, len(_BULLETS.findall(line)),
            float(bool(_LINKISH.search(line))), float(line.endswith(("…", "..."))), min(blank_before, 3),
            float(block_start <= k <= block_end), (block_start - k if k < block_start else k - block_end if k > block_end else 0) / m,
            (cumulative[k] - counts[k] * prose[k]) / total_prose if total_prose else 0.0,
        ]
        row += [float(reasons[k] == name) for name in REASON_NAMES]
        row.append(len(_CJK.findall(line)) / len(line))
        row += [math.log1p(since_title[k]), math.log1p(since_date[k])]
        rows.append(row)
    return np.array(rows)


FEATURE_NAMES = (
    "log_words", "log_chars", "ends_like_sentence", "sentence_breaks", "stop_word_share", "capitalised_share",
    "digit_share", "upper_share", "prose", "position", "log_index", "log_lines_after", "after_end_marker",
    "is_end_marker", "before_first_prose", "after_last_prose", "prose_around_3", "prose_around_10",
    "log_words_before", "log_words_after", "prose_before", "prose_after", "log_repeats", "title_word_share",
    "bullets", "linkish", "ends_with_ellipsis", "blank_lines_before", "in_main_block", "distance_to_main_block",
    "prose_words_before_share", *(f"pattern: {name}" for name in REASON_NAMES), "cjk_share",
    "log_lines_since_title", "log_lines_since_date_or_byline",
)
"""The columns of ``line_features``, in order."""
N_FEATURES = len(FEATURE_NAMES)
CONTEXT_NAMES = ("first_stage", "first_stage_before", "first_stage_after", "first_stage_around_2",
                 "first_stage_around_10", "first_stage_max_before", "first_stage_max_after", "in_first_stage_span")
"""The columns ``context_features`` adds for the second stage."""
_DATE_OR_BYLINE = re.compile(
    r"^(?:by|von|por|par)\b|\b(?:19|20)\d\d\b.{0,12}$|\b\d{1,2}[/.]\d{1,2}[/.](?:19|20)?\d\d\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}\b", re.I)


def _window_mean(values: np.ndarray, half: int) -> np.ndarray:
    """Mean of ``values`` over a window of ``half`` lines each side (clipped at the edges)."""
    m = len(values)
    cumulative = np.r_[0.0, np.cumsum(values)]
    lo = np.maximum(np.arange(m) - half, 0)
    hi = np.minimum(np.arange(m) + half + 1, m)
    return (cumulative[hi] - cumulative[lo]) / (hi - lo)


def _since(items: list[tuple[int, str]], matches) -> list[float]:
    """For each line, how many lines ago the last line for which ``matches`` held (a large
    number when none did)."""
    result, last = [], None
    for k, (_, line) in enumerate(items):
        result.append(float(k - last) if last is not None else 1000.0)
        if matches(k, line):
            last = k
    return result


def context_features(features: np.ndarray, first_stage: np.ndarray) -> np.ndarray:
    """Second-stage features: a line's own features plus the first stage's probabilities
    around it (an article is a run of lines, so neighbours' verdicts say much)."""
    m = len(first_stage)
    if not m:
        return np.zeros((0, features.shape[1] + 8))
    padded = np.r_[0.0, first_stage, 0.0]
    start, end = _main_block(np.ones(m), (first_stage >= 0.5).astype(float), weights=first_stage - 0.5)
    before = np.r_[0.0, np.maximum.accumulate(first_stage)[:-1]]
    after = np.r_[np.maximum.accumulate(first_stage[::-1])[::-1][1:], 0.0]
    in_span = ((np.arange(m) >= start) & (np.arange(m) <= end)).astype(float)
    context = np.column_stack([first_stage, padded[:-2], padded[2:], _window_mean(first_stage, 2),
                               _window_mean(first_stage, 10), before, after, in_span])
    return np.hstack([features, context])


def _main_block(counts: np.ndarray, prose: np.ndarray, weights: np.ndarray | None = None) -> tuple[int, int]:
    """The span of lines with the most prose: a maximum-sum run where prose lines score their
    word count and other lines cost a few words each."""
    scores = weights if weights is not None else np.where(prose > 0, counts, -np.minimum(counts, 8) - 2)
    best, best_span, current, start = 0.0, (0, -1), 0.0, 0
    for k, score in enumerate(scores):
        if current <= 0:
            current, start = score, k
        else:
            current += score
        if current > best:
            best, best_span = current, (start, k)
    return best_span


class BoostedTrees:
    """A fitted gradient-boosted binary classifier (scikit-learn's
    ``HistGradientBoostingClassifier``, numeric features) as plain arrays: every tree's nodes
    in one flat table, ``roots`` where each tree starts, and the ``baseline`` log-odds. Its
    ``predict_proba`` gives what the fitted model gives."""

    ARRAYS = ("feature", "threshold", "missing_left", "left", "right", "is_leaf", "value", "roots", "baseline")

    def __init__(self, *, feature, threshold, missing_left, left, right, is_leaf, value, roots, baseline):
        self.feature, self.threshold, self.value = feature.astype(np.intp), threshold.astype(float), value.astype(float)
        self.missing_left, self.is_leaf = missing_left.astype(bool), is_leaf.astype(bool)
        self.left, self.right, self.roots = left.astype(np.intp), right.astype(np.intp), roots.astype(np.intp)
        self.baseline = float(baseline)

    @classmethod
    def from_sklearn(cls, model) -> BoostedTrees:
        """Read the trees of a fitted ``HistGradientBoostingClassifier`` (binary, no categorical
        features)."""
        if getattr(model, "is_categorical_", None) is not None or model.n_trees_per_iteration_ != 1:
            raise ValueError("only binary classifiers over numeric features can be stored as arrays")
        tables, roots, offset = [], [], 0
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            tables.append((nodes, offset))
            roots.append(offset)
            offset += len(nodes)
        column = lambda name: np.concatenate([nodes[name] for nodes, _ in tables])  # noqa: E731
        shift = lambda name: np.concatenate([nodes[name].astype(np.int64) + base for nodes, base in tables])  # noqa: E731
        return cls(feature=column("feature_idx"), threshold=column("num_threshold"),
                   missing_left=column("missing_go_to_left"), left=shift("left"), right=shift("right"),
                   is_leaf=column("is_leaf"), value=column("value"), roots=np.array(roots),
                   baseline=np.asarray(model._baseline_prediction).item())

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}{name}": np.asarray(getattr(self, name)) for name in self.ARRAYS}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str, n_features: int) -> BoostedTrees:
        trees = cls(**{name: arrays[f"{prefix}{name}"] for name in cls.ARRAYS})
        inner = ~trees.is_leaf
        nodes = len(trees.value)
        if (trees.feature[inner] >= n_features).any() or (trees.feature[inner] < 0).any() or \
                (trees.left[inner] >= nodes).any() or (trees.right[inner] >= nodes).any() or (trees.roots >= nodes).any():
            raise ValueError(f"the {prefix.rstrip('_')} trees point outside their tables")
        return trees

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(p not, p) per row of ``X``: all trees walked at once, leaf values added tree by tree
        onto the baseline, as scikit-learn adds them."""
        from scipy.special import expit

        X = np.asarray(X, dtype=float)
        rows = np.arange(len(X))[:, None]
        node = np.broadcast_to(self.roots, (len(X), len(self.roots))).copy()
        while True:
            inner = ~self.is_leaf[node]
            if not inner.any():
                break
            value = X[rows, self.feature[node]]
            go_left = np.where(np.isnan(value), self.missing_left[node], value <= self.threshold[node])
            node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)
        raw = np.cumsum(np.column_stack([np.full(len(X), self.baseline), self.value[node]]), axis=1)[:, -1]
        p = expit(raw)
        return np.column_stack([1 - p, p])


MODEL_KIND = "newsloom line classifier"
MODEL_FORMAT = 1
MODEL_FEATURES = FEATURE_NAMES + CONTEXT_NAMES


def model_to_npz(first: BoostedTrees, second: BoostedTrees, fitted_on: str) -> bytes:
    """The two stages as one ``.npz`` of plain arrays, with the feature names (first stage:
    ``FEATURE_NAMES``; second: those and ``CONTEXT_NAMES``) and the newsloom version."""
    meta = modelfile.header(MODEL_KIND, MODEL_FORMAT, MODEL_FEATURES, fitted_on=fitted_on)
    return modelfile.write_npz(meta, first.arrays("first_") | second.arrays("second_"))


def model_from_npz(data: bytes, where: str) -> tuple[BoostedTrees, BoostedTrees]:
    """The two stages of a line classifier file, checked (no code runs)."""
    fix = "refit it with benchmarks/fit_linefilter.py"
    meta, arrays = modelfile.read_npz(data, where, fix)
    modelfile.check(meta, MODEL_KIND, MODEL_FORMAT, MODEL_FEATURES, where, fix)
    try:
        return (BoostedTrees.from_arrays(arrays, "first_", N_FEATURES),
                BoostedTrees.from_arrays(arrays, "second_", N_FEATURES + len(CONTEXT_NAMES)))
    except (KeyError, ValueError) as error:
        raise ConfigError(f"{where} is incomplete or damaged ({error})", fix) from None


class LineClassifier:
    """The shipped classifier: probability that each non-blank line belongs to the article.
    ``model`` is two stages with ``predict_proba`` (default: the shipped ``BoostedTrees``)."""

    def __init__(self, model=None, threshold: float = 0.5):
        if model is None:
            model = model_from_npz(files("newsloom").joinpath("models/linefilter.npz").read_bytes(),
                                   "the line classifier shipped with newsloom")
        self.model = model
        self.threshold = threshold
        self._stop_words: dict[str, frozenset[str]] = {}

    def probabilities(self, lines: list[str], language: str | None = None) -> np.ndarray:
        features = line_features(lines, page_stop_words(lines, self._stop_words, language))
        if not len(features):
            return np.zeros(0)
        first, second = self.model
        first_stage = first.predict_proba(features)[:, 1]
        return second.predict_proba(context_features(features, first_stage))[:, 1]

    def label(self, lines: list[str], language: str | None = None) -> list[LineLabel]:
        """Label each line of a page; blank lines come back as ``BLANK``."""
        probabilities = iter(self.probabilities(lines, language))
        scored = [(line, float(next(probabilities)) if line else 0.0) for line in lines]
        kept = [i for i, (line, p) in enumerate(scored) if line and p >= self.threshold]
        first, last = (kept[0], kept[-1]) if kept else (len(lines), -1)
        labels = []
        for i, (line, p) in enumerate(scored):
            if not line:
                labels.append(BLANK)
            elif p >= self.threshold:
                labels.append(LineLabel(True, f"article text (p={p:.2f})"))
            else:
                where = ("before the article starts (header, menu)" if i < first else
                         "after the article ends (teasers, comments, footer)" if i > last else
                         "boilerplate inside the article (menu, label, caption)")
                labels.append(LineLabel(False, f"{pattern_reason(line) or where} (p={p:.2f})"))
        return labels
