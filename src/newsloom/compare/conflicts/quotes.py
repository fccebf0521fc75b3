"""Quote wording: two outlets quote the same person for the same thing in different words.

Quotes of at least six words, in claims that speak of the same thing, attributed to the same
speaker (or both unattributed): alike enough to be one remark (a third or more of their
content words shared) yet not the same words. Differences of inflection alone ("start" /
"started") and of punctuation are the same wording.
"""

from __future__ import annotations

import re

_QUOTE = re.compile(r"[\"“]([^\"”]{20,})[\"”]")
MIN_WORDS = 6


def _stems(text: str) -> tuple[str, ...]:
    return tuple(w[:5] for w in re.findall(r"[a-z0-9']+", text.lower()))


class QuoteDetector:
    kind = "quote"

    def frames(self, claim, context):
        from . import Frame

        speaker = "unattributed"
        if claim.speaker and context.entities is not None:
            speaker = context.entities.resolve(claim.speaker)
        return [Frame(self.kind, f"words of {speaker}", quote.strip(), quote.strip())
                for quote in _QUOTE.findall(claim.sentence) if len(quote.split()) >= MIN_WORDS]

    def disagree(self, a, b) -> bool:
        x, y = _stems(a.value), _stems(b.value)
        if x == y or " ".join(x) in " ".join(y) or " ".join(y) in " ".join(x):
            return False  # the same words, or one quotes part of the other
        shared = len(set(x) & set(y)) / max(min(len(set(x)), len(set(y))), 1)
        return 0.5 <= shared < 0.95

    def specific(self, frame) -> bool:
        return False

    def explain(self, a, b) -> str:
        return f"{a.key} worded differently: “{a.phrase}” against “{b.phrase}”"
