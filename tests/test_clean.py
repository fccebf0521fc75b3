"""Clean: the seeds clean as EXPECTED.md says; metadata; hostile input never crashes."""

from __future__ import annotations

import pytest

from newsloom.clean import Cleaner, content_hash, split_text_page
from newsloom.ingest import read_inputs
from newsloom.models import Document

from .conftest import EXAMPLES, NEPALKHABAR, OTHER_SEED


def clean_file(path):
    (document,) = list(read_inputs([str(path)]))
    return CLEANER.clean(document)


CLEANER = Cleaner()


def body_sentences(raw: str, start: str, end: str) -> list[str]:
    """The real article lines of a seed, from the line starting with ``start`` to ``end``."""
    lines = [l.strip() for l in raw.splitlines() if l.strip()]
    first = next(i for i, l in enumerate(lines) if l.startswith(start))
    last = next(i for i, l in enumerate(lines) if l.startswith(end))
    return lines[first:last + 1]


def test_nepalkhabar_seed():
    article = clean_file(NEPALKHABAR)
    assert article.title == "China sends Foreign Minister Wang to Russia for security talks"
    assert article.source == "NepalKhabar"
    assert article.dateline == "Moscow"
    assert article.language == "en"
    for gone in ("All rights reserved", "|  Moscow", "(Photo: Getty Images)", "Related News",
                 "UK to tighten immigration", "Man stabs four", "Israel-Hamas truce", "Henry Kissinger"):
        assert gone not in article.text
    raw = NEPALKHABAR.read_text()
    for line in body_sentences(raw, "Chinese Foreign Minister Wang Yi is visiting", "They will also discuss"):
        if "(Photo:" not in line:
            assert line in article.text


def test_other_seed():
    article = clean_file(OTHER_SEED)
    assert article.title.startswith("First Kim, now China’s Chanakya reached Russia, are Putin-Xi Jinping")
    for gone in ("Also read:", "For More Related News Visit World News", "Leave a Comment",
                 "Your email address will not be published", "Scroll to Top"):
        assert gone not in article.text
    raw = OTHER_SEED.read_text()
    for line in body_sentences(raw, "China Russia Relation:", "It is noteworthy that recently"):
        assert " ".join(line.split()) in article.text


def test_every_dropped_line_has_a_reason():
    article = clean_file(NEPALKHABAR)
    reasons = {d.text: d.reason for d in article.dropped}
    assert reasons["© All rights reserved. NepalKhabar"].startswith("copyright")
    assert reasons["Chinese Foreign Minister Wang Yi. (Photo: Getty Images)"].startswith("caption")
    assert all(d.reason for d in article.dropped)


def test_html_page_metadata():
    article = clean_file(EXAMPLES / "coastal-herald-bridge.html")
    assert article.title == "Inspectors arrive at collapsed Harlow Creek bridge"
    assert article.source == "Coastal Herald"
    assert article.published.startswith("2026-03-11")
    assert article.author == "Mirela Santos"
    assert "State inspectors arrived in Riverton" in article.text
    assert "Most read" not in article.text and "Privacy" not in article.text


def test_text_page_date_author_and_outlet_from_title_or_copyright():
    article = clean_file(EXAMPLES / "riverton-gazette-bridge.txt")
    assert article.source == "Riverton Gazette" and article.dateline == "Riverton"
    northfield = clean_file(EXAMPLES / "northfield-daily-bridge.txt")
    assert northfield.author == "Valley Wire staff"
    assert northfield.source == "Northfield Daily"
    assert northfield.dateline == "Riverton"
    marathon = clean_file(EXAMPLES / "sports-desk-marathon.txt")
    assert marathon.published == "2026-03-15"
    assert "You may also like" not in marathon.text and "Cycling" not in marathon.text


def test_content_hash_ignores_case_punctuation_and_spacing():
    assert content_hash("The bridge  fell, said Okafor.") == content_hash("the bridge fell said okafor")
    assert content_hash("The bridge fell.") != content_hash("The bridge stood.")


@pytest.mark.parametrize("html", [
    "<div>" * 5000 + "deep" + "</div>" * 5000,
    "<html><head><title>No body</title></head></html>",
    "\x00\x01\x02 binary <html>",
    "",
])
def test_hostile_html_gives_text_or_a_reason(html):
    article = CLEANER.clean(Document(id="x", origin="x", kind="html", content=html))
    assert article.text or article.dropped


def test_page_without_prose_drops_everything_with_a_reason():
    page = split_text_page("Home\nNews\nSport\n\nSubscribe\nLog in", CLEANER.lines)
    assert page.text == ""
    assert all(d.reason for d in page.dropped)


def test_a_long_paragraph_ending_in_an_ellipsis_is_article_text_in_a_body():
    """AllSides roundup excerpts end in "…"; a short "Read the full story …" line does not stay."""
    from newsloom.clean import clean
    from newsloom.models import Document

    excerpt = ("President Trump on Monday slammed former Secretary of State John Kerry for reportedly holding "
               "meetings with Iranian officials to preserve the nuclear deal, calling it illegal …")
    article = clean(Document(id="a", origin="test", kind="article", content=f"{excerpt}\n\nRead the full story …"))
    assert article.text == excerpt
    assert [d.reason for d in article.dropped] == ["teaser"]
