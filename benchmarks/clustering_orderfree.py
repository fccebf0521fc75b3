"""Probe: could undated articles be clustered without an order? (issue 15, a prototype's figures)

ECB+ and AllSides have no dates, so the stream's order is all the online clustering has, and
their files group each story's articles — three shuffles move ECB+ by up to −0.036 and AllSides
by −0.02 (``clustering.py --shuffle 1,2,3``). This script measures an order-free alternative
on the fit halves, with dates removed (GVA too, so all three are undated): every article is
put in one ``StoryIndex`` as a story of its own (the index's term counts then cover the whole
half, whatever the order), the shipped combiner scores each article against its candidate
articles exactly as ingest scores candidate stories (signals and leads), the probabilities are
made symmetric (max or mean of the two directions; a pair no candidate list holds is 0), and
hierarchical clustering (single, average or complete linkage) cuts the tree at each
probability threshold. It prints BCubed F1 for every combination: a transferable method is one
whose best threshold is the same on every set. Then a two-level variant: the average-linkage
clusters at a threshold are seeds, streamed through newsloom's online clustering in an order
made from the articles alone (seeds by their smallest id hash), each seed's first article
placed as ingest places it and the rest of the seed kept with it — an order-free input to the
stream — against the stream in the file's order and in the id-hash order. Last, a merge after the stream: the
stream's stories (file order and three shuffles) merged by average linkage over the same
article-pair probabilities, at each threshold; and the stream's lone articles placed again
once the stream is over, against its final stories with signals made anew (each moves into its
best story at the shipped threshold, unless that story's own lone article moves).

    .venv/bin/python benchmarks/clustering_orderfree.py [--sets ecbplus,allsides,gva]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
import sys
from pathlib import Path

import numpy as np
from scipy.cluster.hierarchy import fcluster

sys.path.insert(0, str(Path(__file__).parent))
from common import SETS, bcubed, cut_f1, similarity_tree  # noqa: E402
from fit_clustering import CACHE, online, online_stories, prepared_half, without_dates  # noqa: E402

from newsloom.cluster import ClusterConfig, Embedder, StoryIndex, place  # noqa: E402

THRESHOLDS = (0.03, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
METHODS = (("max", "single"), ("max", "average"), ("mean", "average"), ("max", "complete"))


def article_probabilities(prepared) -> np.ndarray:
    """P[i, j]: the shipped combiner's probability that article i belongs with article j, every
    article a one-article story."""
    index = StoryIndex(ClusterConfig())
    described = [(feats, vector) for *_, feats, vector in prepared]
    for i, (feats, vector) in enumerate(described):
        index.add(i, feats, vector)
    probabilities = np.zeros((len(described), len(described)))
    for i, (feats, vector) in enumerate(described):
        candidates = [c for c in index.candidates(feats) if c != i]
        if candidates:
            probabilities[i, candidates] = index.scores(index.signals(feats, vector, candidates))
    return probabilities


def id_hash(article_id: str) -> str:
    return hashlib.blake2b(article_id.encode(), digest_size=8).hexdigest()


def streamed(prepared, seed_of: dict[str, int]) -> float:
    """BCubed F1 of the online clustering over ``prepared`` (undated) in the order of the seeds
    (``seed_of``: article → seed; no seeds: the id-hash order), every seed's articles kept in
    the story its first article is placed in; settled every 256 articles as ingest does."""
    first_of_seed: dict[int, str] = {}
    for article_id, seed in seed_of.items():
        first_of_seed[seed] = min(first_of_seed.get(seed, id_hash(article_id)), id_hash(article_id))
    ordered = sorted(prepared, key=lambda p: (first_of_seed.get(seed_of.get(p[0]), id_hash(p[0])), id_hash(p[0])))
    index, counter, predicted, story_of_seed = StoryIndex(ClusterConfig()), itertools.count(), {}, {}
    for n, (article_id, _, copy, feats, vector) in enumerate(ordered, 1):
        seed = seed_of.get(article_id)
        if copy is None and seed in story_of_seed:
            index.add(story_of_seed[seed], feats, vector)
            predicted[article_id] = story_of_seed[seed]
        else:
            placed = place(index, article_id, feats, vector, lambda: next(counter), copy, predicted.get)
            for assignment in (placed, *placed.moved):
                predicted[assignment.article] = assignment.story
            if seed is not None:
                story_of_seed[seed] = predicted[article_id]
        if n % 256 == 0:
            index.settle()
    return bcubed({p[0]: p[1] for p in prepared}, predicted)[2]


def lone_placed_again(prepared, predicted: dict[str, int]) -> dict[str, int]:
    """``predicted`` with every article alone in its story scored against the other stories
    (one index of the final stories, as ingest scores candidates) and moved into its best one
    when that scores at the threshold or above."""
    index, members = StoryIndex(ClusterConfig()), {}
    for article_id, _, _, feats, vector in prepared:
        index.add(predicted[article_id], feats, vector)
        members.setdefault(predicted[article_id], []).append((article_id, feats, vector))
    moved = {}
    for story, found in members.items():
        if len(found) != 1:
            continue
        article_id, feats, vector = found[0]
        candidates = [c for c in index.candidates(feats) if c != story]
        if candidates:
            scores = index.scores(index.signals(feats, vector, candidates))
            best = int(np.argmax(scores))
            if scores[best] >= index.config.threshold:
                moved[story] = candidates[best]
    # a story that takes an article keeps its own (two lone articles do not swap)
    return {article_id: story if moved.get(story) in moved else moved.get(story, story)
            for article_id, story in predicted.items()}


def merged(stories: np.ndarray, similarity: np.ndarray, threshold: float) -> np.ndarray:
    """``stories`` (a story number per article) merged by average linkage over ``similarity``
    while the closest two stories' mean pair similarity is at ``threshold`` or above."""
    labels = np.unique(stories, return_inverse=True)[1]
    count = labels.max() + 1
    membership = np.zeros((count, len(labels)))
    membership[labels, np.arange(len(labels))] = 1
    sums = membership @ similarity @ membership.T
    np.fill_diagonal(sums, 0)
    sizes = membership.sum(axis=1)
    alive = np.ones(count, bool)
    while True:
        mean = sums / np.outer(sizes, sizes)
        mean[~alive] = -1
        mean[:, ~alive] = -1
        np.fill_diagonal(mean, -1)
        a, b = np.unravel_index(np.argmax(mean), mean.shape)
        if mean[a, b] < threshold:
            return labels
        sums[a] += sums[b]
        sums[:, a] += sums[:, b]
        sums[a, a] = 0
        sizes[a] += sizes[b]
        alive[b] = False
        labels[labels == b] = a


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(SETS))
    args = parser.parse_args()
    embedder = Embedder()
    print("BCubed F1 on the fit halves, dates removed, by probability threshold: " + " ".join(map(str, THRESHOLDS)))
    for name in args.sets.split(","):
        undated = without_dates(prepared_half(name, "fit", embedder, CACHE))
        prepared = [p for p in undated if p[2] is None]
        truth = {p[0]: p[1] for p in prepared}
        probabilities = article_probabilities(prepared)
        for symmetric, method in METHODS:
            similarity = np.maximum(probabilities, probabilities.T) if symmetric == "max" \
                else (probabilities + probabilities.T) / 2
            scores = [cut_f1(similarity_tree(similarity, method), truth, 1 - t) for t in THRESHOLDS]
            print(f"{name:<9} {symmetric:>4} of the two directions, {method:<8} linkage: "
                  + " ".join(f"{f:.3f}" for f in scores), flush=True)
        similarity = np.maximum(probabilities, probabilities.T)
        tree = similarity_tree(similarity, "average")
        seeded = [streamed(undated, dict(zip(truth, fcluster(tree, 1 - t, "distance").tolist()))) for t in THRESHOLDS]
        file_order = online(undated, ClusterConfig())[2]
        print(f"{name:<9} stream, seeds of average linkage kept together: " + " ".join(f"{f:.3f}" for f in seeded)
              + f"; stream in id-hash order {streamed(undated, {}):.3f}, in file order {file_order:.3f}", flush=True)
        for seed in (None, 1, 2, 3):
            rows = list(undated)
            if seed is not None:
                random.Random(seed).shuffle(rows)
            predicted = online_stories(rows, ClusterConfig())
            stories = np.array([predicted[article_id] for article_id in truth])
            scores = [bcubed(truth, dict(zip(truth, merged(stories, similarity, t).tolist())))[2] for t in THRESHOLDS]
            again = bcubed({p[0]: p[1] for p in rows}, lone_placed_again(rows, predicted))[2]
            print(f"{name:<9} stream ({'file order' if seed is None else f'shuffled, seed {seed}'}: "
                  f"{bcubed(truth, dict(zip(truth, stories.tolist())))[2]:.3f}), then merged: "
                  + " ".join(f"{f:.3f}" for f in scores) + f"; lone articles placed again: {again:.3f}", flush=True)

if __name__ == "__main__":
    main()
