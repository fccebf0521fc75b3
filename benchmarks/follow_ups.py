"""How many shared names make a follow-up (``ClusterConfig.follow_up_names``), chosen on GVA's
fit half and reported on the test halves.

Each set's half (``fit_clustering``'s prepared features, as ingest makes them) is placed online
with the shipped model and follow-ups by name turned off (0) or needing 2, 3 or 4 names only
the followed story has: in the file's order, in two shuffled orders, and for GVA also with its
dates removed. Prints BCubed F1 and the change from 0 for each.

    .venv/bin/python benchmarks/follow_ups.py [--half fit|test] [--names 0,2,3,4]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import SETS  # noqa: E402
from fit_clustering import CACHE, online, prepared_half, without_dates  # noqa: E402

from newsloom.cluster import ClusterConfig, Embedder  # noqa: E402


def orders(name: str, prepared: list) -> list[tuple[str, list]]:
    """The half in the file's order, in two shuffled orders and (GVA) without its dates."""
    found = [("file order", prepared)]
    if name == "gva":
        found.append(("dates removed", without_dates(prepared)))
    for seed in (1, 2):
        shuffled = list(prepared)
        random.Random(seed).shuffle(shuffled)
        found.append((f"shuffled (seed {seed})", shuffled))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--half", default="test", choices=("fit", "test"))
    parser.add_argument("--names", default="0,2,3,4", help="values of follow_up_names to try (0: none)")
    args = parser.parse_args()
    tried = [int(n) for n in args.names.split(",")]
    embedder = Embedder()
    print(f"{args.half} halves, BCubed F1 with follow_up_names = {' / '.join(map(str, tried))}")
    for name in SETS:
        for label, prepared in orders(name, prepared_half(name, args.half, embedder, CACHE)):
            scores = [online(prepared, ClusterConfig(follow_up_names=n))[2] for n in tried]
            cells = [f"{f:.3f}" + (f" ({f - scores[0]:+.3f})" if i else "") for i, f in enumerate(scores)]
            print(f"  {name:<9} {label:<20} {' / '.join(cells)}", flush=True)


if __name__ == "__main__":
    main()
