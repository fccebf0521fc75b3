"""Label the lines of a page copied as plain text: article or boilerplate, and why.

Two kinds of evidence: a line's own look (``pattern_reason``: a caption, a share prompt, a
comment form, a copyright line, a teaser cut off with "…") and its place on the page (the
article is the span from the first to the last prose line, and it ends at a marker such as
"Related News" or "Leave a Comment"). Every label carries its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


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
_DATELINE_LINE = re.compile(r"^\|?\s*\|\s*[A-Z][\w .'’-]{1,40}$")
_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)]*$")
_WORD = re.compile(r"\w+", re.U)


def pattern_reason(line: str) -> str | None:
    """Why a line is boilerplate by its own look alone, or None."""
    if _DATELINE_LINE.match(line):
        return "dateline"
    if len(line) > 300:
        return None  # long prose may mention "photo" or "share"; judge it by place
    for reason, pattern in _PATTERNS:
        if pattern.search(line):
            return reason
    return None


def is_prose(line: str) -> bool:
    """A sentence-like line: enough words and ending like a sentence, or long."""
    words = len(_WORD.findall(line))
    if words >= 20:
        return True
    return words >= 8 and bool(_SENTENCE_END.search(line))


def label_lines(lines: list[str]) -> list[LineLabel]:
    """Label each line of a page; blank lines come back as ``BLANK``."""
    reasons = [pattern_reason(line) if line else None for line in lines]
    prose = [bool(line) and reasons[i] is None and is_prose(line) for i, line in enumerate(lines)]
    start = next((i for i, p in enumerate(prose) if p), None)
    if start is None:
        return [BLANK if not line else LineLabel(False, reasons[i] or "no article prose on the page")
                for i, line in enumerate(lines)]
    end_marker = next((i for i in range(start + 1, len(lines)) if lines[i] and _END_MARKERS.match(lines[i])),
                      len(lines))
    end = max(i for i in range(start, end_marker) if prose[i])
    labels = []
    for i, line in enumerate(lines):
        if not line:
            labels.append(BLANK)
        elif reasons[i]:
            labels.append(LineLabel(False, reasons[i]))
        elif i < start:
            labels.append(LineLabel(False, "before the article starts (header, menu)"))
        elif i >= end_marker:
            labels.append(LineLabel(False, f"after the end marker {lines[end_marker]!r} (teasers, comments)"))
        elif i > end:
            labels.append(LineLabel(False, "after the last paragraph (footer)"))
        elif prose[i]:
            labels.append(LineLabel(True, "prose"))
        elif _is_subheading(lines, i, prose):
            labels.append(LineLabel(True, "subheading"))
        else:
            labels.append(LineLabel(False, "short line between paragraphs (menu, label)"))
    return labels


def _is_subheading(lines: list[str], i: int, prose: list[bool]) -> bool:
    words = len(_WORD.findall(lines[i]))
    following = next((j for j in range(i + 1, len(lines)) if lines[j]), None)
    return 2 <= words <= 15 and following is not None and prose[following]
