"""Claims: each article of a story cut into the statements it makes.

An article is split into sentences (blingfire, which knows abbreviations such as "Va." and
"Mr."), sentences that state nothing are set aside with their reason (headings, captions,
"Updated" lines, app prompts, questions, video transcripts), and each remaining sentence is
cut into claims:

- attribution frames: "X said (that) C", "C, X said", "according to X, C", "X, citing Y, said C"
  give the claim C with X as who is cited for it;
- clauses joined by ";", ", and he/the…", ", but", ", while", ", as", ", after";
- an appositive fact about a named person: "…Nikolai Patrushev, who is co-chairman of …".

Every claim keeps its article, its character offsets in the article text and its sentence,
so each row of the claim table is traced to the words it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEBRIS = (
    ("caption", re.compile(r"\((?:photo|image|picture|file photo|ap photo|reuters)\b|\([A-Z][\w .'-]+/[\w .'-]+\)|^(?:photo|image|file photo|"
                           r"pictured|above|top|left|right|caption|credit)\s*[:|(]|\bphoto(?:graph)?:|getty images|"
                           r"\bap photo\b|/\s*(?:ap|reuters|afp)\b", re.I)),
    ("date line", re.compile(r"^(?:updated|posted|published|last updated|created|modified)\b[\s:]|"
                             r"\b(?:updated|posted|published):\s+(?:[a-z]+day,?\s+)?[a-z]{3,9}\.?\s+\d{1,2},?\s+\d{4}",
                             re.I)),
    ("video transcript", re.compile(r"WEBVTT|\d\d:\d\d:\d\d[.,]\d{3}\s*-->")),
    ("page prompt", re.compile(r"\b(?:download (?:the|our) (?:\w+ )?app|click here|sign up for|subscribe (?:to|now)|"
                               r"follow us on|share this|read more|watch (?:the )?video|all rights reserved|"
                               r"copyright ©|©\s*\d{4}|newsletter|get the app|app store|google play|"
                               r"for more (?:related )?news|leave a comment|cookie (?:policy|settings|consent)|"
                               r"may not be (?:published|reproduced)|mobile app|news alerts|like loading|"
                               r"registration|confirmation email|sign in|log in|click (?:the|on the|below|to)\b|"
                               r"terms of (?:service|use)|privacy policy|information provided by|"
                               r"thank you for (?:registering|reading|subscribing)|verification (?:email|message|link)|"
                               r"spam (?:or junk )?folder|^just one more thing)|\s\|\s*share\s*$", re.I)),
    ("copyright line", re.compile(r"^\W*(?:copyright|©)\s*(?:\(c\)\s*)?\d{4}\b|©\s*\d{4}", re.I)),
    ("source note", re.compile(r"^\W*\([^()]{2,40}\b(?:article|video|report|photo)\)\W*$", re.I)),
    ("update promise", re.compile(r"\bwill (?:continue to )?(?:follow|update|monitor) this (?:\w+ )?story|"
                                  r"\b(?:additional|more) (?:information|details) (?:will follow|to (?:follow|come))|"
                                  r"\bwe will (?:send|bring you|post|share) more\b|"
                                  r"\bcheck back (?:later|for updates)|\bstay with us\b|\balways at your service\b|"
                                  r"\bwe look forward to seeing you\b", re.I)),
    ("caption", re.compile(r"\((?:left|right|center|centre|top|bottom|inset|pictured|front|"
                           r"(?:second|third) from (?:left|right))\)", re.I)),
    ("tip line prompt", re.compile(r"^(?:anyone with (?:any )?information|if you have (?:any )?information|"
                                   r"people with information)\b|\basking (?:anyone|the public|people|those) with "
                                   r"(?:any )?information\b", re.I)),
    # a photographer's credit: "… Abel Uribe / Chicago Tribune A plainclothes officer …", "… | Sam Charles"
    ("caption", re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+ / (?:[A-Z][\w.&'-]*\s){1,3}(?=[A-Z])|"
                           r"\|\s*(?:[A-Z][a-z]+\s){1,2}[A-Z][a-z]+\s*$")),
)
# "Advertisement" (or "Story continues below") glued to the next sentence by the page's text
_GLUED = re.compile(r"^(?:advertisement|story continues below(?: advertisement)?|continue reading(?: below)?"
                    r"|skip ad|ad)\s+(?=[A-Z\"“])", re.I)
_LEADING_DEBRIS = re.compile(r"^[\s.,;:|•·*#>\-–—]+")
# a wire dateline opening the first sentence: "RIVERTON — ", "LOUISVILLE, KY (WAVE) - ",
# "SALT LAKE CITY — ", "NORFOLK, Va. (WVEC) --" (the place is the article's dateline, not a claim)
_DATELINE = re.compile(r"^[A-Z][A-Z.'’-]{3,}(?:\s+[A-Z][A-Z.'’-]+){0,3}(?:,\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2})?"
                       r"\s*(?:\([^()\n]{1,40}\)\s*)?[—–-]{1,2}\s*(?=[A-Z\"“])")
_TERMINAL = re.compile(r"[.!?…\"”’')\]]\s*$")

# verbs of saying; those that also mean something else ("employers added 194,000 jobs") cite a
# speaker at the start of a sentence only when "that", a colon or a quote follows
SPEECH_VERBS = ("said", "says", "told", "tells", "stated", "explained", "wrote", "declared", "insisted", "warned",
                "testified", "tweeted", "announced", "announces", "reported", "reports", "confirmed", "confirms",
                "added", "noted", "claimed", "denied", "acknowledged", "posted")
AMBIGUOUS_VERBS = ("announced", "announces", "reported", "reports", "confirmed", "confirms", "added", "noted",
                   "claimed", "denied", "acknowledged", "posted", "wrote")
_VERBS = "|".join(SPEECH_VERBS)
_PLAIN_VERBS = "|".join(v for v in SPEECH_VERBS if v not in AMBIGUOUS_VERBS)
_AMBIGUOUS = "|".join(AMBIGUOUS_VERBS)
# a speaker: a short noun phrase (a name with its title, "police", "the Chinese ministry")
_SPEAKER = r"(?P<speaker>(?:[A-Z][\w’'.-]*|the|a|an|police|officials?|authorities|investigators|prosecutors|" \
           r"witnesses|neighbou?rs|residents|sources|experts|analysts|he|she|they|it)" \
           r"(?:[ -](?:[A-Z][\w’'.-]*|of|the|for|and|de|news|agency|media|spokes\w+|officials?|police|ministry|" \
           r"department|office|chief|minister|president|leader|officer|sheriff|county|city|state|said)){0,7}?)"
_SAID_THAT = re.compile(r"^" + _SPEAKER + r"(?:,\s*citing (?P<cited>[^,]{2,60}),)?\s+(?:(?:" + _PLAIN_VERBS +
                        r")(?:\s+(?:on|in|at)\s+\w+(?:\s+\w+)?)?(?:\s+(?:that|how)\b|\s*:|\s*,)?|(?:" + _AMBIGUOUS +
                        r")(?:\s+(?:on|in|at)\s+\w+(?:\s+\w+)?)?(?:\s+that\b|\s*:|\s*,?\s*(?=[\"“])))\s+(?=\S)")
_SAID_AFTER = re.compile(r"[,—–]\s*[\"”’]?\s*(?:" + _SPEAKER + r"\s+(?:" + _VERBS + r")|(?:" + _VERBS + r")\s+"
                         + _SPEAKER.replace("speaker", "speaker2") + r")(?:\s+(?:on|in)\s+\w+)?(?P<tail>[^.]{0,60})"
                         r"[.!]?[\"”’]?\s*$")
_ACCORDING_FIRST = re.compile(r"^according to (?:the )?(?:report of |reports? (?:by|from|in) )?(?P<speaker>[^,]{2,80}),\s+",
                              re.I)
_ACCORDING_LAST = re.compile(r",?\s+according to (?:the )?(?:report of |reports? (?:by|from|in) )?"
                             r"(?P<speaker>[^,.]{2,80})[.!]?\s*$", re.I)
_CLAUSE = re.compile(r";\s+|,\s+(?:and|but|while|whereas|although|though|as|after|before|because|since)\s+"
                     r"(?=(?:the|a|an|he|she|they|it|his|her|their|its|we|police|[A-Z][\w’'-]*)\b)"
                     r"|(?<=[”\"])\s+and\s+(?=[a-z]+ing\b)"
                     r"|\s+and\s+(?=(?:the|he|she|they|it|his|her|their|police)(?:\s+\w+){0,3}\s+(?:would|will|was|were|is|"
                     r"are|has|have|had|said|did)\b)")
_APPOSITIVE = re.compile(r"(?P<name>(?:[A-Z][\w’'.-]+\s+){0,3}[A-Z][\w’'.-]+),\s+(?:who|which)\s+(?:is|was|are|were|has|had)\s+"
                         r"(?P<rest>[^,;]{8,}?)(?:,|;|\.|$)")
MIN_WORDS = 4


@dataclass(frozen=True, slots=True)
class Claim:
    """One statement of one article: its words, where they stand, who is cited for them."""

    index: int
    article: str
    source: str
    origin: str
    text: str
    start: int
    end: int
    sentence: str
    sentence_start: int
    speaker: str | None = None
    cited: str | None = None  # whom the speaker cites ("Tass, citing the Kremlin")
    published: str | None = None
    position: float = 0.0  # where in the article, 0 (lead) … 1 (end)


@dataclass(frozen=True, slots=True)
class SetAside:
    """A sentence that is not a claim, and why."""

    article: str
    sentence: str
    reason: str


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``: lines are hard breaks, blingfire splits lines;
    a sentence that opens a quote it does not close is joined with the next (up to three)."""
    spans = []
    for line in re.finditer(r"[^\n]+", text):
        if not line.group(0).strip():
            continue
        pieces, cursor = [], 0
        for sentence in text_to_sentences(line.group(0)).split("\n"):
            sentence = sentence.strip()
            found = line.group(0).find(sentence, cursor) if sentence else -1
            if found < 0:  # blingfire normalised the spacing: the rest of the line is one sentence
                if cursor < len(line.group(0)) and line.group(0)[cursor:].strip():
                    pieces.append((line.start() + cursor, line.end()))
                break
            pieces.append((line.start() + found, line.start() + found + len(sentence)))
            cursor = found + len(sentence)
        spans += _join_open_quotes(text, [part for piece in pieces for part in _unglue(text, *piece)])
    return spans


# a sentence end with no space after it, as pages glue paragraphs: "…in critical condition.Police
# say…", "…gunshots were reported."Police got the call." (two lower-case letters or digits before
# the stop, so "U.S.Army" and "a.m." stay whole)
_GLUED_END = re.compile(r"(?<=[a-z0-9%)]{2})[.!?](?P<quote>[\"“”]?)(?=[\"“]?[A-Z][a-z])")


def _unglue(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span cut at its glued sentence ends; a quote mark at the cut goes with the sentence
    whose quote it closes, else with the next."""
    parts, cursor = [], start
    for match in _GLUED_END.finditer(text, start, end):
        cut = match.end()
        if match.group("quote"):
            before = text[cursor:match.start()]
            closes = before.count('"') % 2 == 1 or before.count("“") > before.count("”")
            cut = match.end() if closes else match.end() - 1
        parts.append((cursor, cut))
        cursor = cut
    parts.append((cursor, end))
    return [(s, e) for s, e in parts if text[s:e].strip()]


def text_to_sentences(line: str) -> str:
    """blingfire's ``text_to_sentences`` (the sentences of ``line``, one a line), with its output
    buffer's size rounded up to a power of two: ctypes makes a new array type for every buffer
    size it is asked for (blingfire asks for twice the line's bytes), which was half the time
    of splitting an article."""
    import ctypes

    import blingfire

    data = line.encode("utf-8")
    buffer = ctypes.create_string_buffer(1 << max(2 * len(data) - 1, 1).bit_length())
    length = blingfire.blingfire.TextToSentences(ctypes.c_char_p(data), ctypes.c_int(len(data)),
                                                 ctypes.byref(buffer), ctypes.c_int(len(buffer)))
    return "" if length == -1 or length > len(buffer) else buffer.value.decode("utf-8")


def _join_open_quotes(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    joined, i = [], 0
    while i < len(spans):
        start, end = spans[i]
        j = i
        while _open_quote(text[start:end]) and j + 1 < len(spans) and j - i < 3:
            j += 1
            end = spans[j][1]
        joined.append((start, end))
        i = j + 1
    return joined


def _open_quote(sentence: str) -> bool:
    straight = sentence.count('"') % 2 == 1
    curly = sentence.count("“") > sentence.count("”")
    return straight or curly


_DEBRIS_HINT = re.compile(r"photo|image|pictur|caption|credit|getty|/|\||updated|posted|published|created|modified|"
                          r"webvtt|-->|download|click|sign up|subscri|follow us|share this|read more|watch|"
                          r"rights reserved|©|copyright|newsletter|app|google play|related news|comment|cookie|"
                          r"alerts|loading|regist|email|sign in|log in|terms of|privacy|provided by|thank you|verification|spam|"
                          r"one more thing|share|"
                          r"information|details|article|video|report|story|service|seeing you|stay with|check back|"
                          r"\((?:left|right|center|centre|top|bottom|inset|front|second|third)", re.I)


def debris_reason(sentence: str) -> str | None:
    """Why a sentence states nothing to compare, or None when it may."""
    words = sentence.split()
    if len(words) < MIN_WORDS:
        return "too short to state anything"
    if _DEBRIS_HINT.search(sentence):
        for reason, pattern in DEBRIS:
            if pattern.search(sentence):
                return reason
    if sentence.rstrip(" \"”’").endswith("?"):
        return "a question"
    if not _TERMINAL.search(sentence) and len(words) <= 15:
        return "a heading (no closing punctuation)"
    letters = [c for c in sentence if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        return "a heading (capitals)"
    return None


def article_claims(article, source: str, origin: str, first_index: int = 0) -> tuple[list[Claim], list[SetAside]]:
    """The claims of one stored article and the sentences set aside."""
    text = article.text
    claims: list[Claim] = []
    aside: list[SetAside] = []
    length = max(len(text), 1)
    for start, end in split_sentences(text):
        raw = text[start:end]
        # strip debris glued to the front (".China's…", "Advertisement The…") and a dateline
        lead = _LEADING_DEBRIS.match(raw)
        cut = lead.end() if lead else 0
        for prefix in (_GLUED, _DATELINE):
            found = prefix.match(raw[cut:])
            if found:
                cut += found.end()
        start += cut
        sentence = text[start:end].strip()
        if not sentence:
            continue
        reason = debris_reason(sentence)
        if reason:
            aside.append(SetAside(article.id, sentence, reason))
            continue
        for piece_start, piece_end, speaker, cited in _pieces(sentence):
            piece = sentence[piece_start:piece_end]
            if len(piece.split()) < MIN_WORDS - 1 or not re.search(r"[^\W\d_]{3}", piece):
                continue
            claims.append(Claim(
                index=first_index + len(claims), article=article.id, source=source, origin=origin, text=piece,
                start=start + piece_start, end=start + piece_end, sentence=sentence, sentence_start=start,
                speaker=speaker, cited=cited, published=article.published, position=start / length))
    return claims, aside


def _pieces(sentence: str) -> list[tuple[int, int, str | None, str | None]]:
    """(start, end, speaker, cited) of the claims of one sentence, offsets within it."""
    start, end, speaker, cited = 0, len(sentence), None, None
    match = _ACCORDING_FIRST.match(sentence)
    if match:
        speaker, start = match.group("speaker"), match.end()
    else:
        match = _SAID_THAT.match(sentence)
        if match and _plausible_speaker(match.group("speaker")):
            speaker, cited, start = match.group("speaker"), match.group("cited"), match.end()
    if speaker is None or start == 0:
        match = _ACCORDING_LAST.search(sentence, start)
        if match:
            speaker, end = match.group("speaker"), match.start()
        else:
            match = _SAID_AFTER.search(sentence, start)
            if match:
                who = match.group("speaker") or match.group("speaker2")
                if _plausible_speaker(who):
                    speaker, end = who, match.start()
    start, end = _trim(sentence, start, end)
    pieces = []
    for clause_start, clause_end in _clauses(sentence, start, end):
        pieces.append((clause_start, clause_end, speaker, cited))
    appositive = _APPOSITIVE.search(sentence, start, end)
    if appositive and len(pieces) == 1:
        rest_end = appositive.end("rest")
        # the main statement without the appositive, when the appositive closes the sentence
        if rest_end >= end - 2 and appositive.start("name") > start + 10:
            main_end = _trim(sentence, start, appositive.end("name"))[1]
            pieces = [(start, main_end, speaker, cited)]
        pieces.append((appositive.start("name"), rest_end, speaker, cited))
    return pieces


def _clauses(sentence: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, cursor = [], start
    for match in _CLAUSE.finditer(sentence, start, end):
        if _inside_quote(sentence, match.start()):
            continue
        left = _trim(sentence, cursor, match.start())
        if len(sentence[left[0]:left[1]].split()) >= MIN_WORDS:
            spans.append(left)
            cursor = match.end()
    last = _trim(sentence, cursor, end)
    if len(sentence[last[0]:last[1]].split()) >= MIN_WORDS or not spans:
        spans.append(last)
    else:  # a short tail stays with the clause before it
        spans[-1] = (spans[-1][0], last[1])
    return spans


def _inside_quote(sentence: str, position: int) -> bool:
    before = sentence[:position]
    return before.count('"') % 2 == 1 or before.count("“") > before.count("”")


def _trim(sentence: str, start: int, end: int) -> tuple[int, int]:
    """Offsets without surrounding spaces, commas and a closing full stop."""
    while start < end and sentence[start] in " ,;:—–-":
        start += 1
    while end > start and sentence[end - 1] in " ,;:—–-.":
        end -= 1
    return start, end


_PRONOUN_SPEAKERS = {"he", "she", "they", "it", "we", "i", "this", "that", "which", "who"}


def _plausible_speaker(phrase: str | None) -> bool:
    """A cited speaker names someone: not a bare number or a long clause ("US employers added only 194")."""
    if not phrase:
        return False
    words = phrase.split()
    if len(words) > 8 or any(w[0].isdigit() for w in words):
        return False
    return True
