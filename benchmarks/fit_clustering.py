"""Fit the story-assignment combiner (logistic regression over the similarity signals).

Streams each dev set in publication order through newsloom's own StoryIndex, placing each
article in its gold story (labels are used only here, to make training pairs), and records
the signals of the article against every candidate story with label 1 for its gold story.
Fits on the 'fit' half of the stories of every set (benchmarks/common.py) and writes the
weights into the package. Run: .venv/bin/python benchmarks/fit_clustering.py [--sets a,b]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import SETS, half, load_set  # noqa: E402

from newsloom.clean import CleanConfig, Cleaner  # noqa: E402
from newsloom.cluster import ClusterConfig, Embedder, StoryIndex, article_features  # noqa: E402
from newsloom.models import Document  # noqa: E402

SIGNALS = ("tfidf", "embedding", "entities", "title", "days")
OUT = Path(__file__).resolve().parents[1] / "src" / "newsloom" / "models" / "cluster_weights.json"


def pairs_for(rows: list[dict], embedder: Embedder, config: ClusterConfig):
    rows = sorted(rows, key=lambda r: r.get("date") or "9999")
    docs = [Document(id=r["id"], origin="bench", kind="article", content=r["text"], title=r["title"],
                     source=r.get("source"), published=r.get("date") or None) for r in rows]
    cleaner = Cleaner(CleanConfig(detect_language=False))
    articles = [cleaner.clean(d) for d in docs]
    vectors = embedder.encode([f"{a.title}. {a.text[:1500]}" for a in articles])
    index = StoryIndex(config)
    story_ids: dict[str, int] = {}
    X, y = [], []
    for row, article, vector in zip(rows, articles, vectors):
        features = article_features(article.title, article.text, article.published, config.lead_words)
        gold = story_ids.setdefault(row["story"], len(story_ids))
        for candidate in index.candidates(features):
            signals = index.signals(features, vector, candidate)
            X.append([signals[s] for s in SIGNALS])
            y.append(int(candidate == gold))
        index.add(gold, features, vector)
    return np.array(X), np.array(y)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default=",".join(SETS), help="sets to fit on (their 'fit' halves)")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    from sklearn.linear_model import LogisticRegression

    embedder, config = Embedder(), ClusterConfig()
    Xs, ys = [], []
    for name in args.sets.split(","):
        rows = [r for r in load_set(name) if half(r["story"]) == "fit"]
        X, y = pairs_for(rows, embedder, config)
        print(f"{name}: {len(rows)} articles, {len(y)} pairs, {y.sum()} positive")
        Xs.append(X)
        ys.append(y)
    X, y = np.vstack(Xs), np.concatenate(ys)
    model = LogisticRegression(C=1.0, class_weight=None, max_iter=1000).fit(X, y)
    weights = {"bias": float(model.intercept_[0])} | {s: float(w) for s, w in zip(SIGNALS, model.coef_[0])}
    Path(args.out).write_text(json.dumps({"fitted_on": args.sets + " (fit halves)", "weights": weights}, indent=2) + "\n")
    print(json.dumps(weights, indent=2))


if __name__ == "__main__":
    main()
