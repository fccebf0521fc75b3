"""Pick the stories of the labelled claim set (tests/fixtures/claims/), reproducibly.

From the dev story sets only: stories with three articles from three different outlets
(AllSides roundups are three excerpts of three outlets; for GVA and ECB+ three articles of
distinct outlets, 80–450 words each, no two of them copies of each other). Stories labelled
for the older fact benchmark (the rules of earlier stops were written on them) are left out.
Half the stories of each set are 'fit' (the comparison may be tuned on them), half 'test'
(scored only). Labels are read from the texts by people, never from newsloom's output.

    python benchmarks/claim_stories.py            # print the chosen stories
    python benchmarks/claim_stories.py --write    # write a stub file per story to label
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import load_set  # noqa: E402

CLAIMS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "claims"
PER_SET = {"allsides": 14, "gva": 16, "ecbplus": 12}
EARLIER = {"allsides-train-1287", "allsides-train-1866", "allsides-train-1918", "allsides-train-1982",
           "gva-142818", "gva-355883", "gva-496668", "gva-542824", "gva-589165", "gva-720830", "gva-774330",
           "gva-804659", "gva-806180"}


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + 5]) for i in range(max(len(words) - 4, 1))}


def _copies(a: dict, b: dict) -> bool:
    x, y = _shingles(a["text"]), _shingles(b["text"])
    return len(x & y) / max(min(len(x), len(y)), 1) > 0.3


def three_outlets(rows: list[dict], rng: random.Random) -> list[dict] | None:
    """Three articles of three outlets, 80–450 words, none a copy of another (None if no such three)."""
    usable = [r for r in rows if 80 <= len(r["text"].split()) <= 450 and r.get("source")]
    rng.shuffle(usable)
    chosen: list[dict] = []
    for row in usable:
        if row["source"] in {c["source"] for c in chosen} or any(_copies(row, c) for c in chosen):
            continue
        chosen.append(row)
        if len(chosen) == 3:
            return sorted(chosen, key=lambda r: r["id"])
    return None


def choose() -> list[dict]:
    picked = []
    for name, wanted in PER_SET.items():
        rng = random.Random(f"claims-{name}")
        stories = defaultdict(list)
        for row in load_set(name):
            stories[row["story"]].append(row)
        keys = sorted(k for k in stories if k not in EARLIER)
        rng.shuffle(keys)
        count = 0
        for key in keys:
            rows = stories[key] if name == "allsides" else three_outlets(stories[key], rng)
            if not rows or len(rows) != 3:
                continue
            split = "fit" if count % 2 == 0 else "test"
            picked.append({"set": name, "story": key, "split": split, "articles": [r["id"] for r in rows]})
            count += 1
            if count == wanted:
                break
    return picked


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write a stub label file per story (never overwrites)")
    args = parser.parse_args()
    for story in choose():
        print(f"{story['set']:<9} {story['split']:<5} {story['story']:<24} {' '.join(story['articles'])}")
        path = CLAIMS / f"{story['story']}.json"
        if args.write and not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(story | {"copies": {}, "claims": [], "not_claims": {}}, indent=1) + "\n")


if __name__ == "__main__":
    main()
