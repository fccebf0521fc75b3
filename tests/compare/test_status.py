"""Status: corroborated counts independent origins (copies once, one shared upstream once);
single-source rows say what came closest."""

from __future__ import annotations

from newsloom.compare import independent_origins

from .helpers import article

SCMP = ("Chinese Foreign Minister Wang Yi will stay in Russia until Thursday for the annual strategic security "
        "consultation meetings, the South China Morning Post reported.")


def rows_of(comparer, *articles):
    return comparer.compare(list(articles)).claims


def test_two_outlets_citing_one_news_organisation_are_one_origin(comparer):
    """The seeds' second outlet re-reports the South China Morning Post; a third outlet doing
    the same adds an outlet, not an origin."""
    rows = rows_of(comparer, article("a", "outlet a", SCMP), article("b", "outlet b", SCMP.replace("will stay", "stays")))
    (row,) = [r for r in rows if r.status == "corroborated"]
    assert row.origins == 1 and row.why.reason.startswith("2 outlets, 1 origin")


def test_a_copy_counts_once_with_its_original(comparer):
    original = article("wire", "Wire", "The Harlow Creek bridge collapsed into the Mill River on Tuesday morning.")
    copy = article("copy", "Gazette", original.text, duplicate_of="wire")
    assert independent_origins([original, copy]) == {"wire": "outlet:Wire", "copy": "outlet:Wire"}
    assert {r.status for r in rows_of(comparer, original, copy)} == {"single_source"}


def test_a_single_source_row_names_the_closest_wording_of_each_other_outlet(comparer):
    rows = rows_of(comparer,
                   article("nk", "NepalKhabar", "Mr Putin last ventured onto foreign soil in December 2022 when he "
                                                "visited Belarus and Kyrgyzstan."),
                   article("other", "other outlet", "Russia is facing shortage of weapons due to war."))
    for row in rows:
        assert row.status == "single_source" and len(row.why.closest) == 1
        assert row.why.closest[0].source != row.outlets[0] and "no other outlet states it" in row.why.reason
