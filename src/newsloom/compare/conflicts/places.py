"""Places and directions: who went where.

"Chinese Foreign Minister Wang Yi is visiting Russia" against "the Russian Foreign Minister
reaching China": the same office, the two countries swapped. A traveller is an office holder
(minister, president, envoy…) whose country is said beside the office ("Chinese Foreign
Minister", "China's top diplomat") or beside their name elsewhere in the story; the
destination is the place after the travel verb. Countries are compared by the stem of their
name and adjective ("Russia", "Russian", "Russia's").
"""

from __future__ import annotations

import re

ROLES = r"(?:foreign minister|prime minister|defen[cs]e minister|minister|president|premier|chancellor|envoy|" \
        r"ambassador|secretary of state|secretary|delegation|leader|king|queen|top diplomat)"
_PLACE = r"[A-Z][a-z]+(?:['’]s)?"
_TRAVEL = r"(?:visit(?:s|ed|ing)?|(?:has |have )?arriv(?:e|es|ed|ing) (?:in|at)|reach(?:es|ed|ing)?|" \
          r"travel(?:s|led|ed|ling|ing)? to|(?:went|goes|going|flew|flies|flying|headed|heads|heading) to|" \
          r"land(?:s|ed|ing)? in|(?:on )?(?:a|an|his|her)? ?(?:\w+-day |official |state )?visit to)"
_TRAVELLER = re.compile(r"(?:(?P<country>" + _PLACE + r")\s+)?(?:(?:top )?[a-z]+ and )?(?P<role>" + ROLES +
                        r")(?:\s+(?P<name>(?:[A-Z][\w’'-]+\s*){1,3}))?[^.;]{0,60}?\b" + _TRAVEL +
                        r"\s+(?P<destination>" + _PLACE + r")", re.I)
_NATIONALITY_OF = re.compile(r"(?P<country>" + _PLACE + r")\s+(?:" + ROLES + r"\s+)?(?:and\s+\w+\s+\w+\s+)?"
                             r"(?P<name>[A-Z][\w’'-]+\s+[A-Z][\w’'-]+)")


_TRAVEL_HINT = re.compile(r"visit|arriv|reach|travel|went to|goes to|going to|flew|flies|flying|head|land", re.I)


def stem(word: str) -> str:
    return re.sub(r"['’]s$", "", word.lower())[:4]


class PlaceDetector:
    kind = "place"

    def __init__(self):
        self._nationality: dict[str, str] | None = None

    def _nationalities(self, context) -> dict[str, str]:
        if self._nationality is None:
            self._nationality = {}
            for text in getattr(context, "texts", ()):
                for match in _NATIONALITY_OF.finditer(text):
                    country = match.group("country")
                    if country[0].isupper() and country.lower() not in ("the", "and", "but"):
                        self._nationality.setdefault(match.group("name").split()[-1].lower(), stem(country))
        return self._nationality

    def frames(self, claim, context):
        from . import Frame

        frames = []
        if not _TRAVEL_HINT.search(claim.text):
            return frames
        for match in _TRAVELLER.finditer(claim.text):
            role = match.group("role").lower().replace("top diplomat", "foreign minister")
            country = match.group("country")
            origin = stem(country) if country and country[0].isupper() else None
            if origin is None and match.group("name"):
                origin = self._nationalities(context).get(match.group("name").split()[-1].lower())
            destination = stem(match.group("destination"))
            if not origin or origin == destination:
                continue
            pair = "/".join(sorted((origin, destination)))
            frames.append(Frame(self.kind, f"{role} travelling between {pair}", f"{origin}>{destination}",
                                match.group(0)))
        return frames

    def disagree(self, a, b) -> bool:
        return a.value != b.value

    def specific(self, frame) -> bool:
        return True

    def explain(self, a, b) -> str:
        x, y = a.value.split(">")
        return f"who went where: the {x}… {a.key.split(' travelling')[0]} going to {y}… against “{b.phrase}”"
