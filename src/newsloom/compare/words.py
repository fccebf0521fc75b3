"""Content words: what two pieces of text must share to speak of the same thing."""

from __future__ import annotations

import re
from functools import lru_cache

from ..words import STOP_WORDS

_WORD = re.compile(r"[^\W\d_][\w'’-]+", re.U)


@lru_cache(maxsize=65536)
def content_words(text: str) -> frozenset[str]:
    """Lower-cased content words, crudely stemmed (visit/visiting, consultation/consultations)."""
    words = set()
    for word in _WORD.findall(text.lower().replace("’", "'")):
        word = re.sub(r"'s$", "", word)
        if word in STOP_WORDS or len(word) < 3:
            continue
        words.add(word[:6])
    return frozenset(words)
