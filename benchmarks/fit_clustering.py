"""Fit the story-assignment combiner (logistic regression over the similarity signals) and
its threshold.

Streams each dev set in publication order through newsloom's own StoryIndex, placing each
article in its gold story (labels are used only here, to make training pairs), and records
the signals of the article against every candidate story with label 1 for its gold story.
The classifier is fitted on those pairs; the threshold is then chosen by running the real
online assignment over the same 'fit' halves and keeping the one with the best mean BCubed F1
over the sets. Only the 'fit' half of each set's stories is used (benchmarks/common.py).
Run: .venv/bin/python benchmarks/fit_clustering.py [--sets a,b] [--out FILE]
"""

from __future__ import annotations

import argparse
import itertools
import pickle
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import SETS, bcubed, half, load_set  # noqa: E402

from newsloom.clean import CleanConfig, Cleaner  # noqa: E402
from newsloom.cluster import SIGNALS, ClusterConfig, Embedder, StoryIndex, article_features, assign  # noqa: E402
from newsloom.models import Document  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "src" / "newsloom" / "models" / "cluster_model.pkl"
THRESHOLDS = (0.03, 0.05, 0.08, 0.12, 0.2)


def prepare(rows: list[dict], embedder: Embedder, config: ClusterConfig):
    """Articles in publication order with their features and vectors, as the pipeline makes them."""
    rows = sorted(rows, key=lambda r: r.get("date") or "9999")
    cleaner = Cleaner(CleanConfig(detect_language=False))
    articles = [cleaner.clean(Document(id=r["id"], origin="bench", kind="article", content=r["text"],
                                       title=r["title"], source=r.get("source"), published=r.get("date") or None))
                for r in rows]
    vectors = embedder.encode([f"{a.title}. {a.text[:1500]}" for a in articles])
    features = [article_features(a.title, a.text, a.published, config.lead_words) for a in articles]
    return rows, features, vectors


def training_pairs(prepared, config: ClusterConfig):
    rows, features, vectors = prepared
    index = StoryIndex(config)
    story_ids: dict[str, int] = {}
    X, y = [], []
    for row, feats, vector in zip(rows, features, vectors):
        gold = story_ids.setdefault(row["story"], len(story_ids))
        candidates = index.candidates(feats)
        for candidate, signals in zip(candidates, index.signals(feats, vector, candidates)):
            X.append([signals[s] for s in SIGNALS])
            y.append(int(candidate == gold))
        index.add(gold, feats, vector)
    return np.array(X), np.array(y)


def online_f1(prepared, config: ClusterConfig) -> float:
    rows, features, vectors = prepared
    index = StoryIndex(config)
    counter = itertools.count()
    predicted = {row["id"]: assign(index, row["id"], feats, vector, lambda: next(counter)).story
                 for row, feats, vector in zip(rows, features, vectors)}
    return bcubed({row["id"]: row["story"] for row in rows}, predicted)[2]


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
        prepared[name] = prepare([r for r in load_set(name) if half(r["story"]) == "fit"], embedder, config)
        X, y = training_pairs(prepared[name], config)
        print(f"{name}: {len(prepared[name][0])} articles, {len(y)} pairs, {y.sum()} positive", flush=True)
        Xs.append(X)
        ys.append(y)
    combiner = LogisticRegression(C=1.0, max_iter=2000)
    combiner.fit(np.vstack(Xs), np.concatenate(ys))
    best = (0.0, None)
    for threshold in THRESHOLDS:
        fitted = replace(config, threshold=threshold, combiner=combiner)
        scores = {name: online_f1(p, fitted) for name, p in prepared.items()}
        mean = sum(scores.values()) / len(scores)
        print(f"threshold {threshold}: " + ", ".join(f"{n} {f:.3f}" for n, f in scores.items()) + f"; mean {mean:.3f}",
              flush=True)
        best = max(best, (mean, threshold))
    Path(args.out).write_bytes(pickle.dumps({"fitted_on": args.sets + " (fit halves)", "threshold": best[1],
                                             "signals": SIGNALS, "combiner": combiner}))
    print(f"chose threshold {best[1]} (mean fit-half BCubed F1 {best[0]:.3f}); wrote {args.out}")


if __name__ == "__main__":
    main()
