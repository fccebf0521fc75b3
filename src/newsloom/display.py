"""Names shown to people: ids, file names, titles and outlets with their control characters
escaped, so a file called ``a\\nb`` prints as ``a\\nb`` on one line and cannot forge a line of
output (or move the cursor, or reorder the text with a bidirectional override)."""

from __future__ import annotations

import dataclasses
import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# C0 and C1 controls, DEL, the Unicode line and paragraph separators, bidirectional overrides,
# and the lone surrogates by which Python keeps bytes of a file name that were not UTF-8
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str | None) -> str | None:
    """``text`` with each control character written as an escape (``\\n``, ``\\x1b``, ``\\u202e``)."""
    if text is None:
        return None
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    char = match.group()
    if "\udc80" <= char <= "\udcff":  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{ord(char) - 0xdc00:02x}"
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable_all(value):
    """``value`` with ``printable`` applied to every string inside it: through dataclasses,
    dicts, lists and tuples (for output made of many values, like a story report)."""
    if isinstance(value, str):
        return printable(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: printable_all(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    if isinstance(value, dict):
        return {printable_all(k): printable_all(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(printable_all(v) for v in value)
    return value
