"""Entities: the people, places and organisations a story names, one each whatever the
article calls them ("Mr Wang", "Wang", "China's top diplomat" → Wang Yi).

Names are found by their capitals (a capitalised word that opens a sentence counts only when
it is not a common English word: wordfreq says how common). Titles are stripped ("Foreign
Minister Wang Yi" → Wang Yi) and a surname alone goes to the full name it belongs to. The
kind of each entity is read off its words and surroundings: a title before it (a person), an
organisation word in it ("Ministry", "Council", "Post"), a nationality adjective.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from ..models import Entity

TITLE_WORDS = ("mr", "mrs", "ms", "dr", "sir", "president", "prime minister", "minister", "foreign minister",
               "spokesperson", "spokesman", "spokeswoman", "leader", "dictator", "chief", "general", "gov", "governor",
               "sen", "senator", "rep", "representative", "mayor", "judge", "sheriff", "officer", "sgt", "sergeant",
               "lt", "capt", "captain", "det", "detective", "deputy", "chancellor", "secretary", "king", "queen",
               "prince", "pope", "coach", "the")
_TITLE = re.compile(r"^(?:" + "|".join(re.escape(t) for t in TITLE_WORDS) + r")\.?\s+", re.I)
ORG_WORDS = frozenset("""ministry council court post times news agency party police department office university
committee commission bank company corp inc ltd association union organization organisation institute foundation
service services administration bureau board force army navy council mechanism summit house senate congress
parliament government tribune herald journal press network club league authority hospital school church""".split())
_CONNECTORS = ("of", "de", "del", "la", "al", "bin", "van", "von", "der", "for")
_NAME = re.compile(r"[A-Z][\w’'.-]*[\w]|[A-Z]")
_WORD = r"(?:[A-Z][a-z]{1,2}\.(?=\s+[A-Z])|[A-Z][\w’'.-]*[\w]|[A-Z]\.)"  # "St. Brendan's", "U.S."
_PHRASE = re.compile(_WORD + r"(?:\s+(?:(?:" + "|".join(_CONNECTORS) + r")\s+)?" + _WORD + r")*")
_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:an|ian|ese|ish|i|ch|ic)$")


@lru_cache(maxsize=65536)
def _common(word: str) -> bool:
    """A common English word (sentence-initial "The", "Police", "Earlier" are not names)."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") >= 3.0


def strip_title(text: str) -> str:
    text = re.sub(r"['’]s$", "", text.strip())
    previous = None
    while previous != text:
        previous, text = text, _TITLE.sub("", text)
    return text.strip(" .,")


_CALENDAR = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december jan feb aug sept oct nov dec""".split())
# a nationality and an office before a name ("Chinese Foreign Minister Wang Yi" → Wang Yi)
_OFFICE = re.compile(r"^(?:(?:[A-Z][a-z]+(?:an|ese|ish|ian|i|ch)|U\.?S\.?|UN)\s+)?(?:(?:Foreign|Prime|Defen[cs]e|Interior|"
                     r"Finance|Security|Vice|Deputy|Acting|Former|State|Chief|Top)\s+)*(?:Minister|President|Secretary|"
                     r"Chancellor|Premier|Leader|Ambassador|Envoy|General|Governor|Senator|Spokesperson|Spokesman|"
                     r"Spokeswoman|Dictator|Chief|Director|Mayor|Judge|Sheriff|King|Queen)\s+(?=[A-Z])")


_PLACE_WORDS = frozenset("hospital church cathedral college school park square street avenue road bridge".split())


def _split_possessive(phrase: str, start: int) -> list[tuple[str, int]]:
    """"North Korea's Kim Jong Un" → "North Korea", "Kim Jong Un" (but "St. Brendan's Hospital"
    is one name)."""
    pieces = re.split(r"(?<=['’]s) ", phrase)
    if len(pieces) == 2 and len(pieces[1].split()) == 1 and pieces[1].lower() in _PLACE_WORDS | ORG_WORDS:
        return [(phrase, start)]
    parts, offset = [], 0
    for piece in pieces:
        parts.append((piece, start + offset))
        offset += len(piece) + 1
    return parts


def mentions(sentence: str, known: frozenset[str] = frozenset()) -> list[tuple[str, int, int]]:
    """(mention, start, end) of the capitalised names in a sentence; ``known``: names (lower
    case) seen inside sentences, which count when they open one ("Russia is facing…")."""
    found = []
    for match in _PHRASE.finditer(sentence):
        for mention, mention_start in _split_possessive(match.group(0).rstrip("."), match.start()):
            found += _mention(sentence, mention, mention_start, known)
    return found


def _mention(sentence: str, phrase: str, start: int, known: frozenset[str]) -> list[tuple[str, int, int]]:
    """The name in one capitalised phrase: its office and a closing month or weekday left
    out, a common word that only opens the sentence dropped (none when nothing is left)."""
    phrase = re.sub(r"['’]s$", "", phrase)
    office = _OFFICE.match(phrase)
    if office and office.end() < len(phrase):
        start += office.end()
        phrase = phrase[office.end():]
    words = phrase.split()
    if words and words[-1].lower() in _CALENDAR:
        words = words[:-1]
    at_start = start == 0 or sentence[:start].rstrip().endswith(("\"", "“", ":", "(", "—"))
    # "The White House" → "White House"
    while words and (at_start or len(words) > 1) and words[0].lower() in ("the", "a", "an", "in", "on", "at"):
        start += len(words[0]) + 1
        words = words[1:]
        at_start = False
    if not words or (len(words) == 1 and (words[0].lower() in TITLE_WORDS or words[0].lower() in _CALENDAR
                                           or (at_start and _common(words[0]) and words[0].lower() not in known)
                                           or len(words[0]) < 2)):
        return []
    phrase = " ".join(words)
    return [(phrase, start, start + len(phrase))]


def kind_of(name: str, context: str) -> str:
    """PERSON, ORG, NORP (a nationality) or NAME (a place or anything else)."""
    words = name.split()
    if any(w.lower() in ORG_WORDS for w in words):
        return "ORG"
    if len(words) == 1 and _DEMONYM.match(name) and not context.endswith(("in", "to", "from")):
        return "NORP"
    last = context.split(",")[-1].strip().rsplit(" ", 1)[-1].lower().rstrip(".") if context else ""
    if last in TITLE_WORDS and last != "the":
        return "PERSON"
    return "NAME"


@dataclass
class EntityTable:
    """Story entities: every spelling → one canonical name, with its mentions and kinds."""

    alias: dict[str, str] = field(default_factory=dict)
    mentions: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    kinds: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    articles: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    known: frozenset[str] = frozenset()

    @classmethod
    def build(cls, sentences: list[tuple[str, str]]) -> EntityTable:
        """From (article id, sentence) pairs."""
        table = cls()
        raw = []
        people: Counter = Counter()
        known = frozenset(m.lower() for _, sentence in sentences for m, start, _ in mentions(sentence) if start > 0)
        table.known = known
        for article, sentence in sentences:
            for mention, start, _ in mentions(sentence, known):
                name = strip_title(mention)
                if not name or not name[0].isalpha():
                    continue
                before = sentence[max(0, start - 40):start]
                titled = name != mention and not mention.lower().startswith("the ")
                kind = "PERSON" if titled and len(name.split()) <= 3 else kind_of(name, before.strip())
                raw.append((article, mention, name, kind))
                if kind == "PERSON" or (len(name.split()) in (2, 3) and kind == "NAME"):
                    people[name] += 1
        # one part of a name alone ("Putin", "Wang", "Mao") goes to the full name it belongs to,
        # a surname before a first name, the most named full name first
        full_by_part: dict[str, str] = {}
        # (as written: "UN" alone is not the "Un" of Kim Jong Un)
        alone = {name for _, _, name, _ in raw if " " not in name}
        # "China Russia Relation" names no person: two of its words are names of their own
        people = Counter({n: c for n, c in people.items() if sum(w in alone for w in n.split()) <= 1})
        for position in (-1, 0, 1):
            for name in sorted(people, key=lambda n: (-people[n], -len(n.split()), n)):
                parts = name.split()
                if len(parts) >= 2 and len(parts) > abs(position) and len(parts[position]) >= 3:
                    part = parts[position]
                    if not (_DEMONYM.match(part) or part.lower() in TITLE_WORDS or part.lower() in ORG_WORDS):
                        full_by_part.setdefault(part.lower(), name)
        for article, mention, name, kind in raw:
            canonical = name
            if len(name.split()) == 1 and not name.isupper() and name.lower() in full_by_part:
                canonical = full_by_part[name.lower()]
                kind = "PERSON"
            canonical = table.alias.setdefault(canonical.lower(), canonical)
            table.alias[mention.lower()] = canonical
            table.alias[name.lower()] = canonical
            table.mentions[canonical][mention] += 1
            table.kinds[canonical][kind] += 1
            table.articles[canonical].add(article)
        for canonical in list(table.mentions):
            shown = table._spelling(canonical)
            if shown != canonical:
                table._rename(canonical, shown)
        return table

    def _spelling(self, canonical: str) -> str:
        """How to write a name spelt in several cases: in capitals when it is an acronym's
        length or mostly written so (NATO over Nato), else as most often written (a dateline's
        RIVERTON is Riverton)."""
        written = Counter({m: n for m, n in self.mentions[canonical].items() if m.lower() == canonical.lower()})
        upper = [m for m in written if m.isupper() and len(m) > 1]
        if not written or (not upper and not canonical.isupper()):
            return canonical
        if upper and (len(upper[0]) <= 5 or 2 * sum(written[m] for m in upper) > sum(written.values())):
            return upper[0]
        return max((m for m in written if not m.isupper()), key=lambda m: written[m], default=canonical)

    def _rename(self, old: str, new: str) -> None:
        self.mentions[new] += self.mentions.pop(old)
        self.kinds[new] += self.kinds.pop(old)
        self.articles[new] |= self.articles.pop(old)
        for key, value in self.alias.items():
            if value == old:
                self.alias[key] = new

    def canonical(self, mention: str) -> str:
        return self.alias.get(mention.lower()) or self.alias.get(strip_title(mention).lower()) or strip_title(mention)

    def kind(self, name: str) -> str:
        kinds = self.kinds.get(name)
        return kinds.most_common(1)[0][0] if kinds else "NAME"

    def in_text(self, text: str) -> frozenset[str]:
        """The canonical entities a piece of text names (nationalities left out)."""
        return frozenset(c for c in (self.canonical(m) for m, _, _ in mentions(text, self.known))
                         if self.kind(c) != "NORP")

    def resolve(self, phrase: str) -> str:
        """A speaker phrase as the story's entity it names ("Russian news agency Tass" → Tass,
        "Mao" → Mao Ning), else the phrase itself without its article."""
        phrase = re.sub(r"^(?:the|a|an)\s+", "", phrase.strip(" .,;:\"“”"), flags=re.I)
        found = [m for m in mentions(phrase, self.known) if self.kind(self.canonical(m[0])) != "NORP"]
        if found:
            head = found[-1]  # "Russian news agency Tass" → Tass
            canonical = self.canonical(head[0])
            if len(head[0]) >= 0.5 * len(phrase) or self.kind(canonical) in ("PERSON", "ORG") \
                    or phrase.endswith(head[0]):
                return canonical
        return phrase

    def entities(self) -> list[Entity]:
        """The story's entities, the most widely named first; nationalities ("Russian") after
        the people, places and organisations, so that a list cut short keeps those."""
        result = [Entity(name, self.kind(name), tuple(sorted(m)), len(self.articles[name]))
                  for name, m in self.mentions.items()]
        return sorted(result, key=lambda e: (e.label == "NORP", -e.articles, -sum(self.mentions[e.name].values()),
                                             e.name))
