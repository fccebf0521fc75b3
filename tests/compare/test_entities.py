"""Story entities: one name each, written as the articles mostly write it."""

from __future__ import annotations

from pathlib import Path

from newsloom.compare.claims import split_sentences
from newsloom.compare.entities import EntityTable

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "corpus"


def sentences(article_id: str, text: str) -> list[tuple[str, str]]:
    return [(article_id, text[start:end]) for start, end in split_sentences(text)]


def test_a_datelines_capitals_are_not_the_names_spelling():
    """The bundled Northfield Daily article opens "RIVERTON — A section of…" and then writes
    Riverton; the seeds write NATO and Nato: an acronym keeps its capitals."""
    text = (EXAMPLES / "northfield-daily-bridge.txt").read_text(encoding="utf-8")
    body = text[text.index("RIVERTON —"):]
    table = EntityTable.build(sentences("northfield", body) + [
        ("seed-a", "They will also discuss the expansion of Nato forces in the Asia-Pacific region."),
        ("seed-b", "They will discuss the expansion of NATO forces and infrastructure in the Asia-Pacific.")])
    names = {entity.name: entity for entity in table.entities()}
    assert "Riverton" in names and "RIVERTON" not in names
    assert {"RIVERTON", "Riverton"} <= set(names["Riverton"].mentions)
    assert "NATO" in names and "Nato" not in names
    assert table.canonical("RIVERTON") == "Riverton"
