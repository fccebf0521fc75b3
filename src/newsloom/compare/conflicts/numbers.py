"""Numbers and quantities: two outlets count the same thing differently.

Counts are keyed by what they count and the outcome that follows ("four people shot" is not
compared with "one person is dead"); ages by whom they describe ("Smith, 23," against
"24-year-old Smith"; "a 3-year-old boy" against "a 4-year-old boy"). Approximations agree with
what they allow ("about 30" with 32, "more than 300" with "350"), two estimates only
themselves ("about 150" against "about 140"); different things counted are
different keys, so a part and a total, or deaths this year and deaths in this shooting, are
not compared: a count in a claim that speaks of a total ("so far", "this year") is keyed apart.
Ages are keyed by the person as the story names them (sister and brother of one surname are
two people). Quantities in units of measure ("a 27-yard line", "73 yards") are compared only
between wordings of one claim (``MeasureDetector``): a story measures many things in one unit.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

_WORD_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS = "|".join(_WORD_NUMBERS)
_WORD_NUMBERS |= {"a": 1, "an": 1}
_APPROX = r"more than|less than|fewer than|at least|at most|about|around|nearly|almost|over|under|up to|some|" \
          r"roughly|approximately|an estimated|dozens of|hundreds of|thousands of"
_COUNT = re.compile(r"(?:\b(" + _APPROX + r")\s+)?\b(\d[\d,]*(?:\.\d+)?|" + _NUMBER_WORDS +
                    r"|(?:a|an)(?![\s-]+(?:\d|(?:" + _NUMBER_WORDS + r")\b)))(\s+and\s+a\s+half)?"
                    r"(?:\s+(?:more|other|additional|young|adult|teenage|unarmed|armed|police))?[\s-]+([a-z]+)", re.I)
# "Smith, 23," / "Smith, 23; …" / "… and Kevin Brizuela, 18." / "Smith, 23, of Vista"
_AGE_NAMED_AFTER = re.compile(r"\b([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}),\s+(\d{1,3})(?=[,;)]|\.?\s*$|\s+of\b)")
# "24-year-old Smith", "identified the 25-year-old as Antian Hardmon"
# not "a 20-year-old Galliano man": a place the person is from, then what they are
_AGE_NAMED_BEFORE = re.compile(r"(?<!then-)(?<!then- )(?<!then )\b(\d{1,3})[\s-]+years?[\s-]+old,?\s+(?:as\s+)?"
                               r"((?:[A-Z][\w'’-]+\b\s*){1,3})(?!\s*(?:man|woman|men|women|boy|girl|teen|teenager|"
                               r"resident|native|student|mother|father|driver|child|youth)\b)")
_AGE_NOUN = re.compile(r"\b(\d{1,3})[\s-]+years?[\s-]+old\s+([a-z]+)")
_OUTCOMES = {"killed": "dead", "dead": "dead", "died": "dead", "slain": "dead", "wounded": "hurt",
             "injured": "hurt", "hurt": "hurt", "hospitalized": "hurt", "shot": "shot", "arrested": "arrested",
             "charged": "arrested", "detained": "arrested", "missing": "missing", "evacuated": "evacuated",
             "rescued": "rescued"}
_OUTCOME = re.compile(r"(?:\W+(?!and\b|but\b)\w+){0,3}?\W+(" + "|".join(_OUTCOMES) + r")\b", re.I)
# an outcome said before the count: "injuring 14 people", "killing two"
_OUTCOME_BEFORE = re.compile(r"\b(injuring|wounding|hurting|killing|arresting|rescuing|evacuating|injured|wounded|"
                             r"killed|arrested|rescued|evacuated)\s+$", re.I)
_BEFORE_OUTCOMES = {"injuring": "hurt", "wounding": "hurt", "hurting": "hurt", "killing": "dead",
                    "arresting": "arrested", "rescuing": "rescued", "evacuating": "evacuated", "injured": "hurt",
                    "wounded": "hurt", "killed": "dead", "arrested": "arrested", "rescued": "rescued",
                    "evacuated": "evacuated"}
_NOT_UNITS = frozenset("""years year old was were is are has had have who and or of to in on at by for with from as the
a an p a.m p.m am pm percent cent times time point points per that than more other""".split())
_IRREGULAR_PLURALS = {"men": "man", "women": "woman", "children": "child", "people": "person", "persons": "person"}
# a count of the story so far, not of this event: "14 rifles in five operations so far"
_CUMULATIVE = re.compile(r"\b(?:so far|in total|altogether|to date|this year|overall|in all|since (?:january|february|"
                         r"march|april|may|june|july|august|september|october|november|december|\d{4}))\b", re.I)
# units of measure: "27-yard line" and "73 yards" measure different things in one story, so
# measures are compared only between wordings of one claim
MEASURES = frozenset("""yard mile foot feet meter metre kilometer kilometre inch pound kilogram ton tonne acre square
degree percent point hour minute second day week month decade mph gallon barrel dollar euro""".split())
TOLERANCE = 0.1  # "about 30" allows 27–33


def singular(noun: str) -> str:
    noun = noun.lower()
    if noun in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[noun]
    if noun.endswith("ies") and len(noun) > 4:
        return noun[:-3] + "y"
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


def _number(text: str) -> float | None:
    value = _WORD_NUMBERS.get(text.lower())
    if value is not None:
        return float(value)
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


@lru_cache(maxsize=8192)
def quantities(text: str) -> tuple[tuple[str, str, float, str], ...]:
    """(key, bound, value, phrase): bound is "=" for an exact count, "~" about, ">" / "<" open."""
    found = []
    for pattern, name_group, age_group in ((_AGE_NAMED_AFTER, 1, 2), (_AGE_NAMED_BEFORE, 2, 1)):
        for match in pattern.finditer(text):
            name = " ".join(match.group(name_group).split())
            age = int(match.group(age_group))
            last = name.split()[-1]
            if 0 < age < 120 and last[0].isupper() and last.lower() not in ("street", "avenue", "road", "county"):
                found.append((f"age of {name}", "=", float(age), match.group(0).strip(" ,")))
    for match in _AGE_NOUN.finditer(text):
        noun = match.group(2)
        if noun not in _NOT_UNITS and noun not in ("and", "who"):
            found.append((f"age of the {singular(noun)}", "=", float(match.group(1)), match.group(0)))
    stripped = _AGE_NOUN.sub(" ", _AGE_NAMED_BEFORE.sub(" ", text))
    total = "total " if _CUMULATIVE.search(text) else ""
    for match in _COUNT.finditer(stripped):
        approximate, number, half, unit = match.groups()
        value = _number(number)
        if value is not None and half:  # "four and a half months"
            value += 0.5
        unit = unit.lower()
        if value is None or unit in _NOT_UNITS or len(unit) < 3 or number.lower() in ("a", "an") and \
                unit not in ("person", "man", "woman", "child", "boy", "girl", "officer", "victim"):
            continue
        if re.fullmatch(r"(?:19|20)\d\d", number):
            continue  # a year
        outcome = _OUTCOME.match(stripped, match.end())
        before = _OUTCOME_BEFORE.search(stripped, 0, match.start())
        if outcome:
            key = f"{singular(unit)} {_OUTCOMES[outcome.group(1).lower()]}"
        elif before:
            key = f"{singular(unit)} {_BEFORE_OUTCOMES[before.group(1).lower()]}"
        else:
            key = singular(unit)
        key = total + key
        bound = "="
        if approximate:
            a = approximate.lower()
            bound = ">" if a in ("more than", "at least", "over", "dozens of", "hundreds of", "thousands of") else \
                "<" if a in ("less than", "fewer than", "at most", "under", "up to") else "~"
        found.append((key, bound, value, match.group(0).strip()))
    return tuple(found)


def _person_key(key: str, context) -> str:
    """An age's key names the person as the story does: "age of Sanchez" and "age of Edgar
    Sanchez" both become the age of the story's longest name that holds those words in order
    ("Edgar Sanchez Rios"), when exactly one does."""
    if not key.startswith("age of ") or key.startswith("age of the ") or context.entities is None:
        return key
    name = key.removeprefix("age of ")
    words = context.entities.canonical(name).split()
    holders = {n for n in context.entities.mentions if _holds(n.split(), words)}
    longest = max((len(n.split()) for n in holders), default=0)
    chosen = sorted(n for n in holders if len(n.split()) == longest)
    return f"age of {chosen[0]}" if len(chosen) == 1 else f"age of {' '.join(words)}"


def _holds(name: list[str], words: list[str]) -> bool:
    """Whether ``words`` appear in ``name`` as a run ("Edgar Sanchez" in "Edgar Sanchez Rios")."""
    return any(name[i:i + len(words)] == words for i in range(len(name) - len(words) + 1))


def by_surname(key: str) -> str:
    """An age's key by the person's last name only ("LaCalamita, 38" and "Anthony LaCalamita,
    38" give the same detail); other keys as they are."""
    if key.startswith("age of ") and not key.startswith("age of the "):
        return f"age of {key.split()[-1]}"
    return key


def counts(text: str) -> dict[str, frozenset[str]]:
    """Exact counts by what they count, for the similarity of two claims."""
    result: dict[str, set[str]] = defaultdict(set)
    for key, bound, value, _ in quantities(text):
        if bound == "=":
            result[by_surname(key)].add(f"{value:g}")
    return {k: frozenset(v) for k, v in result.items()}


def compatible(a: tuple[str, float], b: tuple[str, float]) -> bool:
    (bound_a, x), (bound_b, y) = a, b
    if bound_a == bound_b and bound_a in "=~":  # two exact counts, or two estimates ("about 150" / "about 140")
        return x == y
    for (bound, value), other in (((bound_a, x), y), ((bound_b, y), x)):
        if bound == ">" and other < value:
            return False
        if bound == "<" and other > value:
            return False
        if bound == "~" and abs(other - value) > TOLERANCE * max(value, 1):
            return False
    return True


def _measured(key: str) -> bool:
    return key.split()[-1] in MEASURES or (len(key.split()) > 1 and key.split()[-2] in MEASURES)


class NumberDetector:
    kind = "number"
    measures = False  # counts of things and ages; units of measure are MeasureDetector's

    def __init__(self):
        self._keys: dict[str, str] = {}  # key → the key naming the person as the story does

    def frames(self, claim, context):
        from . import Frame

        frames = []
        found = quantities(claim.text)
        # a claim that gives one key two values speaks of several things: "a 41-year-old woman, a
        # 19-year-old woman" are two women, "a .32-caliber revolver, … a .45-caliber bullet" two guns
        several = {key for key, _, value, _ in found if any(k == key and v != value for k, _, v, _ in found)}
        for key, bound, value, phrase in found:
            if _measured(key) != self.measures or key in several:
                continue
            if key not in self._keys:
                self._keys[key] = _person_key(key, context)
            frames.append(Frame(self.kind, self._keys[key], f"{bound}{value:g}", phrase))
        return frames

    def disagree(self, a, b) -> bool:
        return not compatible((a.value[0], float(a.value[1:])), (b.value[0], float(b.value[1:])))

    def specific(self, frame) -> bool:
        return frame.key.startswith("age of ") and not frame.key.startswith("age of the ")

    def explain(self, a, b) -> str:
        return f"{a.key}: “{a.phrase}” against “{b.phrase}”"


class MeasureDetector(NumberDetector):
    """Quantities in units of measure (yards, miles, hours, percent), compared only between
    wordings of one claim: a story measures many things in the same unit."""

    measures = True
    same_row = True
