"""Clean: from a Document to an Article — the body without boilerplate, and its metadata.

HTML goes through trafilatura (body, title, author, date, site name). A page copied as plain
text goes through ``split_text_page``: each line is labelled by ``linefilter`` (a classifier
over line features: prose or not, captions, menus, share buttons, comment forms, teasers),
the article is the span from its first to its last prose line, and every line left out keeps
its reason. Metadata come from the page (title line, copyright line, dateline, byline, dates
near the top), then the container's hints (feed, JSON Lines), then the URL.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from . import linefilter
from .errors import ConfigError
from .models import Article, Document, DroppedLine, Skipped
from .words import MONTH_NUMBERS


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanConfig:
    """``min_html_chars``: trafilatura runs in precision mode first; a body shorter than this
    is taken as a miss and the page is extracted again in its default mode;
    ``line_threshold``: probability at which a line of a plain-text page is article text;
    ``detect_language``: run the shipped language identifier."""

    min_html_chars: int = 500
    line_threshold: float = 0.5
    detect_language: bool = True

    def __post_init__(self):
        if self.min_html_chars < 0:
            raise ConfigError(f"min_html_chars={self.min_html_chars} is negative", "use 0 or more (default 500)")
        if not 0 < self.line_threshold < 1:
            raise ConfigError(f"line_threshold={self.line_threshold} is outside (0, 1)", "use a probability such as 0.5")


class Cleaner:
    """Cleans documents. Holds the line classifier, loaded once and injectable."""

    def __init__(self, config: CleanConfig | None = None, *, line_classifier: linefilter.LineClassifier | None = None):
        self.config = config or CleanConfig()
        self.lines = line_classifier or linefilter.LineClassifier(threshold=self.config.line_threshold)

    def clean(self, document: Document) -> Article:
        """Clean one document. Never raises on content: a page with no article gives an empty
        body with every line's reason in ``dropped``."""
        return clean(document, self)

    def clean_or_skip(self, document: Document) -> Article | Skipped:
        """``clean``, with an unexpected failure on one page (a parser choking on a hostile
        document) turned into a Skipped that names the page and the error, so that one page
        never ends a run."""
        try:
            return self.clean(document)
        except Exception as error:  # noqa: BLE001 — one page is skipped, not the run
            cause = f"{type(error).__name__}: {str(error)[:200]}"
            return Skipped(document.id, f"cleaning failed ({cause}) — please report it with the input")


def clean(document: Document, cleaner: Cleaner | None = None) -> Article:
    """Clean one document with ``cleaner`` (a new one, loading the classifier, when None)."""
    cleaner = cleaner or Cleaner()
    config = cleaner.config
    if document.kind == "html":
        page = _clean_html(document.content, document.url, config.min_html_chars)
    elif document.kind == "text":
        page = split_text_page(document.content, cleaner.lines)
    else:
        page = _clean_body(document.content)
    title = _first(document.title, page.title, _first_sentence(page.text)) or "(untitled)"
    source = _first(document.source, page.source, _host_outlet(document.url or page.url))
    text = page.text
    return Article(
        id=document.id,
        origin=document.origin,
        title=normalise_space(title),
        text=text,
        content_hash=content_hash(text or title),
        source=source,
        url=document.url or page.url,
        published=_first(_normalise_date(document.published), page.published),
        dateline=page.dateline,
        author=_first(document.author, page.author),
        language=(page.language or detect_language(f"{title}\n{text}")) if config.detect_language and text else None,
        dropped=page.dropped,
        shown_id=document.shown_id,
    )


@dataclass(frozen=True, slots=True)
class CleanPage:
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    dateline: str | None = None
    author: str | None = None
    language: str | None = None
    dropped: tuple[DroppedLine, ...] = ()


# ---------------------------------------------------------------- plain-text pages


def split_text_page(content: str, classifier: linefilter.LineClassifier) -> CleanPage:
    """Find the article in a page copied as plain text: title, body, metadata, dropped lines."""
    lines = [normalise_space(line) for line in content.splitlines()]
    language = linefilter.page_language(lines)
    labels = classifier.label(lines, language)
    title_no = _find_title(lines, labels)
    body_nos = [i for i, label in enumerate(labels) if label.keep and i != title_no]
    dropped = tuple(
        DroppedLine(i + 1, line, "title" if i == title_no else labels[i].reason)
        for i, line in enumerate(lines)
        if line and (i == title_no or not labels[i].keep)
    )
    title = lines[title_no] if title_no is not None else None
    title, title_source = _split_title_outlet(title)
    head = lines[: (body_nos[0] if body_nos else len(lines))]
    body_lines = [lines[i] for i in body_nos]
    dateline = _find_dateline(head, body_lines[:3])
    return CleanPage(
        text="\n\n".join(body_lines),
        title=title,
        source=_first(_copyright_outlet(lines), title_source, _masthead(lines, labels, title_no)),
        published=_find_date(head + body_lines[:3]),
        dateline=dateline,
        author=_find_author(head + body_lines[:2]),
        language=language,
        dropped=dropped,
    )


def _find_title(lines: list[str], labels: list[linefilter.LineLabel]) -> int | None:
    """The headline: the first headline-like line above the body (or the body's first line
    when the page starts straight with it)."""
    first_body = next((i for i, label in enumerate(labels) if label.keep), len(lines))
    candidates = []
    for i in range(min(first_body + 1, len(lines))):
        line = lines[i]
        words = line.split()
        if linefilter.pattern_reason(line) in linefilter.NEVER_TITLE or not 3 <= len(words) <= 40:
            continue
        if i == first_body and len(words) > 25:
            break
        candidates.append(i)
    # a masthead ("Sports Desk Weekly") above the headline is the outlet, not the title
    if len(candidates) > 1 and _is_masthead(lines[candidates[0]]):
        candidates.pop(0)
    return candidates[0] if candidates else None


def _is_masthead(line: str) -> bool:
    words = line.split()
    return 1 <= len(words) <= 4 and all(w[:1].isupper() for w in words) and bool(re.fullmatch(r"[\w .&'’-]+", line))


_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s+::\s+")


def _split_title_outlet(title: str | None) -> tuple[str | None, str | None]:
    """``Headline - Outlet`` → (``Headline``, ``Outlet``) when the tail is short."""
    if not title:
        return title, None
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) >= 2 and 1 <= len(parts[-1].split()) <= 5 and len(parts[0].split()) >= 3:
        return _TITLE_SEPARATOR.split(title, maxsplit=len(parts) - 2)[0].strip(), parts[-1].strip()
    return title, None


_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*", re.I)
_COPYRIGHT_NOISE = re.compile(
    r"©|\(c\)|copyright|all rights reserved\.?|\b(?:19|20)\d\d\b(?:\s*[-–]\s*(?:19|20)?\d\d)?|[.,|]", re.I
)


def _copyright_outlet(lines: list[str]) -> str | None:
    for line in lines:
        if _COPYRIGHT.search(line) and len(line) < 120:
            name = normalise_space(_COPYRIGHT_NOISE.sub(" ", line)).strip(" -–:")
            if 1 <= len(name.split()) <= 5:
                return name
    return None


def _masthead(lines: list[str], labels: list[linefilter.LineLabel], title_no: int | None) -> str | None:
    """A page that starts with a short Title Case line above the headline names its outlet
    there ("Northfield Daily")."""
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None or title_no is None or first >= title_no or linefilter.pattern_reason(lines[first]):
        return None
    return lines[first] if _is_masthead(lines[first]) else None


_PIPE_DATELINE = re.compile(r"^\|?\s*\|\s*([A-Z][\w .'’-]{1,40}?)\s*$")
_BODY_DATELINE = re.compile(
    r"^([A-Z][A-Z.'’ -]{2,30}[A-Z.])(?:,\s*[A-Z][A-Za-z.]+(?:\s[A-Z][A-Za-z.]+)?)?\s*(?:\([A-Za-z ]+\)\s*)?[-–—:]\s"
)


def _find_dateline(head: list[str], first_body: list[str]) -> str | None:
    for line in head:
        match = _PIPE_DATELINE.match(line)
        if match:
            return match.group(1).strip()
    for line in first_body:
        match = _BODY_DATELINE.match(line)
        if match:
            return match.group(1).strip().title()
    return None


_BYLINE = re.compile(r"^(?:by|written by|author:)\s+([A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})", re.I)


def _find_author(lines: list[str]) -> str | None:
    for line in lines:
        match = _BYLINE.match(line)
        if match and len(line) < 120:
            return match.group(1)
    return None


_MONTH = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATE_PATTERNS = (
    (re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b"), ("y", "m", "d")),
    (re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)\b", re.I), ("m", "d", "y")),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+((?:19|20)\d\d)\b", re.I), ("d", "m", "y")),
)


def _find_date(lines: list[str]) -> str | None:
    for line in lines:
        for pattern, order in _DATE_PATTERNS:
            match = pattern.search(line)
            if match:
                date = _date_from_parts(dict(zip(order, match.groups())))
                if date:
                    return date
    return None


def _date_from_parts(parts: dict[str, str]) -> str | None:
    month = parts["m"]
    key = month.lower().rstrip(".")
    month = int(month) if month.isdigit() else MONTH_NUMBERS.get(key) or MONTH_NUMBERS.get(key[:3])
    day, year = int(parts["d"]), int(parts["y"])
    if not month or not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


# ---------------------------------------------------------------- HTML and bare bodies


# htmldate: publication (not update) dates from markup and URL, without its slow full-text scan
DATE_SEARCH = {"extensive_search": False, "original_date": True}


def _clean_html(html: str, url: str | None, min_chars: int) -> CleanPage:
    """trafilatura, from the cheapest mode to the most thorough, until one finds an article's
    worth of text: precision mode with fast heuristics, then precision mode with its backup
    extractors, then the default mode (taken only when it finds more than twice as much)."""
    import trafilatura

    def extract(**mode):
        return trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                           include_tables=True, date_extraction_params=DATE_SEARCH, **mode)

    def length(result):
        return len(result.text or "") if result is not None else 0

    try:
        result = extract(favor_precision=True, fast=True)
        if length(result) < min_chars:
            thorough = extract(favor_precision=True)
            result = thorough if length(thorough) > length(result) else result
        if length(result) < min_chars:
            fallback = extract()
            result = fallback if length(fallback) > 2 * length(result) else result
    except Exception as error:  # trafilatura raises many kinds on hostile markup
        return CleanPage(text="", dropped=(DroppedLine(0, "", f"HTML could not be parsed: {error}"),))
    if result is None or not (result.text or "").strip():
        return CleanPage(text="", dropped=(DroppedLine(0, "", "no article text found in the HTML"),))
    text = "\n\n".join(normalise_space(line) for line in result.text.splitlines() if line.strip())
    return CleanPage(
        text=text, title=result.title, source=result.sitename, url=result.url or url,
        published=_normalise_date(result.date), author=result.author,
        dateline=_find_dateline([], text.split("\n", 1)[:1]),
    )


TEASER_MAX_WORDS = 15


def _clean_body(text: str) -> CleanPage:
    """A body that is already the article (JSON Lines, extracted HTML): drop only lines that
    are boilerplate by their own look (captions, share prompts, comment forms). A paragraph
    that ends in "…" is a teaser only when short: in a body, a long one is the article's own
    text (an excerpt in a roundup)."""
    lines = [normalise_space(line) for line in text.splitlines()]
    kept, dropped = [], []
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        reason = linefilter.pattern_reason(line)
        if reason == "teaser" and linefilter.word_count(line) >= TEASER_MAX_WORDS:
            reason = None
        if reason:
            dropped.append(DroppedLine(number, line, reason))
        else:
            kept.append(line)
    return CleanPage(text="\n\n".join(kept), dropped=tuple(dropped))


# ---------------------------------------------------------------- shared helpers


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


_HASH_NOISE = re.compile(r"[\W_]+")


def content_hash(text: str) -> str:
    """A hash of the words only: case, punctuation and spacing do not change it."""
    words = _HASH_NOISE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split()
    return hashlib.sha256(" ".join(words).encode()).hexdigest()[:32]


LANGUAGE_CONFIDENCE = 0.5


def detect_language(text: str) -> str | None:
    """The language of a text (ISO 639-1), or None when py3langid is not confident (a few
    words, a bare headline, a transcript in capitals): an unknown language is better than a
    wrong one, which would send the article down the cross-language path of clustering."""
    language, confidence = _language_identifier().classify(text[:800])
    return language if confidence >= LANGUAGE_CONFIDENCE else None


@lru_cache(maxsize=1)
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _first(*values: str | None) -> str | None:
    for value in values:
        if value and value.strip():
            return value.strip()
    return None


def _first_sentence(text: str) -> str | None:
    if not text:
        return None
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return sentence[:150]


def _host_outlet(url: str | None) -> str | None:
    """``https://www.example-news.com/a/b`` → ``example-news.com``; only parsed, never fetched."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    host = host.removeprefix("www.")
    return host or None


_ISO = re.compile(r"^((?:19|20)\d\d)-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?)?")


def _normalise_date(value: str | None) -> str | None:
    """Any date the inputs give, as ISO ``YYYY-MM-DD`` (with ``THH:MM:SS`` when known)."""
    if not value:
        return None
    value = value.strip()
    match = _ISO.match(value)
    if match:
        y, m, d, hh, mm, ss = match.groups()
        if hh:
            return f"{y}-{m}-{d}T{hh}:{mm}:{ss or '00'}"
        return f"{y}-{m}-{d}"
    found = _find_date([value])
    if found:
        return found
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).strftime("%Y-%m-%dT%H:%M:%S")
    except (TypeError, ValueError):
        return None
