"""The quality gate's verdicts (benchmarks/gate.py): a figure below its floor, or not measured,
fails; floors are pinned rounded down. The figures themselves are measured by `make gate`."""

from __future__ import annotations

import importlib.util
import json

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("gate", ROOT / "benchmarks" / "gate.py")
gate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gate)


def test_a_figure_below_its_floor_fails_and_one_at_it_passes():
    lines = gate.check("copies", {"precision": 0.99, "recall": 0.9, "missing": 0.5},
                       {"precision": 0.99, "recall": 0.8999, "other": 1.0})
    assert [line.split()[0] for line in lines] == ["ok", "FAIL", "FAIL"]
    assert "below its floor" in lines[1] and "not measured" in lines[2]


def test_floors_are_pinned_rounded_down():
    assert gate.pinned({"f1": 0.92399, "p": 1.0}) == {"f1": 0.923, "p": 1.0}


def test_every_section_names_a_script_with_gate_figures_or_says_why_not():
    floors = json.loads((ROOT / "benchmarks" / "floors.json").read_text())
    for name, section in floors.items():
        if name.startswith("_"):
            continue
        if section["script"] is None:
            assert section["note"] and not section["floors"], name
        else:
            source = (ROOT / "benchmarks" / section["script"]).read_text()
            assert "def gate_figures(" in source and section["floors"], name
