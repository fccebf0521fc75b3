"""Story clustering quality and speed, through the real CLI path.

For each dev set, the 'test' half of its stories (benchmarks/common.py; the combiner was
fitted on the 'fit' half) is written as JSON Lines without the story labels, ingested with
`newsloom ingest` into a fresh database, exported with `newsloom export articles`, and scored
(BCubed and pairwise F1) against the labels. The baseline is TF-IDF + average linkage with
its threshold tuned on the test half itself (an optimistic oracle), measured in the same run
(from the sparse TF-IDF rows' cosine distances, so AllSides' 4k articles fit too).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import SETS, bcubed, half, load_set  # noqa: E402

NEWSLOOM = str(Path(sys.executable).with_name("newsloom"))


def pairwise(gold: dict, predicted: dict) -> float:
    from collections import defaultdict

    def pairs(labels):
        groups = defaultdict(list)
        for item, label in labels.items():
            groups[label].append(item)
        return {tuple(sorted(p)) for g in groups.values() for p in combinations(g, 2)}

    g, p = pairs(gold), pairs(predicted)
    if not g or not p:
        return 0.0
    tp = len(g & p)
    precision, recall = tp / len(p), tp / len(g)
    return 2 * precision * recall / (precision + recall) if tp else 0.0


def merged_stories(gold: dict, predicted: dict) -> list[tuple[str, ...]]:
    """The labelled stories newsloom put together: each found story holding at least two
    articles of each of two or more labelled stories (a stray article does not count)."""
    from collections import Counter, defaultdict

    held = defaultdict(Counter)
    for item, story in predicted.items():
        held[story][gold[item]] += 1
    return sorted(tuple(sorted(g for g, n in count.items() if n >= 2)) for count in held.values()
                  if sum(n >= 2 for n in count.values()) >= 2)


def run_newsloom(rows: list[dict], workdir: Path) -> tuple[dict, float]:
    source = workdir / "input.jsonl"
    with open(source, "w", encoding="utf-8") as handle:
        for r in rows:
            handle.write(json.dumps({k: r[k] for k in ("id", "title", "text", "date", "source", "url") if r.get(k)}) + "\n")
    db = workdir / "bench.db"
    start = time.perf_counter()
    subprocess.run([NEWSLOOM, "--db", str(db), "ingest", str(source)], check=False, capture_output=True)
    elapsed = time.perf_counter() - start
    out = subprocess.run([NEWSLOOM, "--db", str(db), "export", "articles"], check=True, capture_output=True, text=True)
    predicted = {row["id"]: row["story"] for row in map(json.loads, out.stdout.splitlines())}
    return predicted, elapsed


def baseline(rows: list[dict]) -> float:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{r['title']} {r['text']}" for r in rows]
    matrix = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    # cosine distances from the sparse rows (unit length): a dense n × n table, never n × vocabulary
    distances = np.clip(1.0 - (matrix @ matrix.T).toarray(), 0.0, 2.0)
    gold = {r["id"]: r["story"] for r in rows}
    best = 0.0
    for threshold in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        labels = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                         distance_threshold=threshold).fit_predict(distances)
        best = max(best, bcubed(gold, {r["id"]: l for r, l in zip(rows, labels)})[2])
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default=",".join(SETS), help="sets to score (their 'test' halves)")
    parser.add_argument("--model", help="a combiner written by fit_clustering.py --out (default: the shipped one)")
    parser.add_argument("--shuffle", metavar="SEED[,SEED...]", type=lambda s: [int(x) for x in s.split(",")],
                        help="also ingest each test half in other orders (shuffled with each SEED) and give the "
                             "change of each, and their mean and worst")
    args = parser.parse_args()
    if args.model:
        os.environ["NEWSLOOM_CLUSTER_MODEL"] = str(Path(args.model).resolve())
        print(f"combiner: {args.model} ({json.loads(Path(args.model).read_bytes())['fitted_on']})")
    print(f"{'set':<10} {'articles':>8} {'BCubed P':>9} {'R':>6} {'F1':>6} {'pairF1':>7} {'art/s':>7} {'baseline(oracle)':>17}")
    for name in args.sets.split(","):
        result = score_set(name)
        rows, gold, predicted, missing = result["rows"], result["gold"], result["predicted"], result["missing"]
        p, r, f = result["bcubed"]
        base = baseline(rows)
        print(f"{name:<10} {len(rows):>8} {p:>9.3f} {r:>6.3f} {f:>6.3f} {pairwise(gold, predicted):>7.3f} "
              f"{len(rows) / result['elapsed']:>7.1f} {base:>17.3f}" + (f"  ({missing} skipped)" if missing else ""))
        print(f"{'':<10} labelled stories merged: {_merges(gold, predicted)}", flush=True)
        changes = []
        for seed in args.shuffle or ():
            shuffled = score_set(name, seed=seed)
            changes.append(shuffled["bcubed"][2] - f)
            print(f"{'':<10} in another order (seed {seed}): BCubed F1 {shuffled['bcubed'][2]:.3f} ({changes[-1]:+.3f}); "
                  f"merged: {_merges(shuffled['gold'], shuffled['predicted'])}", flush=True)
        if len(changes) > 1:
            print(f"{'':<10} change over {len(changes)} orders: mean {sum(changes) / len(changes):+.3f}, "
                  f"worst {max(changes, key=abs):+.3f}", flush=True)


def _merges(gold: dict, predicted: dict) -> str:
    merges = merged_stories(gold, predicted)
    return f"{len(merges)}" + (f" ({'; '.join(' + '.join(m) for m in merges[:8])}{' …' if len(merges) > 8 else ''})"
                               if merges else "")


def score_set(name: str, seed: int | None = None) -> dict:
    """Ingest the test half of one set through the CLI and score it (BCubed P, R, F1); with a
    ``seed``, the rows in an order shuffled with it."""
    rows = [r for r in load_set(name) if half(r["story"]) == "test"]
    if seed is not None:
        import random

        random.Random(seed).shuffle(rows)
    with tempfile.TemporaryDirectory() as tmp:
        predicted, elapsed = run_newsloom(rows, Path(tmp))
    gold = {r["id"]: r["story"] for r in rows}
    missing = set(gold) - set(predicted)
    for item in missing:  # articles newsloom skipped count as singletons
        predicted[item] = f"skipped:{item}"
    return {"rows": rows, "gold": gold, "predicted": predicted, "missing": len(missing), "elapsed": elapsed,
            "bcubed": bcubed(gold, predicted)}


def gate_figures() -> dict[str, float]:
    """The figures `benchmarks/gate.py` holds to their floors: BCubed P, R and F1 on the test
    half of each dev set (full halves, the shipped model)."""
    figures = {}
    for name in SETS:
        p, r, f = score_set(name)["bcubed"]
        figures |= {f"{name}_bcubed_p": p, f"{name}_bcubed_r": r, f"{name}_bcubed_f1": f}
    return figures


if __name__ == "__main__":
    main()
