"""Render: a story report (its JSON shape) for the terminal, on the seeds."""

from __future__ import annotations

from newsloom.render import render_story_text
from newsloom.report import story_data

from .conftest import SEEDS


def test_the_claim_table_compactly_with_a_mark_per_outlet(store, pipeline, comparer):
    pipeline.ingest([str(SEEDS)])
    (story,) = store.stories()
    data = story_data(store, story.id, comparer)
    text = render_story_text(data)
    lines = text.splitlines()
    assert lines[0] == "Story #1: China sends Foreign Minister Wang to Russia for security talks"
    assert "  [1] NepalKhabar" in lines and "  [2] unknown outlet (001_dc5a2832e058e991.txt)" in lines
    rows = [line for line in lines if line.startswith("    c") or line.startswith("   c")]
    assert len(rows) == len(data["claims"])
    assert any(" ●● agreed " in line for line in rows) and any(" ●· single " in line for line in rows)
    assert any(" ✕✕ CONTESTED " in line for line in rows)
    assert any("vs NepalKhabar:" in line and "(place)" in line for line in lines)


def test_a_name_with_control_characters_stays_on_its_line(store, pipeline, comparer):
    pipeline.ingest([str(SEEDS)])
    data = story_data(store, 1, comparer)
    data["articles"][0]["title"] = "Forged\n  - Evil | headline"
    text = render_story_text(data)
    assert "Forged\\n  - Evil | headline" in text and "\n  - Evil" not in text
