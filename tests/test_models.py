"""The data model: the day of an ISO string, where undated articles sort, how an outlet is
named, and rows that cannot be changed once made."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsloom.models import NO_DATE, CopyMember, StoredArticle, day_of, outlet_name


@pytest.mark.parametrize("value, day", [("2026-03-14", date(2026, 3, 14)), ("2026-03-14T08:05:00", date(2026, 3, 14)),
                                        ("2026-03-14 08:05", date(2026, 3, 14)), (None, None), ("", None),
                                        ("2026-13-01", None), ("March 14", None), (NO_DATE, None)])
def test_day_of(value, day):
    assert day_of(value) == day


@given(st.dates(), st.times())
def test_an_undated_article_sorts_after_every_dated_one(day, time):
    assert f"{day.isoformat()}T{time.isoformat()}" < NO_DATE and day.isoformat() < NO_DATE


@pytest.mark.parametrize("source, article_id, name", [
    ("Valley Wire", "/in/a.txt", "Valley Wire"),
    (None, "/in/pages/bridge.txt", "unknown outlet (bridge.txt)"),
    (None, "/in/pages/", "unknown outlet (pages)"),
    ("", "wire-7", "unknown outlet (wire-7)"),
])
def test_an_outlet_is_named_by_its_source_else_its_file(source, article_id, name):
    assert outlet_name(source, article_id) == name


def test_stored_rows_are_frozen_and_slotted():
    article = StoredArticle(id="a1", origin="a.txt", title="T", text="Text.", content_hash="h")
    member = CopyMember("a1")
    for row in (article, member):
        with pytest.raises(dataclasses.FrozenInstanceError):
            row.id = "other"
        assert not hasattr(row, "__dict__")


def test_a_stored_article_has_the_articles_columns_in_the_tables_order():
    from newsloom.store import Store

    store = Store(":memory:")
    columns = [row[1] for row in store.db.execute("PRAGMA table_info(articles)")]
    assert columns == [f.name for f in dataclasses.fields(StoredArticle)], \
        "the API's article JSON follows the table's column order"
    store.close()
