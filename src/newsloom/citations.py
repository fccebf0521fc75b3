"""Citations: the sources an article names for what it says, found by their wording.

"according to the South China Morning Post", "Tass, citing the Kremlin", "…, Reuters
reported", a wire credit such as "(AP)". ``source_phrases(sentence)`` gives the phrases as
written; the copy stage records them per article, the compare stage resolves them to story
entities.
"""

from __future__ import annotations

import re

ACCORDING = re.compile(
    r"\baccording to (?:the )?(?:report of |reports? (?:by|from|in) )?(.+?)(?:,| said\b| that\b|$|\.)", re.I)
CITING = re.compile(r"\bciting (?:the )?(.+?)(?:,|\.|$| said\b)", re.I)
REPORTED = re.compile(r"(?:,\s*)?(?:the )?([A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,5}) (?:reported|said|says|reports)\s*\.?$")
WIRE_CREDIT = re.compile(r"\((AP|AFP|Reuters|UPI|dpa|Xinhua|PTI|ANI|IANS|CNN|AAP)\)|\b(Associated Press|Agence France-Presse|Reuters)\b")
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


_REPORTED_ENDINGS = ("reported", "said", "says", "reports")
_WIRE_WORDS = ("(", "Associated Press", "Agence France-Presse", "Reuters")


def source_phrases(sentence: str) -> list[tuple[str, str]]:
    """(phrase, kind) for each cited source in one sentence; kind is according_to or said."""
    found = [(m.group(1), "according_to") for m in ACCORDING.finditer(sentence)]
    found += [(m.group(1), "according_to") for m in CITING.finditer(sentence)]
    # REPORTED is tried from every capital letter: first the ending it needs, cheaply
    if sentence.removesuffix("\n").removesuffix(".").rstrip().endswith(_REPORTED_ENDINGS):
        match = REPORTED.search(sentence)
        if match:
            found.append((match.group(1), "said"))
    return found


def cited_sources(text: str) -> list[tuple[str, str]]:
    """(source name, sentence) for every source an article cites, wire credits included."""
    result = []
    for sentence in _SENTENCES.split(text.replace("\n", " ")):
        names = [phrase for phrase, _ in source_phrases(sentence)]
        if any(word in sentence for word in _WIRE_WORDS):  # what WIRE_CREDIT needs, cheaply
            names += [m.group(1) or m.group(2) for m in WIRE_CREDIT.finditer(sentence)]
        for name in names:
            name = name.strip(" .,;:\"“”")
            if name and len(name.split()) <= 8:
                result.append((name, sentence.strip()))
    return list(dict.fromkeys(result))
