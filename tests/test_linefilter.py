"""The line classifier: its model is plain arrays that predict what the fitted model predicts,
checked on load; its labels keep a reason."""

from __future__ import annotations

import numpy as np
import pytest

from newsloom.errors import ConfigError
from newsloom.linefilter import (CONTEXT_NAMES, FEATURE_NAMES, N_FEATURES, BoostedTrees, LineClassifier,
                                 line_features, model_from_npz, model_to_npz)
from newsloom.modelfile import header, write_npz

from .conftest import NEPALKHABAR


@pytest.fixture(scope="module")
def fitted():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, N_FEATURES))
    y = (X[:, 0] + X[:, 3] * X[:, 7] > 0.2).astype(int)
    X[rng.random(X.shape) < 0.05] = np.nan  # missing values take the side learned for them
    first = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=15, random_state=0).fit(X, y)
    second_X = np.hstack([X, rng.random((len(X), len(CONTEXT_NAMES)))])
    second = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(second_X, y)
    return first, second, X, second_X


def test_trees_as_arrays_predict_what_the_fitted_model_predicts(fitted):
    first, second, X, second_X = fitted
    loaded_first, loaded_second = model_from_npz(
        model_to_npz(BoostedTrees.from_sklearn(first), BoostedTrees.from_sklearn(second), "test"), "test")
    assert np.array_equal(loaded_first.predict_proba(X), first.predict_proba(X))
    assert np.array_equal(loaded_second.predict_proba(second_X), second.predict_proba(second_X))


def test_the_shipped_model_names_its_features_and_labels_a_real_page():
    lines = NEPALKHABAR.read_text().splitlines()
    assert line_features(lines).shape[1] == len(FEATURE_NAMES)
    labels = LineClassifier().label([line.strip() for line in lines])
    kept = [line for line, label in zip(lines, labels) if label.keep]
    assert any("four days" in line for line in kept)
    caption = next(label for line, label in zip(lines, labels) if "(Photo: Getty Images)" in line)
    assert not caption.keep and caption.reason.startswith("caption (p=")


def test_a_model_file_of_another_form_is_refused_with_the_fix(fitted):
    first = BoostedTrees.from_sklearn(fitted[0])
    arrays = first.arrays("first_") | first.arrays("second_")
    other_features = write_npz(header("newsloom line classifier", 1, ["a", "b"]), arrays)
    with pytest.raises(ConfigError, match="other features") as error:
        model_from_npz(other_features, "test model")
    assert "fit_linefilter.py" in error.value.fix
    with pytest.raises(ConfigError, match="not an npz model file"):
        model_from_npz(b"\x80\x04not a zip", "test model")
    too_few = write_npz(header("newsloom line classifier", 1, FEATURE_NAMES + CONTEXT_NAMES), first.arrays("first_"))
    with pytest.raises(ConfigError, match="incomplete or damaged"):
        model_from_npz(too_few, "test model")
