"""Shared helpers for the benchmarks: where the shared data is, and the story-set split."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from pathlib import Path

import numpy as np

SHARED = Path(os.environ.get("NEWSLOOM_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
STORIES = SHARED / "data" / "stories-dev"
EXTRACTION = SHARED / "data" / "extraction-dev"
SETS = ("ecbplus", "gva", "allsides")


def load_set(name: str) -> list[dict]:
    with open(STORIES / f"{name}.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30) -> None:
    """Until a server listens on ``port`` of loopback (or ``seconds`` have passed)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)


def half(story: str) -> str:
    """Stable split of stories into halves 'fit' and 'test' (labels used only for scoring)."""
    return "fit" if int(hashlib.sha1(story.encode()).hexdigest(), 16) % 2 == 0 else "test"


def bcubed(gold: dict[str, str], predicted: dict[str, str]) -> tuple[float, float, float]:
    from collections import defaultdict

    by_gold, by_pred = defaultdict(set), defaultdict(set)
    for item, label in gold.items():
        by_gold[label].add(item)
        by_pred[predicted[item]].add(item)
    precision = recall = 0.0
    for item in gold:
        g, p = by_gold[gold[item]], by_pred[predicted[item]]
        common = len(g & p)
        precision += common / len(p)
        recall += common / len(g)
    precision /= len(gold)
    recall /= len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def similarity_tree(similarity: np.ndarray, method: str = "average") -> np.ndarray:
    """scipy's hierarchical clustering (``method`` linkage) of items by a symmetric
    ``similarity`` (distance: 1 − similarity)."""
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    distance = np.clip(1 - similarity, 0, None)
    np.fill_diagonal(distance, 0)
    return linkage(squareform(distance, checks=False), method)


def cut_f1(tree: np.ndarray, gold: dict[str, str], distance: float) -> float:
    """BCubed F1 of ``tree`` (over the items of ``gold``, in its order) cut at ``distance``."""
    from scipy.cluster.hierarchy import fcluster

    return bcubed(gold, dict(zip(gold, fcluster(tree, distance, "distance"))))[2]
