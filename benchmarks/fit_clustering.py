"""Fit the story-assignment combiner (logistic regression over the similarity signals) and
its threshold.

The features are those ingest makes: each set's fit half goes through the real pipeline
(cleaning with language detection, outlet boilerplate, copies, the one ``cluster.Featurizer``)
into a throwaway in-memory store, and the stored features are read back in publication order.
Then each set is streamed in that order through newsloom's own StoryIndex, placing each article
in its gold story (labels are used only here, to make training pairs), and the signals of the
article against every candidate story the combiner would score in ingest (same language; copies
follow their original and are never scored) are recorded with label 1 for its gold story. The
classifier is fitted on those pairs; the threshold is then chosen by running the real online
placement over the same 'fit' halves and keeping the one with the best mean BCubed F1 over the
sets. Only the 'fit' half of each set's stories is used (benchmarks/common.py).
Writes a JSON model file (``cluster.model_to_json``).
Run: .venv/bin/python benchmarks/fit_clustering.py [--sets a,b] [--out FILE]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import SETS, bcubed, half, load_set  # noqa: E402

from newsloom.cluster import (SIGNALS, ClusterConfig, Embedder, LogisticCombiner, StoryIndex,  # noqa: E402
                              model_to_json, place, stored_features)
from newsloom.pipeline import Pipeline  # noqa: E402
from newsloom.store import Store  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "src" / "newsloom" / "models" / "cluster_model.json"
THRESHOLDS = (0.03, 0.05, 0.08, 0.12, 0.2)


def prepare(rows: list[dict], embedder: Embedder):
    """The articles ingest keeps, in publication order, with their gold story, copy link,
    features and vector, as ingest makes them (the pipeline into a throwaway store)."""
    gold = {r["id"]: r["story"] for r in rows}
    store = Store(":memory:")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "fit.jsonl"
        source.write_text("".join(json.dumps({k: r[k] for k in ("id", "title", "text", "date", "source", "url")
                                              if r.get(k)}) + "\n" for r in rows), encoding="utf-8")
        Pipeline(store, embedder=embedder).ingest([str(source)])
    prepared = []
    for row in store.all_features():
        prepared.append((row.id, gold[row.id], row.copy, *stored_features(row)))
    store.close()
    return prepared


def training_pairs(prepared, config: ClusterConfig):
    index = StoryIndex(config)
    story_ids: dict[str, int] = {}
    X, y = [], []
    for _, story, copy, feats, vector in prepared:
        gold = story_ids.setdefault(story, len(story_ids))
        if copy is None:
            candidates = [c for c in index.candidates(feats) if index.same_language(feats, c)]
            for candidate, signals in zip(candidates, index.signals(feats, vector, candidates)):
                X.append([signals[s] for s in SIGNALS])
                y.append(int(candidate == gold))
        index.add(gold, feats, vector)
    return np.array(X), np.array(y)


def online_f1(prepared, config: ClusterConfig) -> float:
    index = StoryIndex(config)
    counter = itertools.count()
    predicted: dict[str, int] = {}
    for article_id, _, copy, feats, vector in prepared:
        predicted[article_id] = place(index, article_id, feats, vector, lambda: next(counter), copy,
                                      predicted.get).story
    return bcubed({article_id: story for article_id, story, *_ in prepared}, predicted)[2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default=",".join(SETS), help="sets to fit on (their 'fit' halves)")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    from sklearn.linear_model import LogisticRegression

    embedder = Embedder()
    config = ClusterConfig(threshold=0.5, combiner=None)
    prepared = {}
    Xs, ys = [], []
    for name in args.sets.split(","):
        prepared[name] = prepare([r for r in load_set(name) if half(r["story"]) == "fit"], embedder)
        X, y = training_pairs(prepared[name], config)
        print(f"{name}: {len(prepared[name])} articles, {len(y)} pairs, {y.sum()} positive", flush=True)
        Xs.append(X)
        ys.append(y)
    combiner = LogisticCombiner.from_sklearn(LogisticRegression(C=1.0, max_iter=2000).fit(np.vstack(Xs), np.concatenate(ys)))
    best = (0.0, None)
    for threshold in THRESHOLDS:
        fitted = replace(config, threshold=threshold, combiner=combiner)
        scores = {name: online_f1(p, fitted) for name, p in prepared.items()}
        mean = sum(scores.values()) / len(scores)
        print(f"threshold {threshold}: " + ", ".join(f"{n} {f:.3f}" for n, f in scores.items()) + f"; mean {mean:.3f}",
              flush=True)
        best = max(best, (mean, threshold))
    Path(args.out).write_text(model_to_json(combiner, best[1], args.sets + " (fit halves)"))
    print(f"chose threshold {best[1]} (mean fit-half BCubed F1 {best[0]:.3f}); wrote {args.out}")


if __name__ == "__main__":
    main()
