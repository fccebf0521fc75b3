"""Timeline: relative dates resolved in the direction of the claim's tense."""

from __future__ import annotations

from newsloom.compare.timeline import dates_in, resolve


def test_weekdays_resolve_forward_for_what_is_ahead_and_backward_for_what_happened():
    wednesday = "2023-09-20"
    assert dates_in("He was shot on Thursday night.", wednesday) == (("2023-09-14", "on Thursday"),)
    assert dates_in("The minister will arrive on Thursday.", wednesday) == (("2023-09-21", "on Thursday"),)
    assert dates_in("A vote could come as soon as Wednesday.", "2023-09-18") == (("2023-09-20", "as soon as Wednesday"),)
    assert dates_in("Wang Yi will stay in Russia until Thursday.", "2023-09-18") == (("2023-09-21", "until Thursday"),)
    assert dates_in("Police said on Monday that the suspect will appear in court.", wednesday)[0] == \
        ("2023-09-18", "on Monday")


def test_months_and_dates():
    assert resolve("next month", "2023-09-18", ahead=True) == "2023-10"
    assert resolve("in March", "2023-09-18") == "2023-03"
    assert resolve("December 2022", None) == "2022-12"
    assert resolve("Sept. 29", "2015-10-01") == "2015-09-29"
    assert resolve("on Monday", None) is None
    assert dates_in("She may visit the site.", "2023-09-18") == ()
