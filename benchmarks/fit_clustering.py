"""Fit the story-assignment combiner (logistic regression over the similarity signals) and
its threshold, choosing the threshold for transfer: by leave-one-set-out.

The features are those ingest makes: each set's halves go through the real pipeline
(cleaning with language detection, outlet boilerplate, copies, the one ``cluster.Featurizer``)
into a throwaway in-memory store, and the stored features are read back in publication order
(kept under ``--cache``, so a second run does not ingest again). Then each set is streamed in
that order through newsloom's own StoryIndex, placing each article in its gold story (labels
are used only here, to make training pairs, and to score), and the signals of the article
against every candidate story the combiner would score in ingest (same language; copies follow
their original and are never scored) are recorded with label 1 for its gold story. The leads
are measured from floors fitted first: each similarity's median over the candidates that are
not the article's story (the mean of the sets' medians). In the fit each set weighs the same,
whatever its number of pairs.

The threshold is chosen by leave-one-set-out on the *fit* halves: for each set, the combiner is
fitted on the fit halves of the other two and the real online placement is run over the
held-out set's fit half at every threshold; the threshold with the best mean BCubed F1 over
the three held-out sets is kept (the best worst case was tried: it takes 0.7 for +0.007 on
AllSides' fit half and −0.03 on ECB+'s). The shipped combiner is then fitted on the fit halves of
all the sets. The test halves are never seen; ``--report`` scores them afterwards (held-out
sets with the model of the other two, and every set with the shipped model) in-process.
Writes a JSON model file (``cluster.model_to_json``).
Run: .venv/bin/python benchmarks/fit_clustering.py [--sets a,b,c] [--out FILE] [--thresholds 0.5,0.6] [--report]
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import SETS, bcubed, half, load_set  # noqa: E402

from newsloom.cluster import (FEATURE_RECIPE, SIGNALS, SIMILARITIES, ClusterConfig, Embedder,  # noqa: E402
                              LogisticCombiner, StoryIndex, add_leads, model_to_json, place, stored_features)
from newsloom.pipeline import Pipeline, PipelineConfig  # noqa: E402
from newsloom.store import Store  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "src" / "newsloom" / "models" / "cluster_model.json"
CACHE = Path(tempfile.gettempdir()) / "newsloom-fit-clustering"
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def prepare(rows: list[dict], embedder: Embedder):
    """The articles ingest keeps, in publication order, with their gold story, copy link,
    features and vector, as ingest makes them (the pipeline into a throwaway store)."""
    gold = {r["id"]: r["story"] for r in rows}
    store = Store(":memory:")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "fit.jsonl"
        source.write_text("".join(json.dumps({k: r[k] for k in ("id", "title", "text", "date", "source", "url")
                                              if r.get(k)}) + "\n" for r in rows), encoding="utf-8")
        # the stories this ingest makes are not used: a combiner that opens a new story for
        # every article, so that fitting does not need a model of the current signals
        unfitted = ClusterConfig(threshold=0.5, lead_floors=dict.fromkeys(SIMILARITIES, 0.0),
                                 combiner=LogisticCombiner(dict.fromkeys(SIGNALS, 0.0), -1.0))
        Pipeline(store, PipelineConfig(cluster=unfitted), embedder=embedder).ingest([str(source)])
    prepared = []
    for row in store.all_features():
        prepared.append((row.id, gold[row.id], row.copy, *stored_features(row)))
    store.close()
    return prepared


def prepared_half(name: str, part: str, embedder: Embedder, cache: Path | None):
    """``prepare`` of one half of a set, kept in ``cache`` (a local file this script wrote,
    named by the feature recipe) so that refitting does not ingest again."""
    path = cache / f"{name}-{part}-recipe{FEATURE_RECIPE}.pickle" if cache else None
    if path and path.exists():
        return pickle.loads(path.read_bytes())
    prepared = prepare([r for r in load_set(name) if half(r["story"]) == part], embedder)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(prepared))
    return prepared


def candidate_similarities(prepared, config: ClusterConfig) -> list[tuple[list[int], list[dict]]]:
    """For each article ingest would score (not a copy), whether each candidate story is its
    gold story and the article's similarities with each (the leads are added later, from the
    floors), with every earlier article in its gold story."""
    index = StoryIndex(config)
    story_ids: dict[str, int] = {}
    scored = []
    for _, story, copy, feats, vector in prepared:
        gold = story_ids.setdefault(story, len(story_ids))
        if copy is None:
            candidates = [c for c in index.candidates(feats) if index.same_language(feats, c)]
            if candidates:
                scored.append(([int(c == gold) for c in candidates], index.similarities(feats, vector, candidates)))
        index.add(gold, feats, vector)
    return scored


def lead_floors(scored: dict, names) -> dict[str, float]:
    """The value of each similarity an unrelated story typically has: its median over the
    candidates that are not the article's story, the mean of the sets' medians."""
    return {s: float(np.mean([np.median([sims[s] for labels, found in scored[n] for label, sims in zip(labels, found)
                                         if not label]) for n in names])) for s in SIMILARITIES}


def table(scored, floors: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Training rows (``SIGNALS``, leads from ``floors`` as ingest makes them) and labels."""
    X, y = [], []
    for labels, found in scored:
        found = [dict(signals) for signals in found]
        add_leads(found, floors)
        X += [[signals[s] for s in SIGNALS] for signals in found]
        y += labels
    return np.array(X), np.array(y)


def online_stories(prepared, config: ClusterConfig, batch_size: int = 256) -> dict[str, int]:
    """The story of each article of ``prepared`` by the real online placement in its order,
    settled after every ``batch_size`` articles as ingest settles after each batch (of
    ``PipelineConfig.batch_size``)."""
    index = StoryIndex(config)
    counter = itertools.count()
    predicted: dict[str, int] = {}
    for n, (article_id, _, copy, feats, vector) in enumerate(prepared, 1):
        placed = place(index, article_id, feats, vector, lambda: next(counter), copy, predicted.get)
        for assignment in (placed, *placed.moved):
            predicted[assignment.article] = assignment.story
        if n % batch_size == 0:
            index.settle()
    return predicted


def online(prepared, config: ClusterConfig, batch_size: int = 256) -> tuple[float, float, float]:
    """BCubed P, R, F1 of ``online_stories``."""
    return bcubed({article_id: story for article_id, story, *_ in prepared}, online_stories(prepared, config, batch_size))


def fit(scored: dict, names, config: ClusterConfig) -> ClusterConfig:
    """``config`` with the lead floors and the combiner fitted on the sets ``names``, each set
    weighing the same (AllSides' many short excerpts would otherwise outvote the others)."""
    from sklearn.linear_model import LogisticRegression

    floors = lead_floors(scored, names)
    tables = [table(scored[n], floors) for n in names]
    X, y = np.vstack([X for X, _ in tables]), np.concatenate([y for _, y in tables])
    weight = np.concatenate([np.full(len(y_n), len(y) / (len(tables) * len(y_n))) for _, y_n in tables])
    model = LogisticRegression(C=1.0, max_iter=5000).fit(X, y, sample_weight=weight)
    return replace(config, lead_floors=floors, combiner=LogisticCombiner.from_sklearn(model))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default=",".join(SETS), help="sets to fit on (their 'fit' halves)")
    parser.add_argument("--out", default=str(OUT), help="where the model is written ('' for nowhere)")
    parser.add_argument("--cache", default=str(CACHE), help="where prepared halves are kept ('' for nowhere)")
    parser.add_argument("--thresholds", default=",".join(map(str, THRESHOLDS)), help="thresholds tried")
    parser.add_argument("--report", action="store_true", help="then score the test halves (LOSO and shipped)")
    args = parser.parse_args()
    names = args.sets.split(",")
    thresholds = [float(t) for t in args.thresholds.split(",")]
    cache = Path(args.cache) if args.cache else None
    embedder = Embedder()
    config = ClusterConfig(threshold=0.5, lead_floors=dict.fromkeys(SIMILARITIES, 0.0), combiner=None)
    fit_halves = {name: prepared_half(name, "fit", embedder, cache) for name in names}
    scored = {name: candidate_similarities(p, config) for name, p in fit_halves.items()}
    for name, articles in scored.items():
        pairs = sum(len(labels) for labels, _ in articles)
        positive = sum(map(sum, (labels for labels, _ in articles)))
        print(f"{name}: {len(fit_halves[name])} articles, {pairs} pairs, {positive} positive", flush=True)
    # each set scored by the model of the others (one set alone: by its own model, on its fit half)
    held_out = {name: fit(scored, [n for n in names if n != name] or names, config) for name in names}
    by_threshold = {}
    for threshold in thresholds:
        scores = {name: online(fit_halves[name], replace(model, threshold=threshold))[2]
                  for name, model in held_out.items()}
        by_threshold[threshold] = sum(scores.values()) / len(scores)
        print(f"threshold {threshold}: held-out fit halves " + ", ".join(f"{n} {f:.3f}" for n, f in scores.items())
              + f", mean {by_threshold[threshold]:.3f}", flush=True)
    threshold = max(thresholds, key=lambda t: (by_threshold[t], t))
    shipped = replace(fit(scored, names, config), threshold=threshold)
    print(f"chose threshold {threshold} (mean held-out fit-half BCubed F1 {by_threshold[threshold]:.3f})", flush=True)
    if args.out:
        Path(args.out).write_text(model_to_json(shipped.combiner, threshold, shipped.lead_floors,
                                                f"{args.sets} (fit halves, each set weighing the same; threshold "
                                                f"by leave-one-set-out)"))
        print(f"wrote {args.out}")
    if args.report:
        for name in names:
            test = prepared_half(name, "test", embedder, cache)
            figures = online(test, shipped)
            line = f"{name} test half: shipped P {figures[0]:.3f} R {figures[1]:.3f} F1 {figures[2]:.3f}"
            if len(names) > 1:
                loso = online(test, replace(held_out[name], threshold=threshold))
                line += f"; leave-one-set-out P {loso[0]:.3f} R {loso[1]:.3f} F1 {loso[2]:.3f}"
            if any(feats.get("date") for *_, feats, _ in test):
                undated = online(without_dates(test), shipped)
                line += f"; shipped without dates P {undated[0]:.3f} R {undated[1]:.3f} F1 {undated[2]:.3f}"
            print(line, flush=True)


def without_dates(prepared):
    """The same articles as if their input had no dates (as AllSides has none), in the same
    order and with the same copy links: the time gap is gone, every active story is a
    candidate, and clustering falls back on what the texts share."""
    return [(article_id, story, copy, feats | {"date": None}, vector)
            for article_id, story, copy, feats, vector in prepared]


if __name__ == "__main__":
    main()
