"""The seeds (../shared/seeds/EXPECTED.md) through the real pipeline and the claim table."""

from __future__ import annotations

import re

import pytest

from ..conftest import NEPALKHABAR, OTHER_SEED, SEEDS

NK, OTHER = str(NEPALKHABAR), str(OTHER_SEED)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory, embedder, comparer):
    from newsloom.pipeline import Pipeline
    from newsloom.store import Store

    store = Store(str(tmp_path_factory.mktemp("seeds") / "seeds.db"))
    Pipeline(store, embedder=embedder).ingest([str(SEEDS)])
    (story,) = store.stories()
    articles = store.story_articles(story.id)
    return articles, comparer.compare(articles)


# EXPECTED.md's shared facts: a pattern for NepalKhabar's wording and one for the other outlet's
SHARED = {
    "Wang Yi is visiting Russia": (r"Wang Yi is visiting Russia", r"Wang Yi (has arrived|has gone|will stay)"),
    "four days": (r"four days", r"four-day|until Thursday"),
    "strategic security consultations": (r"strategic security consultations", r"strategic security consultation"),
    "meets Lavrov": (r"Lavrov", r"Lavrov"),
    "Ukraine war main topic": (r"Ukraine war would be a key topic", r"Ukraine war would be the main issue"),
    "NATO in the Asia-Pacific": (r"expansion of Nato forces", r"expansion of NATO forces"),
    "Putin to visit China": (r"Putin (to make a landmark visit to Beijing|said he expected to meet)",
                             r"Putin (may visit China|will be in the Chinese capital)"),
    "Kim met Putin, arms deal": (r"Kim Jong Un that was thought to yield an arms deal",
                                 r"deal related to the supply of arms|met Russian President Vladimir Putin"),
}


def states(row, article: str, pattern: str) -> bool:
    return any(e.article == article and re.search(pattern, e.sentence) for e in row.evidence)


@pytest.mark.parametrize("fact", SHARED)
def test_each_shared_fact_is_a_corroborated_row_backed_by_both_articles(seeds, fact):
    _, comparison = seeds
    nk, other = SHARED[fact]
    rows = [r for r in comparison.claims if r.status == "corroborated" and states(r, NK, nk) and states(r, OTHER, other)]
    assert rows, f"no corroborated row for {fact!r}"
    assert all(r.origins == 2 and len(r.outlets) == 2 for r in rows)


SINGLE = {
    NK: [r"International Criminal Court", r"Belarus and Kyrgyzstan"],
    OTHER: [r"Nikolai Patrushev", r"invitation of", r"Belt and Road", r"shortage of weapons"],
}


def test_single_source_rows_name_their_outlet(seeds):
    _, comparison = seeds
    singles = [r for r in comparison.claims if r.status == "single_source"]
    for article, patterns in SINGLE.items():
        for pattern in patterns:
            assert any(re.search(pattern, r.text) and r.evidence[0].article == article for r in singles), pattern
    for row in singles:
        assert len(row.outlets) == 1 and row.why.closest, "a single-source row names the closest other wording"
        assert row.why.closest[0].source != row.outlets[0]


def test_the_russian_minister_reaching_china_is_contested_against_fact_one(seeds):
    _, comparison = seeds
    (row,) = [r for r in comparison.claims if r.status == "contested"]
    assert "Russian Foreign Minister reaching China" in row.text and row.evidence[0].article == OTHER
    assert {c.kind for c in row.conflicts} == {"place"}
    assert any(c.article == NK and "Wang Yi is visiting Russia" in c.sentence for c in row.conflicts)


def test_rows_are_claims_not_sentences(seeds):
    articles, comparison = seeds
    texts = [r.text for r in comparison.claims]
    assert len(texts) == len(set(texts)), "no two rows with the same text"
    sentences = {}
    for row in comparison.claims:
        for e in row.evidence:
            sentences.setdefault((e.article, e.start, e.end), set()).add(row.status)
    assert all(len(statuses) == 1 for statuses in sentences.values()), "the same words with two statuses"
    assert not any(t.startswith(".") for t in texts)
    assert "Kim Jong Un also reached Russia" not in texts, "a subheading is not a claim"


def test_every_wording_stands_in_its_article_at_its_offsets(seeds):
    articles, comparison = seeds
    text_of = {a.id: a.text for a in articles}
    for row in comparison.claims:
        for e in row.evidence:
            assert text_of[e.article][e.start:e.end] == e.text and e.text in e.sentence
            assert e.sentence in text_of[e.article]
        for c in row.conflicts:
            assert c.sentence in text_of[c.article]
    for item in comparison.summary:
        assert item.text in text_of[item.article]
    assert comparison.headline in {a.title for a in articles}


def test_attribution_follows_the_claim(seeds):
    _, comparison = seeds
    cited = {(e.article, e.attribution) for r in comparison.claims for e in r.evidence if e.attribution}
    assert (NK, "Tass, citing Kremlin") in cited
    assert (OTHER, "South China Morning Post") in cited
    assert any(a == OTHER and s and "Mao Ning" in s for a, s in cited), "'Mao said' resolves to Mao Ning"
    assert any(a == OTHER and s and "Chinese ministry" in s for a, s in cited)
    assert any(a == NK and s and "Russian media reports" in s for a, s in cited)


def test_entities_one_each(seeds):
    _, comparison = seeds
    by_name = {e.name: e for e in comparison.entities}
    assert {"Wang", "Wang Yi"} <= set(by_name["Wang Yi"].mentions)
    assert {"Putin", "Vladimir Putin"} <= set(by_name["Vladimir Putin"].mentions)
    # "UN" (the United Nations) named alone is not the "Un" of Kim Jong Un
    assert {"Kim", "Kim Jong Un"} <= set(by_name["Kim Jong Un"].mentions)
    for name in ("Sergei Lavrov", "Xi Jinping", "Kim Jong Un", "Nikolai Patrushev", "Mao Ning", "Russia", "China",
                 "North Korea", "Ukraine", "NATO", "Tass", "South China Morning Post", "International Criminal Court"):
        assert name in by_name, name
    assert "Nato" not in by_name and "Wang" not in by_name and "Kim" not in by_name
    kinds = [e.label for e in comparison.entities]
    assert "NORP" in kinds and all(kind == "NORP" for kind in kinds[kinds.index("NORP"):]), "nationalities come last"
    assert "Mao Ning" in [e.name for e in comparison.entities[:30]], "the CLI lists 30: a nationality does not push her out"


def test_summary_main_event_first_and_no_repeats(seeds, embedder):
    _, comparison = seeds
    assert "Wang Yi is visiting Russia" in comparison.summary[0].text
    vectors = embedder.encode([s.text for s in comparison.summary])
    similar = vectors @ vectors.T
    assert all(similar[i, j] <= 0.75 for i in range(len(vectors)) for j in range(i))


def test_the_same_story_gives_the_same_table(seeds, comparer):
    articles, comparison = seeds
    assert comparer.compare(articles) == comparison
