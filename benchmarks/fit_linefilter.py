"""Fit the plain-text line classifier on the extraction dev pages and report cross-validated
quality (pages grouped: a fold's pages are never seen by the model that scores them).

Labels: a line of the plain-text page is article text when most of its word 4-grams (or,
for a short line, its words in order) occur in the page's hand-made article body. The label
is used only here. Writes ``src/newsloom/models/linefilter.npz`` (plain arrays, no pickle).
Run: .venv/bin/python benchmarks/fit_linefilter.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from extraction import f1_of, load_pages, page_scores  # noqa: E402

from newsloom.clean import normalise_space  # noqa: E402
from newsloom.linefilter import (BoostedTrees, context_features, line_features, model_to_npz,  # noqa: E402
                                 page_stop_words)

OUT = Path(__file__).resolve().parents[1] / "src" / "newsloom" / "models" / "linefilter.npz"
_TOKEN = re.compile(r"\w+", re.U)


def line_labels(lines: list[str], body: str) -> list[int]:
    tokens = _TOKEN.findall(body)
    grams = {tuple(tokens[i:i + 4]) for i in range(len(tokens) - 3)}
    joined = " " + " ".join(tokens) + " "
    labels = []
    for line in lines:
        if not line:
            continue
        words = _TOKEN.findall(line)
        if len(words) >= 4:
            own = [tuple(words[i:i + 4]) for i in range(len(words) - 3)]
            labels.append(int(sum(g in grams for g in own) / len(own) >= 0.5))
        else:
            labels.append(int(bool(words) and f" {' '.join(words)} " in joined))
    return labels


def make_model():
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_leaf_nodes=15,
                                          min_samples_leaf=40, l2_regularization=1.0, random_state=0)


def fit_two_stage(X, y, groups, page_ids):
    """Stage one on line features; stage two on line features plus stage one's out-of-fold
    probabilities around each line (so stage two learns from honest stage-one outputs)."""
    from sklearn.model_selection import GroupKFold

    inner = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=5).split(X, y, groups):
        inner[test] = make_model().fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    stacked = np.vstack([context_features(X[groups == g], inner[groups == g]) for g in page_ids])
    ordered_y = np.concatenate([y[groups == g] for g in page_ids])
    return make_model().fit(X, y), make_model().fit(stacked, ordered_y)


def predict_two_stage(model, X_page):
    first, second = model
    return second.predict_proba(context_features(X_page, first.predict_proba(X_page)[:, 1]))[:, 1]


def page_text(lines: list[str], keep: np.ndarray) -> str:
    kept = iter(keep)
    return "\n".join(line for line in lines if line and next(kept))


def dataset(pages: list[dict]):
    """Features, labels, page numbers and lines of every page."""
    X, y, groups, page_lines, stop_words = [], [], [], [], {}
    for number, page in enumerate(pages):
        lines = [normalise_space(line) for line in page["text"].splitlines()]
        page_lines.append(lines)
        X.append(line_features(lines, page_stop_words(lines, stop_words)))
        y.extend(line_labels(lines, page["articleBody"]))
        groups.extend([number] * len(X[-1]))
    return np.vstack(X), np.array(y), np.array(groups), page_lines


def out_of_fold(X, y, groups) -> np.ndarray:
    """Each page's line probabilities from a model fitted on the other folds' pages only."""
    from sklearn.model_selection import GroupKFold

    probabilities = np.zeros(len(y))
    for train, test in GroupKFold(n_splits=5).split(X, y, groups):
        model = fit_two_stage(X[train], y[train], groups[train], sorted(set(groups[train])))
        for g in sorted(set(groups[test])):
            probabilities[groups == g] = predict_two_stage(model, X[groups == g])
    return probabilities


def cross_validated_texts(pages: list[dict], threshold: float = 0.5) -> list[str]:
    """The article text of each page as a model that never saw the page would cut it."""
    X, y, groups, page_lines = dataset(pages)
    probabilities = out_of_fold(X, y, groups)
    return [page_text(page_lines[n], probabilities[groups == n] >= threshold) for n in range(len(pages))]


def main():
    pages = load_pages()
    X, y, groups, page_lines = dataset(pages)
    print(f"{len(pages)} pages, {len(y)} lines, {y.mean():.2f} of them article text")
    probabilities = out_of_fold(X, y, groups)
    for threshold in (0.3, 0.4, 0.5, 0.6):
        scores = [page_scores(page["articleBody"], page_text(page_lines[n], probabilities[groups == n] >= threshold))
                  for n, page in enumerate(pages)]
        p, r, f = f1_of(scores)
        print(f"cross-validated (5 folds by page), threshold {threshold}: precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    first, second = fit_two_stage(X, y, groups, sorted(set(groups)))
    OUT.write_bytes(model_to_npz(BoostedTrees.from_sklearn(first), BoostedTrees.from_sklearn(second),
                                 f"all {len(pages)} extraction dev pages"))
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB), fitted on all {len(pages)} pages")


if __name__ == "__main__":
    main()
