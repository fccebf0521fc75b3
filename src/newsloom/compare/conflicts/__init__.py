"""Conflicts: where outlets state the same frame with incompatible values.

A detector reads the frames a claim states — what is measured (``key``) and its value — and
says when two values cannot both be true. Each detector is one class in its own module,
registered in ``DETECTORS``: numbers and quantities, times of day, dates, places and
directions (who went where), people in roles, and quote wording. ``find_conflicts`` compares
the frames of claims from different independent origins that speak of the same thing (in one
row of the claim table, or alike enough; a detector whose keys are specific enough, such as
who went where, compares across the story) and returns one ``ConflictGroup`` per disputed
frame: the side most origins take, and the others.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..claims import Claim
from .dates import DateDetector
from .numbers import MeasureDetector, NumberDetector
from .places import PlaceDetector
from .quotes import QuoteDetector
from .roles import RoleDetector
from .times import TimeDetector


@dataclass(frozen=True, slots=True)
class Frame:
    """Something a claim states the value of: ``key`` names what (``"person dead"``, ``"age of
    Ayanna Northern"``), ``value`` the value in comparable form, ``phrase`` the claim's words."""

    kind: str
    key: str
    value: str
    phrase: str


@dataclass(frozen=True, slots=True)
class StoryContext:
    """What detectors may need beyond the claim: the story's entity table."""

    entities: object
    texts: tuple[str, ...] = ()


class Detector(Protocol):
    kind: str

    def frames(self, claim: Claim, context: StoryContext) -> list[Frame]: ...

    def disagree(self, a: Frame, b: Frame) -> bool: ...

    def specific(self, frame: Frame) -> bool:
        """Whether the key alone says what is measured (compared across the story); else the
        frame is compared only between claims that speak of the same thing (one row, or alike
        enough — only one row when the detector's ``same_row`` is true)."""

    def explain(self, a: Frame, b: Frame) -> str: ...


DETECTORS: tuple[type, ...] = (NumberDetector, MeasureDetector, TimeDetector, DateDetector, PlaceDetector, RoleDetector,
                               QuoteDetector)


@dataclass(frozen=True, slots=True)
class ConflictGroup:
    """One disputed frame: ``sides`` maps each value to the claims that state it, the value
    most independent origins state first."""

    kind: str
    key: str
    sides: tuple[tuple[str, tuple[Claim, ...], tuple[str, ...]], ...]  # (value, claims, phrases)
    explanation: str


def find_conflicts(claims: list[Claim], score: np.ndarray, rows_of: dict[int, frozenset[int]], context: StoryContext,
                   floor: float, detectors=None) -> list[ConflictGroup]:
    detectors = [d() for d in (detectors or DETECTORS)]
    groups: list[ConflictGroup] = []
    for detector in detectors:
        framed = [(claim, frame) for claim in claims for frame in detector.frames(claim, context)]
        by_key: dict[str, list[tuple[Claim, Frame]]] = defaultdict(list)
        for claim, frame in framed:
            by_key[frame.key].append((claim, frame))
        # one dispute per pair of claims, whatever the keys — except specific keys: a list of
        # people gives each one's age ("Zurita, 21; and Brizuela, 19" / "Zurita, 20 … Brizuela, 18")
        pairs_seen: set[tuple[int, int, str]] = set()
        for key, items in by_key.items():
            disputed: dict[tuple[int, str], tuple[Claim, Frame]] = {}
            explanation = ""
            for n, (a, fa) in enumerate(items):
                for b, fb in items[n + 1:]:
                    if a.origin == b.origin:
                        continue
                    aligned = bool(rows_of.get(a.index, frozenset()) & rows_of.get(b.index, frozenset())) or (
                        not getattr(detector, "same_row", False) and score[a.index, b.index] >= floor)
                    if not aligned and not (detector.specific(fa) and detector.specific(fb)):
                        continue
                    seen = (a.index, b.index, key if detector.specific(fa) else "")
                    if seen not in pairs_seen and detector.disagree(fa, fb):
                        pairs_seen.add(seen)
                        disputed[(a.index, fa.value)] = (a, fa)
                        disputed[(b.index, fb.value)] = (b, fb)
                        explanation = explanation or detector.explain(fa, fb)
            if disputed:
                # every claim that states the frame takes its side, so the majority is counted whole
                for claim, frame in items:
                    if any(fo.value == frame.value for _, fo in disputed.values()):
                        disputed.setdefault((claim.index, frame.value), (claim, frame))
                groups.append(_sides(detector.kind, key, list(disputed.values()), explanation))
    return groups


def _sides(kind: str, key: str, items: list[tuple[Claim, Frame]], explanation: str) -> ConflictGroup:
    by_value: dict[str, list[tuple[Claim, Frame]]] = defaultdict(list)
    for claim, frame in items:
        by_value[frame.value].append((claim, frame))
    ordered = sorted(by_value.items(), key=lambda kv: (-len({c.origin for c, _ in kv[1]}),
                                                        min(c.index for c, _ in kv[1])))
    sides = tuple((value, tuple(c for c, _ in members), tuple(f.phrase for _, f in members))
                  for value, members in ordered)
    return ConflictGroup(kind, key, sides, explanation)
