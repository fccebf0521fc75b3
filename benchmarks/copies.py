"""Copy detection: precision and recall of copy links on copies made the way outlets make
them, and the signature + index query rate, for rensa (chosen) and datasketch in one run.

Test set: 500 real articles (400 from GVA with >= 150 words, 100 from AllSides with >= 60)
as originals; for each, one copy at a random strength — outlet boilerplate added at top and
bottom, a new local intro paragraph (half of them), the last paragraphs cut to keep 100, 80,
60 or 40 % of the text, 2 % of the words changed, paragraphs reordered (a third of them). As
negatives, every other article of the same labelled story in the set (similar, independently
written). Pairs of articles that are already copies of each other in the data (containment of
5-word shingles >= 0.5) are reported apart, not counted as false links. All articles are
ingested in a shuffled order through newsloom's pipeline (cleaning, outlet boilerplate, copy
detection) with the copies attributed to six invented outlets, each with its own boilerplate.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import load_set  # noqa: E402

from newsloom.copies import CopyConfig, MemoryBands, ShingleHasher, band_keys, signatures  # noqa: E402
from newsloom.pipeline import Pipeline, PipelineConfig  # noqa: E402
from newsloom.store import Store  # noqa: E402

OUTLETS = {  # invented outlets, each with the boilerplate it adds to every article
    f"Copy Outlet {n}": (top, bottom) for n, (top, bottom) in enumerate([
        ("Subscribe to our newsletter for the day's top stories.", "Copyright 2024. All rights reserved. This "
         "material may not be published, broadcast, rewritten or redistributed."),
        ("Advertisement", "Follow us on Facebook and Twitter for more local news."),
        ("This story was shared from our partners.", "Have a news tip? Email our newsroom or call us any time."),
        ("Listen to this article", "Sign up for breaking news alerts on your phone."),
        ("Local news you can trust, delivered daily.", "Comments on this story are closed."),
        ("Our coverage is free thanks to readers like you.", "More stories from across the region below."),
    ])
}
INTRO = ("Residents here have been following the case closely, and local officials said on {day} that they "
         "would share more details with the community as soon as they could.")
KEEP = (1.0, 0.8, 0.6, 0.4)


def pick_originals(rng: random.Random) -> tuple[list[dict], list[dict]]:
    gva = [r for r in load_set("gva") if len(r["text"].split()) >= 150]
    allsides = [r for r in load_set("allsides") if len(r["text"].split()) >= 60]
    originals = rng.sample(gva, 400) + rng.sample(allsides, 100)
    stories = {r["story"] for r in originals}
    chosen = {r["id"] for r in originals}
    negatives = [r for r in gva + allsides if r["story"] in stories and r["id"] not in chosen]
    return originals, negatives


def make_copy(original: dict, rng: random.Random) -> tuple[dict, float]:
    paragraphs = [p for p in original["text"].split("\n") if p.strip()]
    if len(paragraphs) < 3:  # short excerpts: cut by sentences instead
        paragraphs = [s for s in original["text"].replace(". ", ".\n").split("\n") if s.strip()]
    keep = rng.choice(KEEP)
    total = sum(len(p.split()) for p in paragraphs)
    kept, words = [], 0
    for p in paragraphs:
        if words >= keep * total and kept:
            break
        kept.append(p)
        words += len(p.split())
    if rng.random() < 1 / 3 and len(kept) > 2:
        middle = kept[1:]
        rng.shuffle(middle)
        kept = kept[:1] + middle
    edited = []
    for p in kept:
        tokens = p.split()
        for i in range(len(tokens)):
            if rng.random() < 0.02:
                tokens[i] = rng.choice(["also", "reportedly", "then", "still", "locally"])
        edited.append(" ".join(tokens))
    outlet = rng.choice(sorted(OUTLETS))
    top, bottom = OUTLETS[outlet]
    intro = [INTRO.format(day=rng.choice(["Monday", "Friday"]))] if rng.random() < 0.5 else []
    text = "\n\n".join([top] + intro + edited + [bottom])
    return {"id": f"copy-of-{original['id']}", "title": f"Copy: {original['title']}", "text": text,
            "date": original.get("date"), "source": outlet}, words / total


def detect(stream: list[dict], config: CopyConfig) -> dict[str, str]:
    """Ingest the stream through newsloom's pipeline (cleaning, outlet boilerplate, copies);
    return article → root of its copy group."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "stream.jsonl"
        source.write_text("\n".join(json.dumps({k: r.get(k) for k in ("id", "title", "text", "date", "source")})
                                    for r in stream))
        store = Store(str(Path(tmp) / "copies.db"))
        Pipeline(store, PipelineConfig(copies=config)).ingest([str(source)])
        roots = {a.id: a.duplicate_of or a.id for a in store.iter_articles()}
        store.close()
    return roots


def score(roots: dict[str, str], family: dict[str, str], natural: set[frozenset]) -> dict:
    groups = defaultdict(set)
    for article, root in roots.items():
        groups[root].add(article)
    true_links = false_links = natural_links = 0
    for members in groups.values():
        members = sorted(members)
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if family.get(a) is not None and family.get(a) == family.get(b):
                    true_links += 1
                elif frozenset((a, b)) in natural:
                    natural_links += 1
                else:
                    false_links += 1
    return {"true": true_links, "false": false_links, "natural": natural_links}


def rate(texts: list[str], config: CopyConfig) -> tuple[float, float]:
    """Articles per second: shingles + rensa signatures + band keys + index query and insert;
    the same with datasketch (MinHash.bulk + MinHashLSH)."""
    from datasketch import MinHash, MinHashLSH

    hasher = ShingleHasher(config.shingle_words)
    start = time.perf_counter()
    keys = band_keys(signatures(hasher.many(texts), config), config)
    bands = MemoryBands()
    for n, row in enumerate(keys.tolist()):
        bands.candidates(row)
        bands.add(str(n), row, None)
    rensa_rate = len(texts) / (time.perf_counter() - start)

    hasher = ShingleHasher(config.shingle_words)
    start = time.perf_counter()
    sets = hasher.many(texts)
    minhashes = MinHash.bulk([s.view("S8").tolist() for s in sets], num_perm=config.num_perm, seed=1)
    lsh = MinHashLSH(num_perm=config.num_perm, params=(config.bands, config.rows))
    for n, m in enumerate(minhashes):
        lsh.query(m)
        lsh.insert(str(n), m)
    datasketch_rate = len(texts) / (time.perf_counter() - start)
    return rensa_rate, datasketch_rate


def make_test_set() -> dict:
    """The stream (originals, their copies, same-story negatives, shuffled), which original
    each copy belongs to (``family``), how much of it each copy kept (``strength``), and the
    pairs already copies in the data (``natural``; ``extended`` adds their copies)."""
    rng = random.Random(7)
    config = CopyConfig()
    originals, negatives = pick_originals(rng)
    family, strength, stream = {}, {}, []
    for original in originals:
        copy, kept = make_copy(original, rng)
        family[original["id"]] = family[copy["id"]] = original["id"]
        strength[copy["id"]] = kept
        stream += [original, copy]
    stream += negatives
    rng.shuffle(stream)
    # copies already in the data (wire text shared by two outlets) are real, not false links
    hasher = ShingleHasher(config.shingle_words)
    real = [r for r in originals + negatives]
    sets = {r["id"]: np.unique(hasher(r["text"])) for r in real}
    by_story = defaultdict(list)
    for r in real:
        by_story[r["story"]].append(r["id"])
    natural = set()
    for ids in by_story.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                common = len(np.intersect1d(sets[a], sets[b], assume_unique=True))
                if common / max(min(len(sets[a]), len(sets[b])), 1) >= 0.5:
                    natural.add(frozenset((a, b)))
    # a copy of an article that has a natural copy may join that group too
    extended = set(natural)
    for pair in natural:
        a, b = tuple(pair)
        extended |= {frozenset((f"copy-of-{a}", b)), frozenset((f"copy-of-{b}", a)),
                     frozenset((f"copy-of-{a}", f"copy-of-{b}"))}
    return {"originals": originals, "negatives": negatives, "family": family, "strength": strength,
            "stream": stream, "natural": natural, "extended": extended}


def measure(engine: str, test: dict) -> dict:
    """Ingest the test stream with ``engine``; the links found and recall by strength."""
    start = time.perf_counter()
    roots = detect(test["stream"], CopyConfig(engine=engine))
    elapsed = time.perf_counter() - start
    family, strength = test["family"], test["strength"]
    counts = score(roots, family, test["extended"])
    recall = {}
    for low, high in ((0.9, 1.01), (0.7, 0.9), (0.6, 0.7), (0.0, 0.6), (0.6, 1.01)):
        chosen = [c for c, k in strength.items() if low <= k < high]
        recall[(low, high)] = (sum(1 for c in chosen if roots[c] == roots[family[c]]), len(chosen))
    return {"counts": counts, "precision": counts["true"] / max(counts["true"] + counts["false"], 1),
            "recall": recall, "rate": len(test["stream"]) / elapsed}


def gate_figures() -> dict[str, float]:
    """The figures `benchmarks/gate.py` holds to their floors: the chosen engine's precision
    and its recall on copies keeping >= 60 % and < 60 % of the original (full test set)."""
    result = measure("rensa", make_test_set())
    found, total = result["recall"][(0.6, 1.01)]
    low_found, low_total = result["recall"][(0.0, 0.6)]
    return {"precision": result["precision"], "recall_60": found / total, "recall_below_60": low_found / low_total}


def main():
    test = make_test_set()
    originals, negatives = test["originals"], test["negatives"]
    print(f"stream: {len(originals)} originals, {len(originals)} copies, {len(negatives)} same-story negatives; "
          f"{len(test['natural'])} pairs already copies in the data")
    for engine in ("rensa", "datasketch"):
        result = measure(engine, test)
        counts = result["counts"]
        print(f"[{engine}] links: {counts['true']} true, {counts['false']} false, {counts['natural']} to copies "
              f"already in the data; precision {result['precision']:.3f}; whole ingest {result['rate']:.0f} articles/s")
        buckets = [f"{low:.1f}-{min(high, 1):.1f}: {found / max(total, 1):.3f} of {total}"
                   for (low, high), (found, total) in result["recall"].items() if (low, high) != (0.6, 1.01)]
        print(f"[{engine}] recall by share of the original kept: " + "; ".join(buckets))
        found, total = result["recall"][(0.6, 1.01)]
        print(f"[{engine}] recall on copies keeping >= 60 %: {found / total:.3f} ({found}/{total})")
    texts = [r["text"] for r in load_set("gva")] * 3
    rensa_rate, datasketch_rate = rate(texts, CopyConfig())
    print(f"signatures + index queries, {len(texts)} articles, one core: rensa {rensa_rate:,.0f}/s, "
          f"datasketch {datasketch_rate:,.0f}/s")


if __name__ == "__main__":
    main()
