"""Quality gate: fail when a figure falls below its floor.

The floors are pinned in ``benchmarks/floors.json``, one section per benchmark: the section
names the benchmark script whose ``gate_figures()`` measures it (``"script"``), what inputs
it uses, and a floor for each figure. ``python benchmarks/gate.py`` (``make gate``) measures
every pinned section, prints each figure beside its floor and exits 1 if any is below it (or
could not be measured). A section with no floors yet (``compare`` until its figures are
pinned) is reported and not measured.

Sections are measured side by side (``--jobs``, default 2: one per core here).
``--only cleaning,copies`` measures some sections; ``--pin`` rewrites the floors of the
measured sections to the figures just measured (rounded down to ``PRECISION``), after a
change that is meant to move them: say so in the commit, with the old and new figures.

The figures are those the benchmarks print (the same functions compute them), on the same
fixed inputs; the gate runs in a few minutes (``floors.json`` says where an input is reduced).
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOORS = HERE / "floors.json"
PRECISION = 3  # floors are the measured figure rounded down to three decimals


def measure(section: dict) -> tuple[dict[str, float], float]:
    """The figures of one section, from ``gate_figures()`` of the benchmark script it names,
    and the seconds it took."""
    start = time.perf_counter()
    sys.path.insert(0, str(HERE))
    module = importlib.import_module(section["script"].removesuffix(".py"))
    return module.gate_figures(), time.perf_counter() - start


def check(name: str, floors: dict[str, float], figures: dict[str, float]) -> list[str]:
    """One line per figure: its value, its floor and the margin; failures start with FAIL."""
    lines = []
    for figure, floor in floors.items():
        value = figures.get(figure)
        if value is None or math.isnan(value):
            lines.append(f"FAIL {name}.{figure}: not measured (floor {floor:.{PRECISION}f})")
        elif value < floor:
            lines.append(f"FAIL {name}.{figure}: {value:.4f} is below its floor {floor:.{PRECISION}f}")
        else:
            lines.append(f"ok   {name}.{figure}: {value:.4f} (floor {floor:.{PRECISION}f}, margin {value - floor:+.4f})")
    return lines


def pinned(figures: dict[str, float]) -> dict[str, float]:
    scale = 10 ** PRECISION
    return {figure: math.floor(value * scale) / scale for figure, value in figures.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated sections to measure (default: every pinned one)")
    parser.add_argument("--pin", action="store_true", help="write the measured figures as the new floors")
    parser.add_argument("--jobs", type=int, default=2, help="sections measured at once (default 2)")
    args = parser.parse_args(argv)
    config = json.loads(FLOORS.read_text(encoding="utf-8"))
    sections = {name: section for name, section in config.items() if not name.startswith("_")}
    chosen = args.only.split(",") if args.only else list(sections)
    unknown = sorted(set(chosen) - set(sections))
    if unknown:
        parser.error(f"no section {', '.join(unknown)} in {FLOORS.name}; known: {', '.join(sections)}")
    failures, started = 0, time.perf_counter()
    measured = [name for name in chosen if sections[name].get("script") and (sections[name].get("floors") or args.pin)]
    for name in chosen:
        if name not in measured:
            print(f"--   {name}: no floors pinned yet ({sections[name].get('note', '')})", flush=True)
    # sections run side by side, each in its own process (they are single-threaded)
    with ProcessPoolExecutor(max_workers=max(1, min(args.jobs, len(measured) or 1))) as pool:
        futures = {name: pool.submit(measure, sections[name]) for name in measured}
        for name, future in futures.items():
            section = sections[name]
            try:
                figures, seconds = future.result()
            except Exception as error:  # noqa: BLE001 — a benchmark that cannot run fails the gate, with why
                print(f"FAIL {name}: could not be measured ({type(error).__name__}: {error})")
                failures += 1
                continue
            lines = check(name, section.get("floors", {}), figures)
            print("\n".join(lines) + f"\n     {name}: {seconds:.0f} s", flush=True)
            failures += sum(line.startswith("FAIL") for line in lines)
            if args.pin:
                section["floors"] = pinned(figures)
    if args.pin:
        FLOORS.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"pinned the measured figures in {FLOORS}")
    verdict = "FAILED" if failures and not args.pin else "passed"
    print(f"gate {verdict}: {failures} figure(s) below their floor; {time.perf_counter() - started:.0f} s")
    return 1 if failures and not args.pin else 0


if __name__ == "__main__":
    sys.exit(main())
