"""Precision and recall of the comparison stage's fact groups on hand-labelled dev stories,
and the time to compare a story of 50 articles.

The labels (tests/fixtures/compare_labels.json) list, per story, the facts that two or more
outlets state (corroborated) and the frames they state with incompatible values (contested),
each with substrings that identify its sentences in each article. Two measures:
- pairs: every two evidence sentences of a reported group from different articles are one
  link ("these state the same fact"); a link is correct when one labelled fact of the group's
  status holds both sentences. Precision is over links; a labelled fact is found when some
  group of its status has a correct link for it.
- groups (stricter): a group is correct only when one labelled fact of its status accounts for
  all of its evidence and for at least two of its articles; a fact is found when such a group
  exists. AllSides excerpts carry no outlet name, so
each article is given one ("outlet 0", "outlet 1", ...); every article counts as independent.
Figures are printed for the stories the rules were written on ("dev"), for the stories only
scored ("held-out") and for all.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import load_set  # noqa: E402

from newsloom.compare import Comparer  # noqa: E402

LABELS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "compare_labels.json"
STATUSES = ("corroborated", "contested")


def as_article(row: dict) -> dict:
    outlet = row.get("source") or f"outlet {row['id'].rsplit('-', 1)[-1]}"
    return {"id": row["id"], "source": outlet, "title": row["title"], "text": row["text"],
            "published": row.get("date") or None, "duplicate_of": None}


def belongs(item, fact: dict) -> bool:
    return any(marker in item.sentence for marker in fact["evidence"].get(item.article, ()))


def matches(group, fact: dict) -> bool:
    items = group.evidence + group.conflicts
    return all(belongs(item, fact) for item in items) and len({item.article for item in items}) >= 2


def links(group) -> list[tuple]:
    items = group.evidence + group.conflicts
    return [(a, b) for i, a in enumerate(items) for b in items[i + 1:] if a.article != b.article]


def link_holds(link: tuple, fact: dict) -> bool:
    return belongs(link[0], fact) and belongs(link[1], fact)


def check_markers(labels: list[dict], sets: dict) -> None:
    """Every marker must occur in its article, or the labels score nothing."""
    texts = {row["id"]: row["text"] for rows in sets.values() for row in rows}
    for story in labels:
        for fact in story["facts"]:
            for article, markers in fact["evidence"].items():
                missing = [m for m in markers if m not in texts.get(article, "")]
                if missing:
                    raise SystemExit(f"{LABELS.name}: {story['story']} {article}: markers not in the text: {missing}")


def main():
    labels = json.loads(LABELS.read_text())["stories"]
    sets = {name: load_set(name) for name in {story["set"] for story in labels}}
    check_markers(labels, sets)
    comparer = Comparer()
    comparer.compare([as_article(sets["gva"][0])])  # load the models before timing
    tally = defaultdict(int)  # (split, measure, status, what) -> count
    print(f"{'story':<22} {'split':<9} {'articles':>8} {'facts':>6} {'links ok/all':>13} {'groups ok/all':>14} {'found (links)':>14}")
    for story in labels:
        rows = [as_article(r) for r in sets[story["set"]] if r["story"] == story["story"]]
        comparison = comparer.compare(rows)
        groups = [g for g in comparison.facts if g.status in STATUSES]
        line = defaultdict(int)
        for group in groups:
            same_status = [fact for fact in story["facts"] if fact["status"] == group.status]
            for link in links(group):
                ok = any(link_holds(link, fact) for fact in same_status)
                for split in (story["split"], "all"):
                    tally[split, "links", group.status, "reported"] += 1
                    tally[split, "links", group.status, "correct"] += ok
                line["links ok"] += ok
                line["links"] += 1
            ok = any(matches(group, fact) for fact in same_status)
            for split in (story["split"], "all"):
                tally[split, "groups", group.status, "reported"] += 1
                tally[split, "groups", group.status, "correct"] += ok
            line["groups ok"] += ok
            line["groups"] += 1
        for fact in story["facts"]:
            of_status = [group for group in groups if group.status == fact["status"]]
            by_link = any(link_holds(link, fact) for group in of_status for link in links(group))
            by_group = any(matches(group, fact) for group in of_status)
            for measure, hit in (("links", by_link), ("groups", by_group)):
                for split in (story["split"], "all"):
                    tally[split, measure, fact["status"], "labelled"] += 1
                    tally[split, measure, fact["status"], "found"] += hit
            line["found"] += by_link
        print(f"{story['story']:<22} {story['split']:<9} {len(rows):>8} {len(story['facts']):>6} {line['links ok']:>6}/{line['links']:<6} "
              f"{line['groups ok']:>7}/{line['groups']:<6} {line['found']:>7}/{len(story['facts'])}")
    for split in ("dev", "held-out", "all"):
        for measure in ("links", "groups"):
            for status in STATUSES:
                reported, correct = tally[split, measure, status, "reported"], tally[split, measure, status, "correct"]
                labelled, found = tally[split, measure, status, "labelled"], tally[split, measure, status, "found"]
                precision = correct / reported if reported else float("nan")
                recall = found / labelled if labelled else float("nan")
                print(f"{split:<8} {measure:<6} {status:<12}: precision {precision:.3f} ({correct}/{reported}), "
                      f"recall {recall:.3f} ({found}/{labelled})")

    # speed: the 50 articles of the largest GVA stories, compared as one story
    by_story = defaultdict(list)
    for row in sets["gva"]:
        by_story[row["story"]].append(row)
    big = [as_article(r) for rows in sorted(by_story.values(), key=len, reverse=True) for r in rows][:50]
    start = time.perf_counter()
    comparison = comparer.compare(big)
    elapsed = time.perf_counter() - start
    print(f"50-article story ({sum(len(a['text']) for a in big):,} characters): compared in {elapsed:.2f} s "
          f"({len(comparison.facts)} fact groups)")


if __name__ == "__main__":
    main()
