"""Attribution: who each outlet cites for each claim.

The claims step keeps the speaker phrase of "X said …", "according to X", "…, X said" and the
source X cites ("Tass, citing the Kremlin"). Here the phrase is resolved to the story's entity
("Mao" → Mao Ning, "Russian news agency Tass" → Tass), so the claim table and the list of who
is cited for what speak of the same people.
"""

from __future__ import annotations

import re

from ..models import Attribution
from .claims import Claim
from .entities import EntityTable

_QUOTE = re.compile(r"[\"“]([^\"”]{8,})[\"”]")
PRONOUNS = frozenset("he she they it we i you this that who".split())


def attribute(claims: list[Claim], entities: EntityTable) -> dict[int, str | None]:
    """claim index → who the outlet cites for it ("Tass, citing Kremlin"), or None."""
    result: dict[int, str | None] = {}
    for claim in claims:
        if not claim.speaker or claim.speaker.lower() in PRONOUNS:
            result[claim.index] = None  # "she said": who she is, the sentence does not say
            continue
        speaker = entities.resolve(claim.speaker)
        if claim.cited:
            speaker += f", citing {entities.resolve(claim.cited)}"
        result[claim.index] = speaker
    return result


def attributions(claims: list[Claim], cited: dict[int, str | None]) -> list[Attribution]:
    """The story's list of who is cited for what, one entry per (article, speaker, claim)."""
    found, seen = [], set()
    for claim in claims:
        speaker = cited.get(claim.index)
        if not speaker:
            continue
        quotes = _QUOTE.findall(claim.text)
        kind = "quote" if quotes else "according_to" if claim.sentence.lower().find("according to") >= 0 else "said"
        key = (claim.article, speaker, claim.text)
        if key in seen:
            continue
        seen.add(key)
        found.append(Attribution(claim.article, claim.source, speaker, kind, quotes[0] if quotes else claim.text,
                                 claim.sentence))
    return found
