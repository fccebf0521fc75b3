"""Timeline: the dates a story's claims speak of, resolved against each article's publication
date, in the direction the claim's tense points ("was shot on Thursday" in a Wednesday article
is the Thursday before; "will stay until Thursday", "as soon as Wednesday", "next month" are
ahead). Each date and claim row is listed once, with the article and words it came from.
"""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache

from ..models import TimelineEntry, day_of
from ..words import MONTH_NUMBERS, MONTHS

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DATE_EXPRESSION = re.compile(
    r"\b(?:(?:on|until|by|since|last|next|this|as soon as|early|late)\s+)?"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:next|last|this|earlier this|later this)\s+(?:week|month|year)\b"
    r"|\b(?:yesterday|today|tomorrow)\b"
    r"|\b(?:in\s+)?(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan\.|feb\.|aug\.|sept?\.|oct\.|nov\.|dec\.)(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+(?:19|20)\d\d)?\b",
    re.I,
)
_FUTURE = re.compile(r"\b(?:will|would|shall|going to|is expected|are expected|is set to|are set to|plans? to|"
                     r"scheduled|is due|are due|as soon as|next|until|upcoming|later this|tomorrow)\b", re.I)
_PAST = re.compile(r"\b(?:was|were|had|did|said|last|ago|earlier|yesterday|\w+ed)\b", re.I)


def points_ahead(text: str, expression: str) -> bool:
    """Whether a claim speaks of a time after its publication: a future word in it (and not
    a past one before the date expression, "said on Tuesday he will…")."""
    lowered = expression.lower()
    if lowered.startswith(("next", "until", "as soon as", "by ")) or "tomorrow" in lowered:
        return True
    if lowered.startswith(("last", "since")) or "yesterday" in lowered:
        return False
    position = text.lower().find(lowered)
    before = text[:position] if position >= 0 else text
    future = _FUTURE.search(text)
    if not future:
        return False
    # "said on Tuesday that he will…": the date belongs to the past verb right before it
    near = before[-25:]
    return not re.search(r"\b(?:said|told|announced|reported|was|were|had)\b[^.]*$", near)


def resolve(expression: str, published: str | None, ahead: bool = False) -> str | None:
    """An ISO date (or month, or year) for a date expression, relative to ``published``."""
    text = expression.lower().strip()
    base = day_of(published)
    year = re.search(r"(19|20)\d\d", text)
    month = next((i for i, m in enumerate(MONTHS, start=1) if re.search(rf"\b{m}\b", text)), None)
    if month is None:
        abbreviation = re.search(r"\b(jan|feb|aug|sept?|oct|nov|dec)\.", text)
        month = MONTH_NUMBERS[abbreviation.group(1)] if abbreviation else None
    if month is not None:
        day = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\b(?!\d)", text.replace(year.group(0), "") if year else text)
        if year:
            y = int(year.group(0))
        elif base is not None:
            y = base.year + (1 if ahead and month < base.month else 0) - (1 if not ahead and month > base.month else 0)
        else:
            return None
        return f"{y}-{month:02d}" + (f"-{int(day.group(1)):02d}" if day and 1 <= int(day.group(1)) <= 31 else "")
    if base is None:
        return None
    if "yesterday" in text:
        return (base - timedelta(days=1)).isoformat()
    if "today" in text:
        return base.isoformat()
    if "tomorrow" in text:
        return (base + timedelta(days=1)).isoformat()
    for number, weekday in enumerate(WEEKDAYS):
        if weekday in text:
            delta = number - base.weekday()
            if ahead:
                return (base + timedelta(days=delta % 7 or (7 if text.startswith("next") else 0))).isoformat()
            return (base + timedelta(days=delta if delta <= 0 else delta - 7)).isoformat()
    shifts = {"next month": 1, "last month": -1, "this month": 0, "earlier this month": 0, "later this month": 0}
    for phrase, shift in shifts.items():
        if phrase in text:
            m = base.month - 1 + shift
            return f"{base.year + m // 12}-{m % 12 + 1:02d}"
    if "week" in text:
        shift = 7 if "next" in text else -7 if "last" in text else 0
        return (base + timedelta(days=shift)).isoformat()
    if "year" in text:
        return str(base.year + (1 if "next" in text else -1 if "last" in text else 0))
    return None


@lru_cache(maxsize=16384)
def dates_in(text: str, published: str | None) -> tuple[tuple[str, str], ...]:
    """(resolved date, expression) of each date expression in a claim."""
    found = []
    for match in DATE_EXPRESSION.finditer(text):
        expression = match.group(0)
        if expression.lower() in ("may", "in may") and not re.search(r"\d", expression):
            if not re.match(r"\s+\d", text[match.end():]):
                continue  # "may" the verb
        resolved = resolve(expression, published, points_ahead(text, expression))
        if resolved:
            found.append((resolved, expression))
    return tuple(found)


def timeline(rows, published: dict[str, str | None]) -> list[TimelineEntry]:
    """One entry per (date, claim row): the first wording that gives the date. ``published``:
    article id → its publication date."""
    entries, seen = [], set()
    for row in rows:
        for evidence in row.evidence:
            for resolved, expression in dates_in(evidence.text, published.get(evidence.article)):
                key = (resolved, row.id)
                if key in seen or (resolved, evidence.sentence) in seen:
                    continue
                seen.update({key, (resolved, evidence.sentence)})
                entries.append(TimelineEntry(resolved, evidence.sentence, evidence.article, evidence.source,
                                             expression))
    return sorted(entries, key=lambda e: (e.date, e.article))
