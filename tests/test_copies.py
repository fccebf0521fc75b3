"""Copies: exact, near and partial copies found on real text; groups do not depend on arrival
order; deleting an article removes it from the index; old signatures expire."""

from __future__ import annotations

import json
import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from newsloom.clean import content_hash
from newsloom.copies import CopyConfig, CopyDetector, MemoryBands, MemoryLookup, ShingleHasher
from newsloom.store import Store

from .conftest import STORIES_DEV


def gva_articles(n=40):
    rows = [json.loads(line) for line in open(STORIES_DEV / "gva.jsonl", encoding="utf-8")]
    return [r for r in rows if len(r["text"].split()) > 250][:n]


def copies_of(article, rng):
    paragraphs = [p for p in article["text"].split("\n") if p.strip()]
    trimmed = "\n\n".join(paragraphs[: max(2, int(len(paragraphs) * 0.8))])
    intro = "Neighbours said on Monday they had heard several shots before police arrived in the street."
    return [
        {"id": f"{article['id']}-exact", "text": article["text"].upper(), "date": article["date"]},
        {"id": f"{article['id']}-trim", "text": intro + "\n\n" + trimmed, "date": article["date"]},
    ]


def run(stream, detector=None):
    detector = detector or CopyDetector(MemoryBands(), MemoryLookup(), CopyConfig())
    lookup = detector.lookup
    for item in stream:
        digest = content_hash(item["text"])
        lookup.add(item["id"], item["text"], item["date"], digest)
        lookup.apply(detector.process(item["id"], item["text"], digest, item["date"]))
    return {i: lookup.duplicate_of.get(i, i) for i in lookup.articles}


def test_copies_found_and_groups_independent_of_order():
    rng = random.Random(3)
    originals = gva_articles()
    stream = [dict(id=a["id"], text=a["text"], date=a["date"]) for a in originals]
    for a in originals:
        stream += copies_of(a, rng)
    first = run(stream)
    for a in originals:
        assert first[f"{a['id']}-exact"] == first[f"{a['id']}-trim"] == first[a["id"]]
    shuffled = stream[:]
    rng.shuffle(shuffled)
    assert run(shuffled) == first


def test_relation_kinds():
    hasher = ShingleHasher(5)
    detector = CopyDetector(MemoryBands(), MemoryLookup(), CopyConfig())
    (a,) = gva_articles(1)
    text = a["text"]
    words = text.split()
    full = np.unique(hasher(text))
    assert detector.relation(full, np.unique(hasher(text.upper())))[0] == "exact"
    assert detector.relation(full, np.unique(hasher(" ".join(words[:-10]))))[0] == "near"
    kind, share = detector.relation(np.unique(hasher(" ".join(words[: len(words) // 2]))), full)
    assert kind == "partial" and share > 0.95


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=300))
def test_shingles_of_one_text_equal_shingles_in_a_batch(text):
    hasher = ShingleHasher(5)
    batch = hasher.many(["first text of the batch here", text, "last one"])
    assert np.array_equal(batch[1], hasher(text))


def test_delete_and_expiry_keep_the_index_in_step(tmp_path, embedder):
    from newsloom.pipeline import Pipeline

    articles = gva_articles(6)
    source = tmp_path / "a.jsonl"
    dates = ["2016-05-01", "2016-05-02", "2016-05-03", "2016-05-04", "2016-05-05", "2016-09-30"]
    source.write_text("\n".join(json.dumps({"id": a["id"], "title": a["title"], "text": a["text"], "date": day})
                                for a, day in zip(articles, dates)))
    store = Store(str(tmp_path / "c.db"))
    pipeline = Pipeline(store, embedder=embedder)
    report = pipeline.ingest([str(source)])
    assert report.counts["expired from copy index"] == 5 * 42, "May is over 30 days before the newest article"
    victim = articles[5]["id"]
    assert store.db.execute("SELECT COUNT(*) FROM minhash_bands WHERE article_id = ?", (victim,)).fetchone()[0] == 42
    pipeline.delete(victim)
    assert store.db.execute("SELECT COUNT(*) FROM minhash_bands WHERE article_id = ?", (victim,)).fetchone()[0] == 0
    assert store.count("minhash_bands") == 0
    store.close()


def test_cited_sources_are_recorded(store, pipeline):
    from .conftest import OTHER_SEED

    pipeline.ingest([str(OTHER_SEED)])
    names = {c.name for c in store.citations(str(OTHER_SEED))}
    assert any("South China Morning Post" in name for name in names)


def test_near_copies_are_looked_for_within_the_window_and_the_same_text_at_any_distance():
    """A GVA article rewritten at the top and republished two years later is a new article;
    the same text two years later is still a copy."""
    rng = random.Random(5)
    article = gva_articles(1)[0]
    later = f"{int(article['date'][:4]) + 2}{article['date'][4:]}"
    exact, trimmed = copies_of(article, rng)
    same_day = run([dict(id=article["id"], text=article["text"], date=article["date"]), trimmed])
    original = dict(id=article["id"], text=article["text"], date=article["date"])
    assert same_day[trimmed["id"]] == article["id"]
    assert run([original, dict(trimmed, date=later)])[trimmed["id"]] == trimmed["id"]
    assert run([original, dict(exact, date=later)])[exact["id"]] == article["id"]


def test_removing_an_original_relinks_its_copies_to_the_next_original():
    article = gva_articles(1)[0]
    exact, trimmed = copies_of(article, random.Random(1))
    stream = [dict(id=article["id"], text=article["text"], date="2016-05-01"),
              dict(exact, date="2016-05-03"), dict(trimmed, date="2016-05-02")]
    detector = CopyDetector(MemoryBands(), MemoryLookup(), CopyConfig())
    assert set(run(stream, detector).values()) == {article["id"]}
    assert detector.remove(exact["id"]) == [], "a copy leaves without changing its group"
    assert exact["id"] not in detector.storage.keys
    detector.storage.add(exact["id"], [1], "2016-05-03")
    (link,) = detector.remove(article["id"])
    assert (link.article, link.original) == (exact["id"], trimmed["id"]), "the earliest copy is the new original"
    assert link.kind in ("near", "partial")


def test_signatures_older_than_the_window_before_the_newest_article_expire():
    bands = MemoryBands()
    detector = CopyDetector(bands, MemoryLookup(), CopyConfig(window_days=30))
    for i, day in enumerate(["2024-01-01", "2024-02-15", "2024-03-01"]):
        bands.add(f"a{i}", [i], day)
    assert detector.expire(None) == 0 and detector.expire("not a date") == 0
    assert detector.expire("2024-03-10") == 1 and set(bands.keys) == {"a1", "a2"}
