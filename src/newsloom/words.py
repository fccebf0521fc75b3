"""English words newsloom needs, one list each: the stop words (clustering's terms and
entities, the line classifier's fallback for languages wordfreq does not know, the content words
the claim comparison matches on) and the months (the dates cleaning finds in a page, the dates
the timeline resolves)."""

from __future__ import annotations

STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once
only or other our ours ourselves out over own said same says she should so some such than that the their theirs them
themselves then there these they this those through to too under until up very was we were what when where which while
who whom why will with would you your yours yourself yourselves mr mrs ms new one two three told according after
year years people time would could also just like get got us per cent percent
""".split())

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
MONTH_NUMBERS = ({name: number for number, name in enumerate(MONTHS, start=1)}
                 | {name[:3]: number for number, name in enumerate(MONTHS, start=1)} | {"sept": 9})
"""A month's number by its name or abbreviation, lower case: ``march``, ``mar`` and ``sept`` alike."""
