"""Quote wording: two outlets quote the same person for the same thing in different words.

Each sentence of a quote (four words or more) is compared with the other outlets' quote
sentences attributed to the same speaker — across the story when the speaker is named, else
in claims that speak of the same thing: alike enough to be one remark (half or more of their
content words shared) yet not the same words. Differences of inflection alone ("start" /
"started") and of punctuation are the same wording.
"""

from __future__ import annotations

import re

from ...words import STOP_WORDS

_QUOTE = re.compile(r"[\"“]([^\"”]{12,})[\"”]")
_QUOTE_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SAID_BY = re.compile(r"[\"”,]\s*(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3})\s+(?:said|says|added|told)\b")
MIN_WORDS = 4


def _stems(text: str) -> tuple[str, ...]:
    return tuple(w[:5] for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in STOP_WORDS)


def quote_sentences(sentence: str) -> list[str]:
    """The sentences of the quotes in a sentence, each of ``MIN_WORDS`` words or more."""
    found = []
    for quote in _QUOTE.findall(sentence):
        found += [q.strip(" ,") for q in _QUOTE_SENTENCE.split(quote) if len(q.split()) >= MIN_WORDS]
    return found


class QuoteDetector:
    kind = "quote"

    def frames(self, claim, context):
        from . import Frame

        speaker = claim.speaker
        if not speaker:
            said = _SAID_BY.search(claim.sentence)
            speaker = said.group("name") if said else None
        if speaker and context.entities is not None:
            speaker = context.entities.resolve(speaker)
        key = f"words of {speaker or 'unattributed'}"
        return [Frame(self.kind, key, quote, quote) for quote in quote_sentences(claim.sentence)]

    def disagree(self, a, b) -> bool:
        x, y = _stems(a.value), _stems(b.value)
        if not x or not y or x == y or " ".join(x) in " ".join(y) or " ".join(y) in " ".join(x):
            return False  # the same words, or one quotes part of the other
        shared = len(set(x) & set(y)) / max(min(len(set(x)), len(set(y))), 1)
        return 0.5 <= shared < 0.95

    def specific(self, frame) -> bool:
        """A named speaker's words are compared across the story: one remark quoted twice."""
        return frame.key != "words of unattributed" and frame.key.split()[-1][:1].isupper()

    def explain(self, a, b) -> str:
        return f"{a.key} worded differently: “{a.phrase}” against “{b.phrase}”"
