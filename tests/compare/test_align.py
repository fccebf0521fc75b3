"""Align: the fitted second pass pairs what the hand-weighted score leaves alone; its model
file is data, checked on load."""

from __future__ import annotations

import json

import pytest

from newsloom.compare import Comparer, CompareConfig
from newsloom.compare.align import SIGNALS, AlignConfig, PairModel
from newsloom.errors import ConfigError
from newsloom.models import StoredArticle

from ..conftest import STORIES_DEV


def gva_story(story: str) -> list[StoredArticle]:
    """A GVA dev story's articles (the ``story`` label only picks the fixture)."""
    with open(STORIES_DEV / "gva.jsonl", encoding="utf-8") as rows:
        picked = [row for row in map(json.loads, rows) if row["story"] == story]
    return [StoredArticle(id=r["id"], origin="test", title=r["title"], text=r["text"], content_hash="",
                          source=r["source"], published=r["date"]) for r in picked]


def corroborated_pair(comparer, articles, first: str, second: str) -> bool:
    return any(r.status == "corroborated" and any(first in e.text for e in r.evidence)
               and any(second in e.text for e in r.evidence) for r in comparer.compare(articles).claims)


def test_the_second_pass_pairs_a_paraphrase_the_first_leaves_alone(comparer, embedder):
    """gva-783601 (fit half): 'She is currently in stable condition' and 'officials said her
    condition is stable' (a sentence the page glued to the next: "…is stable.Garner Police…")."""
    articles = gva_story("gva-783601")
    first, second = "currently in stable condition", "her condition is stable"
    assert corroborated_pair(comparer, articles, first, second)
    first_pass_only = Comparer(CompareConfig(align=AlignConfig(second_threshold=0.999)), embedder=embedder)
    assert not corroborated_pair(first_pass_only, articles, first, second)


def test_the_shipped_model_loads_and_other_files_are_refused():
    model = PairModel.shipped()
    assert set(model.weights) == set(SIGNALS)
    shipped = json.loads(model.to_json("test"))
    with pytest.raises(ConfigError, match="not a newsloom claim aligner"):
        PairModel.from_json(json.dumps(shipped | {"kind": "newsloom cluster model"}).encode(), "other.json")
    with pytest.raises(ConfigError, match="other features"):
        PairModel.from_json(json.dumps(shipped | {"features": ["match"]}).encode(), "old.json")
    with pytest.raises(ConfigError, match="not a JSON model file"):
        PairModel.from_json(b"\x80\x04pickle", "model.pkl")


def test_a_long_sentence_can_back_two_rows_when_the_other_outlet_states_its_facts_apart(comparer):
    """gva-483878 (fit half): one outlet's 'transported the victims to local hospitals' sentence
    also says Chapman died; the other outlet says so in a sentence of its own."""
    articles = gva_story("gva-483878")
    assert corroborated_pair(comparer, articles, "Paramedics rushed Randy Chapman", "transported the victims")
    assert corroborated_pair(comparer, articles, "suffered wounds to his upper body", "transported the victims")
    rows = comparer.compare(articles).claims
    assert len({r.text for r in rows}) == len(rows)  # still no two rows alike


def test_a_sentence_a_page_prints_twice_is_one_claim(comparer):
    """33_ecb (ECB+ dev): one page says "The gun has not been recovered." twice; the table has
    one row for it with the other outlet's "No gun has been recovered.", not two."""
    articles = [StoredArticle(id=n, origin="test", title=n, text=text, content_hash="", source=n)
                for n, text in (("a", "Timmons faces up to 15 years to life if convicted. No gun has been recovered."),
                                ("b", "The gun has not been recovered. Coleman testified on Tuesday. The gun has not "
                                      "been recovered."))]
    rows = [r for r in comparer.compare(articles).claims if "recovered" in r.text]
    assert len(rows) == 1 and rows[0].status == "corroborated"
