"""The claim table against the labelled claim set (tests/fixtures/claims/, 42 dev stories of
three outlets), and the time to compare a story of 50 articles.

Each labelled claim has markers (substrings) in the articles that state it. A row's wording in
an article "belongs" to a labelled claim when its span overlaps one of the claim's markers in
that article; a row (its wordings, and for a contested row the other side's sentences too) can
stand for the labelled claims every one of its wordings belongs to. A row is right when it can
stand for a labelled claim of its own status that no earlier row of the table has taken
already — a second row that restates the same claim (its text alike the first's: half its
content words shared) counts as wrong (a repeat); a row on another sentence of a claim the
labeller wrote as one (a long quote, a multi-sentence statement) counts as right and is
tallied apart ("finer"). Recall: the share of the
labelled claims of a status that some row of that status stands for. Rows that overlap only
not-claim markers (debris) are wrong; rows overlapping no label at all are counted apart
("unlabelled"). Figures are printed for the 'fit' half (the comparison may be tuned on it), the
'test' half (only scored) and both.

The summary is scored on the same labels: whether its first sentence states a central claim
(the main event first), the share of central claims some summary sentence states, and the
share of summary sentences that state no labelled claim an earlier summary sentence has not
already stated (*redundant*: they say again what the summary said) or only page debris.

    python benchmarks/compare.py [--stories ID ...] [--rows]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from claim_labels import STATUSES, load_labels  # noqa: E402
from common import load_set  # noqa: E402

from newsloom.compare import Comparer  # noqa: E402
from newsloom.compare.words import content_words  # noqa: E402
from newsloom.models import StoredArticle  # noqa: E402


def as_article(row: dict, number: int) -> StoredArticle:
    return StoredArticle(id=row["id"], origin="benchmark", title=row["title"], text=row["text"], content_hash="",
                         source=row.get("source") or f"outlet {number}", published=row.get("date") or None)


def marker_spans(story: dict, texts: dict[str, str]) -> tuple[list[dict], dict[str, list]]:
    """Per labelled claim, article → [(start, end)]; and the not-claim spans per article."""
    claims = []
    for claim in story["claims"]:
        spans = {}
        for article, markers in claim["evidence"].items():
            spans[article] = [(texts[article].index(m), texts[article].index(m) + len(m)) for m in markers
                              if m in texts[article]]
        claims.append(claim | {"spans": spans})
    debris = {article: [(texts[article].index(m), texts[article].index(m) + len(m)) for m in markers
                        if m in texts[article]] for article, markers in story.get("not_claims", {}).items()}
    return claims, debris


def _overlaps(span, spans) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def _alike(a: str, b: str) -> bool:
    x, y = content_words(a), content_words(b)
    return len(x & y) >= 0.5 * max(min(len(x), len(y)), 1)


def score_story(story: dict, rows, texts: dict[str, str]) -> dict:
    claims, debris = marker_spans(story, texts)
    tally = defaultdict(int)
    taken: dict[int, str] = {}  # labelled claim → the text of the row that took it
    found: dict[str, set[int]] = defaultdict(set)
    verdicts = []
    for row in rows:
        items = [(e.article, (e.start, e.end)) for e in row.evidence]
        for conflict in row.conflicts:
            start = texts[conflict.article].find(conflict.sentence)
            if start >= 0:
                items.append((conflict.article, (start, start + len(conflict.sentence))))
        possible = None
        for article, span in items:
            belongs = {n for n, c in enumerate(claims) if _overlaps(span, c["spans"].get(article, []))}
            possible = belongs if possible is None else possible & belongs
        possible = possible or set()
        labelled_anywhere = any(_overlaps(span, c["spans"].get(article, [])) for article, span in items for c in claims)
        is_debris = not labelled_anywhere and any(_overlaps(span, debris.get(article, [])) for article, span in items)
        right = {n for n in possible if claims[n]["status"] == row.status}
        fresh = right - set(taken)
        tally[row.status, "reported"] += 1
        if not labelled_anywhere and not is_debris:
            tally[row.status, "unlabelled"] += 1
            verdict = "unlabelled"
        elif fresh:
            tally[row.status, "correct"] += 1
            taken[min(fresh)] = row.text
            verdict = "ok"
        elif right and any(_alike(row.text, taken[n]) for n in right):
            tally[row.status, "repeat"] += 1
            verdict = "repeat"
        elif right:
            tally[row.status, "correct"] += 1
            tally[row.status, "finer"] += 1
            verdict = "finer"
        else:
            verdict = "debris" if is_debris else "wrong"
            tally[row.status, verdict] += 1
        found[row.status] |= right
        verdicts.append((verdict, row, sorted(possible)))
    for n, claim in enumerate(claims):
        tally[claim["status"], "labelled"] += 1
        tally[claim["status"], "found"] += n in found[claim["status"]]
        if claim.get("central"):
            tally["central", "labelled"] += 1
            tally["central", "found"] += n in found[claim["status"]]
    return {"tally": tally, "verdicts": verdicts, "claims": claims}


def score_summary(summary, claims: list[dict], debris: dict[str, list], texts: dict[str, str]) -> dict:
    """Tallies of a story's summary against its labelled claims (see the module's docstring)."""
    tally = defaultdict(int)
    said: set[int] = set()
    for n, sentence in enumerate(summary):
        start = texts[sentence.article].find(sentence.text)
        span = (start, start + len(sentence.text))
        states = {k for k, c in enumerate(claims) if start >= 0 and _overlaps(span, c["spans"].get(sentence.article, []))}
        tally["summary", "sentences"] += 1
        if n == 0:
            tally["summary", "stories"] += 1
            tally["summary", "central first"] += any(claims[k].get("central") for k in states)
        if not states:
            tally["summary", "debris" if _overlaps(span, debris.get(sentence.article, [])) else "unlabelled"] += 1
        elif states <= said:
            tally["summary", "redundant"] += 1
        said |= states
    central = [k for k, c in enumerate(claims) if c.get("central")]
    tally["summary", "central"] += len(central)
    tally["summary", "central stated"] += sum(k in said for k in central)
    return tally


def report(name: str, tally: dict) -> None:
    parts = []
    for status in STATUSES:
        reported, correct = tally[status, "reported"], tally[status, "correct"]
        scored = reported - tally[status, "unlabelled"]
        labelled, found = tally[status, "labelled"], tally[status, "found"]
        precision = correct / scored if scored else float("nan")
        recall = found / labelled if labelled else float("nan")
        parts.append(f"{status}: P {precision:.3f} ({correct}/{scored}) R {recall:.3f} ({found}/{labelled})"
                     f" repeats {tally[status, 'repeat']} finer {tally[status, 'finer']} debris {tally[status, 'debris']}"
                     f" unlabelled {tally[status, 'unlabelled']}")
    central = tally["central", "found"] / max(tally["central", "labelled"], 1)
    sentences = max(tally["summary", "sentences"], 1)
    parts.append(f"summary: central claim first {tally['summary', 'central first']}/{tally['summary', 'stories']}, "
                 f"central claims stated {tally['summary', 'central stated']}/{tally['summary', 'central']}, "
                 f"redundant {tally['summary', 'redundant'] / sentences:.3f} ({tally['summary', 'redundant']}/{sentences}), "
                 f"debris {tally['summary', 'debris']}, unlabelled {tally['summary', 'unlabelled']}")
    print(f"{name:<10} " + "\n           ".join(parts) + f"\n           central claims found {central:.3f}")


def measure(labels: list[dict], comparer, rows_out=None) -> dict[str, dict]:
    """Tallies per split ('fit', 'test', 'all') and per set; ``rows_out(story, result)`` sees each."""
    sets = {name: {row["id"]: row for row in load_set(name)} for name in {s["set"] for s in labels}}
    totals = defaultdict(lambda: defaultdict(int))
    for story in labels:
        rows = [sets[story["set"]][a] for a in story["articles"]]
        texts = {r["id"]: r["text"] for r in rows}
        comparison = comparer.compare([as_article(r, n) for n, r in enumerate(rows)])
        result = score_story(story, comparison.claims, texts)
        claims, debris = marker_spans(story, texts)
        result["tally"].update(score_summary(comparison.summary, claims, debris, texts))
        result["summary"] = comparison.summary
        for key, value in result["tally"].items():
            for split in (story["split"], "all", story["set"]):
                totals[split][key] += value
        if rows_out:
            rows_out(story, result)
    return totals


def figures(tally: dict) -> dict[str, float]:
    result = {}
    for status in STATUSES:
        scored = tally[status, "reported"] - tally[status, "unlabelled"]
        result[f"{status}_p"] = tally[status, "correct"] / scored if scored else 0.0
        result[f"{status}_r"] = tally[status, "found"] / tally[status, "labelled"] if tally[status, "labelled"] else 0.0
    return result


def gate_figures() -> dict[str, float]:
    """The figures `benchmarks/gate.py` holds to their floors: precision and recall of each
    status on the whole labelled claim set (both halves)."""
    return figures(measure(load_labels(), Comparer())["all"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", nargs="*", help="only these stories")
    parser.add_argument("--rows", action="store_true", help="print every row with its verdict")
    parser.add_argument("--no-speed", action="store_true", help="skip the 50-article timing")
    args = parser.parse_args()
    labels = load_labels(args.stories)
    comparer = Comparer()
    start = time.perf_counter()
    comparer.compare([as_article(load_set("gva")[0], 0)])
    print(f"models loaded in {time.perf_counter() - start:.2f} s")

    def show(story, result):
        if args.rows:
            print(f"\n== {story['story']} ({story['split']})")
            for verdict, row, possible in result["verdicts"]:
                print(f"  {verdict:<10} {row.status:<13} {row.text[:110]}  {possible}")
            missed = [c for n, c in enumerate(result["claims"])
                      if c["status"] != "single_source" and n not in
                      {p for v, r, ps in result["verdicts"] if r.status == c["status"] for p in ps}]
            for claim in missed:
                print(f"  MISSED     {claim['status']:<13} {claim['note'][:110]}")
            for sentence in result["summary"]:
                print(f"  SUMMARY    {sentence.source[:13]:<13} {sentence.text[:110]}")

    totals = measure(labels, comparer, show)
    print()
    for split in ("fit", "test", "all", "allsides", "gva", "ecbplus"):
        report(split, totals[split])
    if args.no_speed:
        return
    gva = load_set("gva")
    by_story = defaultdict(list)
    for row in gva:
        by_story[row["story"]].append(row)
    big = [as_article(r, n) for n, r in enumerate(r for rows in sorted(by_story.values(), key=len, reverse=True)
                                                   for r in rows)][:50]
    start = time.perf_counter()
    comparison = comparer.compare(big)
    print(f"50-article story ({sum(len(a.text) for a in big):,} characters): compared in "
          f"{time.perf_counter() - start:.2f} s ({len(comparison.claims)} claim rows)")
    cold, cached = time_story_data(big, comparer)
    print(f"the same story through the store: {cold:.2f} s cold, {cached * 1000:.1f} ms from the cache")


def time_story_data(articles: list[StoredArticle], comparer) -> tuple[float, float]:
    """Seconds to give a stored story's report the first time and from the store's cache."""
    import tempfile

    from newsloom.models import Article, Assignment
    from newsloom.report import story_data
    from newsloom.store import Store

    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"{folder}/bench.db")
        with store.transaction():
            story = store.new_story(articles[0].title, None)
            for a in articles:
                store.add_article(Article(a.id, "benchmark", a.title, a.text, a.id, a.source, None, a.published),
                                  a.id, None)
                store.assign(Assignment(a.id, story, 1.0, "benchmark"))
        start = time.perf_counter()
        story_data(store, story, comparer)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        story_data(store, story, comparer)
        cached = time.perf_counter() - start
        store.close()
    return cold, cached


if __name__ == "__main__":
    main()
