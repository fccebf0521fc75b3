"""Times of day: two outlets give different clock times for the same kind of event.

"at 5:30 p.m." against "around 7 p.m." for a shooting: stated times at least half an hour
apart, or a stated time outside the other's open bound ("before 4 a.m." agrees with "2:45
a.m."). The key is the kind of event the claim names (shooting, fight, crash, fire…), so the
time of a shooting is not compared with the time of a press conference.
"""

from __future__ import annotations

import re

_CLOCK = re.compile(
    r"(?:\b(just|shortly|right|sometime|some time)\s+)?(?:\b(before|after|around|about|approximately|near|nearly|"
    r"at|by|until|till|since)\s+)?\b(\d{1,2})(?::(\d\d))?\s*([ap])\.?\s?m\b\.?", re.I)
_EVENTS = {
    "shooting": "shooting", "shootings": "shooting", "shot": "shooting", "shots": "shooting", "gunfire": "shooting",
    "fired": "shooting", "fight": "fight", "fighting": "fight", "argument": "fight", "brawl": "fight",
    "stabbing": "stabbing", "stabbed": "stabbing", "crash": "crash", "collision": "crash", "fire": "fire",
    "blaze": "fire", "explosion": "explosion", "blast": "explosion", "attack": "attack", "robbery": "robbery",
    "earthquake": "earthquake", "quake": "earthquake", "responded": "response", "dispatched": "response",
    "called": "call", "call": "call",
}
TOLERANCE_MINUTES = 30


def clock_times(text: str) -> list[tuple[str, int, str]]:
    """(kind, minutes after midnight, phrase): kind "at" for a stated time, "before"/"after"
    for an open bound."""
    times = []
    for match in _CLOCK.finditer(text):
        closeness, relation, hour, minute, half = match.groups()
        hour, minute = int(hour), int(minute or 0)
        if not 1 <= hour <= 12 or minute > 59:
            continue
        minutes = (hour % 12 + (12 if half.lower() == "p" else 0)) * 60 + minute
        relation = (relation or "at").lower()
        if closeness or relation not in ("before", "after", "by", "until", "till", "since"):
            kind = "at"
        else:
            kind = "after" if relation in ("after", "since") else "before"
        times.append((kind, minutes, match.group(0).strip()))
    return times


def agree(a: tuple[str, int], b: tuple[str, int]) -> bool:
    (kind_a, a_min), (kind_b, b_min) = a, b
    if kind_a != "at" and kind_b != "at":
        return True
    if kind_a != "at":
        (kind_a, a_min), (kind_b, b_min) = b, a
    difference = (b_min - a_min + 720) % 1440 - 720
    if kind_b == "before":
        return difference >= 0
    if kind_b == "after":
        return difference <= 0
    return abs(difference) < TOLERANCE_MINUTES


class TimeDetector:
    kind = "time"

    def frames(self, claim, context):
        from . import Frame

        times = clock_times(claim.text)
        if len(times) != 1:
            return []  # several times in one claim are a sequence, not one value
        events = sorted({_EVENTS[w] for w in re.findall(r"[a-z]+", claim.text.lower()) if w in _EVENTS})
        kind, minutes, phrase = times[0]
        return [Frame(self.kind, f"time of the {event}", f"{kind}:{minutes}", phrase) for event in events]

    def disagree(self, a, b) -> bool:
        kind_a, minutes_a = a.value.split(":")
        kind_b, minutes_b = b.value.split(":")
        return not agree((kind_a, int(minutes_a)), (kind_b, int(minutes_b)))

    def specific(self, frame) -> bool:
        return False

    def explain(self, a, b) -> str:
        return f"{a.key}: “{a.phrase}” against “{b.phrase}”"
