"""Fit the claim aligner (``compare.align.PairModel``): a logistic regression over the named
pair signals of ``compare.align.signals``, on the 'fit' half of the labelled claim set only.

Each fit story's articles are cut into claims by newsloom's own ``story_claims``; every pair of
claims of different articles that both overlap a labelled claim's markers is a training pair:
positive when the two share a labelled corroborated claim, negative when they share no labelled
claim at all (pairs that share only a single-source or contested claim are left out: the
labels do not say whether those state the same thing). Claims overlapping no label are left
out. The 'test' half is only scored: average precision of the fitted score against the
hand-weighted ``match`` signal alone, on the test half's pairs. Writes the model file.

    .venv/bin/python benchmarks/fit_aligner.py [--out FILE] [--c 1.0]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from claim_labels import load_labels  # noqa: E402
from common import load_set  # noqa: E402
from compare import as_article, marker_spans  # noqa: E402

from newsloom.compare import Comparer, story_claims  # noqa: E402
from newsloom.compare.align import SIGNALS, PairModel, claim_signals  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "src" / "newsloom" / "models" / "claim_aligner.json"


def _overlaps(start: int, end: int, spans) -> bool:
    return any(s < end and start < e for s, e in spans)


def pairs(split: str, comparer: Comparer) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str]]]:
    """Signals (one row per pair, columns in ``SIGNALS`` order), labels and the two claims'
    texts of a split's pairs."""
    labels = [s for s in load_labels() if s["split"] == split]
    sets = {name: {row["id"]: row for row in load_set(name)} for name in {s["set"] for s in labels}}
    features, targets, wordings = [], [], []
    for story in labels:
        rows = [sets[story["set"]][a] for a in story["articles"]]
        claims, _, table = story_claims([as_article(r, n) for n, r in enumerate(rows)])
        if not claims:
            continue
        labelled, _ = marker_spans(story, {r["id"]: r["text"] for r in rows})
        member = [{n for n, c in enumerate(labelled) if _overlaps(claim.start, claim.end, c["spans"].get(claim.article, []))}
                  for claim in claims]
        found = claim_signals(claims, comparer.embedder.encode, table, comparer.config.align)
        matrix = np.stack([found[name] for name in SIGNALS], axis=-1)
        for i in range(len(claims)):
            for j in range(i + 1, len(claims)):
                if claims[i].article == claims[j].article or not member[i] or not member[j]:
                    continue
                common = member[i] & member[j]
                positive = any(labelled[n]["status"] == "corroborated" for n in common)
                if common and not positive:
                    continue
                features.append(matrix[i, j])
                targets.append(positive)
                wordings.append((claims[i].text, claims[j].text))
    return np.array(features, dtype=np.float64), np.array(targets), wordings


def main():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    args = parser.parse_args()
    comparer = Comparer(aligner=PairModel(dict.fromkeys(SIGNALS, 0.0), 0.0))  # only its encoder is used
    fit_x, fit_y, _ = pairs("fit", comparer)
    test_x, test_y, _ = pairs("test", comparer)
    print(f"pairs: fit {len(fit_y)} ({fit_y.sum()} same claim), test {len(test_y)} ({test_y.sum()} same claim)")
    regression = LogisticRegression(C=args.c, max_iter=5000).fit(fit_x, fit_y)
    model = PairModel({name: round(float(w), 4) for name, w in zip(SIGNALS, regression.coef_[0])},
                      round(float(regression.intercept_[0]), 4))
    fitted = model.score({name: test_x[:, k] for k, name in enumerate(SIGNALS)})
    match = test_x[:, SIGNALS.index("match")]
    print(f"test half, average precision: fitted {average_precision_score(test_y, fitted):.3f}, "
          f"match signal alone {average_precision_score(test_y, match):.3f}")
    print("weights:", model.weights, "intercept:", model.intercept)
    args.out.write_text(model.to_json("labelled claim set, fit half (tests/fixtures/claims)"))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
