"""Citations: the sources an article names, found by their wording (real sentences of the seeds)."""

from __future__ import annotations

from newsloom.citations import cited_sources, source_phrases

from .conftest import NEPALKHABAR, OTHER_SEED


def test_according_to_citing_and_reported():
    assert source_phrases("According to the report of South China Morning Post, Wang Yi has gone to Russia.") == [
        ("South China Morning Post", "according_to")]
    phrases = source_phrases("Russian news agency Tass, citing the Kremlin, said he would meet Sergei Lavrov.")
    assert ("Kremlin", "according_to") in phrases
    assert source_phrases("Wang Yi will stay in Russia until Thursday, the South China Morning Post reported.") == [
        ("South China Morning Post", "said")]
    assert source_phrases("Russia is facing shortage of weapons due to war.") == []


def test_each_seed_cites_its_sources():
    nepal = {name for name, _ in cited_sources(NEPALKHABAR.read_text())}
    other = {name for name, _ in cited_sources(OTHER_SEED.read_text())}
    assert {"Kremlin", "Russian media reports"} <= nepal
    assert any("South China Morning Post" in name for name in other)
    assert ("AP", "WASHINGTON (AP) — The Senate voted on Tuesday.") in cited_sources(
        "WASHINGTON (AP) — The Senate voted on Tuesday.")
