"""Status: each aligned row's status and the reason for it, as data.

- ``corroborated``: two or more independent origins state it (copies count once with their
  original, one outlet is one origin). When every outlet attributes it to the same news
  organisation ("the South China Morning Post reported"), the reason says "2 outlets, 1 origin".
- ``single_source``: no other outlet states it; the reason names the closest wording of each
  other outlet and its score, so a reader can check what was not enough.
- ``contested``: outlets state the same frame with incompatible values (from the conflict
  detectors): the row gives its side and the other sides with the kind of conflict.
"""

from __future__ import annotations

import re

import numpy as np

from ..models import ClaimEvidence, ClaimRow, CloseMatch, Conflict, Why
from .align import part_around
from .claims import Claim
from .conflicts import ConflictGroup

_NEWS_ORGANISATION = re.compile(r"\b(?:post|times|news|agency|press|reuters|associated press|ap|afp|tass|xinhua|"
                                r"bbc|cnn|television|tv|radio|journal|herald|tribune|guardian|telegraph|media|"
                                r"newspaper|daily|gazette|wire)\b", re.I)


def evidence_of(claim: Claim, attribution: str | None) -> ClaimEvidence:
    return ClaimEvidence(claim.article, claim.source, claim.text, claim.sentence, claim.start, claim.end, attribution)


def aligned_row(row_id: str, claims: list[Claim], all_claims: list[Claim], score: np.ndarray,
                attributions: dict[int, str | None], threshold: float) -> ClaimRow:
    """The table row of a group of aligned claims (one per article)."""
    origins = {c.origin for c in claims}
    outlets = tuple(dict.fromkeys(c.source for c in claims))
    representative = _representative(claims, score)
    evidence = tuple(evidence_of(c, attributions.get(c.index)) for c in claims)
    if len(origins) >= 2:
        upstream = _common_upstream([attributions.get(c.index) for c in claims])
        if upstream:
            reason = f"{len(outlets)} outlets, 1 origin: every outlet attributes it to {upstream}"
            origin_count = 1
        else:
            reason = f"stated by {len(outlets)} outlets, {len(origins)} independent origins"
            origin_count = len(origins)
        return ClaimRow(row_id, representative.text, "corroborated", outlets, origin_count, evidence, (), Why(reason))
    closest = _closest_elsewhere(claims, all_claims, score)
    if closest:
        best = max(closest, key=lambda m: m.score)
        if best.score >= threshold:  # the closest wording went to a claim it fits better
            reason = (f"no other outlet states it apart from what it says in another row (closest: "
                      f"{best.source}, score {best.score:.2f}, paired with a claim it matches better)")
        else:
            reason = (f"no other outlet states it (closest: {best.source}, score {best.score:.2f} "
                      f"below the {threshold:.2f} needed)")
    else:
        reason = "no other outlet in this story"
    return ClaimRow(row_id, representative.text, "single_source", outlets, 1, evidence, (), Why(reason, closest))


def contested_row(row_id: str, group: ConflictGroup, attributions: dict[int, str | None],
                  taken_texts: set[str]) -> ClaimRow:
    """The row of one disputed frame: its own side, and the other sides as conflicts. When one
    side has more independent origins, the row is the odd side against the majority."""
    sides = list(group.sides)
    origins = [len({c.origin for c in claims}) for _, claims, _ in sides]
    if len(sides) >= 2 and origins[0] > origins[1]:
        sides = sides[1:] + sides[:1]  # the minority's claim is the one a reader should doubt
    value, claims, phrases = sides[0]
    text = claims[0].text
    if text in taken_texts:  # the claim is a row already: this row is about its disputed part
        start, end = part_around(text, phrases[0])
        text = text[start:end] if text[start:end] not in taken_texts else phrases[0]
    evidence = tuple(evidence_of(c, attributions.get(c.index)) for c in claims)
    # one conflict per outlet's sentence and value: an outlet's updated versions of an article
    # repeat the same sentence
    conflicts: dict[tuple[str, str, str], Conflict] = {}
    for _, others, other_phrases in sides[1:]:
        for c, phrase in zip(others, other_phrases):
            conflicts.setdefault((c.source, c.sentence, phrase),
                                 Conflict(group.kind, c.article, c.source, c.sentence, phrase, phrases[0]))
    outlets = tuple(dict.fromkeys([c.source for c in claims] + [c.source for _, o, _ in sides[1:] for c in o]))
    origin_count = len({c.origin for _, o, _ in sides for c in o})
    return ClaimRow(row_id, text, "contested", outlets, origin_count, evidence, tuple(conflicts.values()),
                    Why(f"{group.kind} conflict: {group.explanation}"))


def _representative(claims: list[Claim], score: np.ndarray) -> Claim:
    """The wording closest to the others (the first, for one or two)."""
    if len(claims) <= 2:
        return claims[0]
    indices = [c.index for c in claims]
    centrality = score[np.ix_(indices, indices)].sum(axis=1)
    return claims[int(np.argmax(centrality))]


def _closest_elsewhere(claims: list[Claim], all_claims: list[Claim], score: np.ndarray) -> tuple[CloseMatch, ...]:
    """The best-scoring claim of each other outlet, best first."""
    own = claims[0]
    row = score[own.index]
    best: dict[str, tuple[float, Claim]] = {}
    top = np.argpartition(-row, min(64, len(row) - 1))[:64] if len(row) > 64 else np.arange(len(row))
    for i in sorted(top, key=lambda i: (-row[i], i)):
        other = all_claims[i]
        if other.origin != own.origin and other.source not in best:
            best[other.source] = (float(row[i]), other)
            if len(best) >= 5:
                break
    return tuple(CloseMatch(c.article, c.source, c.text, round(v, 3)) for v, c in best.values())


def _common_upstream(attributions: list[str | None]) -> str | None:
    """The news organisation every wording is attributed to, if they all name the same one."""
    if not attributions or any(a is None for a in attributions):
        return None
    names = {a.lower() for a in attributions}
    if len(names) == 1 and _NEWS_ORGANISATION.search(attributions[0]):
        return attributions[0]
    return None


def detail_row(row_id: str, key: str, members: list[tuple[Claim, int, int]],
               attributions: dict[int, str | None]) -> ClaimRow:
    """A detail two or more origins give in otherwise different claims: each outlet's part of
    its claim that gives it."""
    evidence = tuple(ClaimEvidence(c.article, c.source, c.text[start:end], c.sentence, c.start + start,
                                   c.start + end, attributions.get(c.index)) for c, start, end in members)
    outlets = tuple(dict.fromkeys(c.source for c, _, _ in members))
    origins = len({c.origin for c, _, _ in members})
    what = key.split("=")[0]
    return ClaimRow(row_id, evidence[0].text, "corroborated", outlets, origins, evidence, (),
                    Why(f"stated by {len(outlets)} outlets, {origins} independent origins (the same {what})"))
