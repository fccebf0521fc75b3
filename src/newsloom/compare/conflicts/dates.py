"""Dates: two outlets put the same event on different days.

Weekdays and dates are resolved against each article's publication date in the direction of
the claim's tense ("early Monday" in a Wednesday article is two days before; "Sept. 29" is that
date), and two days that differ for claims about the same thing disagree. Claims without a
publication date give no frame. Only wordings of one claim (one row of the table) are compared:
a story speaks of many days (the collapse on Tuesday, the inspectors on Wednesday).
"""

from __future__ import annotations

import re

from ..words import content_words
from ..timeline import dates_in

CONTEXT_WORDS = 6


class DateDetector:
    kind = "date"
    same_row = True  # a story has many days: only two wordings of one claim are compared

    def frames(self, claim, context):
        from . import Frame

        days = [(d, e) for d, e in dates_in(claim.text, claim.published) if re.fullmatch(r"\d{4}-\d\d-\d\d", d)]
        if len(days) != 1 or not claim.published:
            return []
        day, expression = days[0]
        before = claim.text[:max(claim.text.find(expression), 0)]
        context = " ".join(sorted(content_words(" ".join(before.split()[-CONTEXT_WORDS:]))))
        return [Frame(self.kind, "day of the event", f"{day}|{context}", expression)]

    def disagree(self, a, b) -> bool:
        """Different days for the same happening: the words before the two dates share one
        ("collapsed … on Tuesday" against "collapsed … on Wednesday"; "arrived on Wednesday"
        speaks of something else)."""
        day_a, context_a = a.value.split("|")
        day_b, context_b = b.value.split("|")
        return day_a != day_b and bool(set(context_a.split()) & set(context_b.split()))

    def specific(self, frame) -> bool:
        return False

    def explain(self, a, b) -> str:
        return f"the day: “{a.phrase}” ({a.value.split('|')[0]}) against “{b.phrase}” ({b.value.split('|')[0]})"
