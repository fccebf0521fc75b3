"""Model files as data: read back as written, and refused, with the fix, when of another kind,
format or feature list — never unpickled."""

from __future__ import annotations

import io

import numpy as np
import pytest

from newsloom.errors import ConfigError
from newsloom.modelfile import check, header, read_json, read_npz, write_npz

FIX = "refit the model"


def test_an_npz_model_comes_back_as_written():
    meta = header("tester", 2, ["a", "b"], trees=3)
    arrays = {"weights": np.arange(6, dtype=np.float32).reshape(2, 3)}
    read_meta, read_arrays = read_npz(write_npz(meta, arrays), "m.npz", FIX)
    assert read_meta == meta and read_meta["newsloom"]
    assert np.array_equal(read_arrays["weights"], arrays["weights"]) and set(read_arrays) == {"weights"}
    assert check(read_meta, "tester", 2, ("a", "b"), "m.npz", FIX) == meta


@pytest.mark.parametrize("change, problem", [({"kind": "other"}, "is not a tester model file"),
                                             ({"format": 1}, "of format 1"),
                                             ({"features": ["b", "a"]}, "fitted on other features")])
def test_a_model_of_another_form_is_refused_with_the_fix(change, problem):
    with pytest.raises(ConfigError, match=problem) as raised:
        check(header("tester", 2, ["a", "b"]) | change, "tester", 2, ["a", "b"], "m.json", FIX)
    assert raised.value.fix == FIX


def test_a_pickle_inside_an_npz_is_not_loaded():
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array('{"kind": "tester"}'), trap=np.array([object()], dtype=object))
    with pytest.raises(ConfigError, match="not an npz model file"):
        read_npz(buffer.getvalue(), "trap.npz", FIX)


@pytest.mark.parametrize("data", [b"\x80not json", b"{", b"PK\x03\x04"])
def test_bytes_that_are_not_a_model_file_are_refused(data):
    with pytest.raises(ConfigError) as raised:
        read_json(data, "bad.json", FIX) if data != b"PK\x03\x04" else read_npz(data, "bad.npz", FIX)
    assert raised.value.fix == FIX
