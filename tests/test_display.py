"""Names shown to people: every control character escaped, so nothing printed can forge a line."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from newsloom.display import printable, printable_all


def test_control_characters_are_escaped():
    assert printable("a\nb\rc\td") == "a\\nb\\rc\\td"
    assert printable("\x1b[2J") == "\\x1b[2J"
    assert printable("evil\u202etxt.exe") == "evil\\u202etxt.exe"
    assert printable("caf\udcc3\udca9") == "caf\\xc3\\xa9", "bytes of a name that was not UTF-8"
    assert printable("Zoë Lefèvre — 東京") == "Zoë Lefèvre — 東京"
    assert printable(None) is None


@given(st.text())
def test_nothing_printable_breaks_a_line(text):
    shown = printable(text)
    assert len(shown.splitlines()) <= 1 and "\x1b" not in shown


@dataclass(frozen=True)
class Named:
    name: str
    parts: tuple


def test_printable_all_goes_through_dataclasses_dicts_lists_and_tuples():
    value = {"a\nb": [Named("x\ny", ("p\tq", 3))], "n": None}
    assert printable_all(value) == {"a\\nb": [Named("x\\ny", ("p\\tq", 3))], "n": None}
