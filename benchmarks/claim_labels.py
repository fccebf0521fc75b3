"""The labelled claim set (tests/fixtures/claims/*.json): loading and checking.

One file per story. Each lists the three articles compared and every claim they make:
``status`` (corroborated | single_source | contested), a ``note`` in the labeller's words, and
per article the ``markers`` that locate the claim: exact substrings of the article text, each
occurring once in it, inside the sentence (or clause) that states the claim. ``not_claims``
marks, per article, the sentences that state nothing to compare (headings, captions, bylines,
"Updated" lines, app prompts, questions to the reader). Every sentence of every article is
covered by a claim or a not-claim marker.

    python benchmarks/claim_labels.py [STORY ...]          # check the files, list uncovered sentences
    python benchmarks/claim_labels.py --show STORY         # print a story's three articles
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import load_set  # noqa: E402

CLAIMS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "claims"
STATUSES = ("corroborated", "single_source", "contested")
CONFLICT_KINDS = ("number", "date", "place", "role", "quote", "other")
_SENTENCE_END = re.compile(r"(?<=[.!?…”\"])\s+(?=[\"“A-Z0-9])|\n+")


def load_labels(stories: list[str] | None = None) -> list[dict]:
    paths = sorted(CLAIMS.glob("*.json"))
    labels = [json.loads(p.read_text()) for p in paths]
    return [s for s in labels if not stories or s["story"] in stories]


def texts_of(labels: list[dict]) -> dict[str, str]:
    wanted = {a for story in labels for a in story["articles"]}
    return {row["id"]: row["text"] for name in {s["set"] for s in labels} for row in load_set(name)
            if row["id"] in wanted}


def sentences(text: str) -> list[tuple[int, int]]:
    """Rough sentence spans (start, end): enough to say which sentences no marker covers."""
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if text[start:match.start()].strip():
            spans.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def problems(story: dict, texts: dict[str, str]) -> tuple[list[str], list[str]]:
    """(errors, uncovered sentences) of one story's labels."""
    errors, covered = [], {a: [] for a in story["articles"]}
    for n, claim in enumerate(story["claims"]):
        where = f"claim {n} ({claim.get('note', '')[:40]!r})"
        status = claim.get("status")
        if status not in STATUSES:
            errors.append(f"{where}: status {status!r} is not one of {STATUSES}")
        outlets = [a for a, markers in claim.get("evidence", {}).items() if markers]
        roots = {story.get("copies", {}).get(a, a) for a in outlets}
        if status == "single_source" and len(roots) != 1:
            errors.append(f"{where}: single_source needs markers in exactly one article (or its copies)")
        if status in ("corroborated", "contested") and len(roots) < 2:
            errors.append(f"{where}: {status} needs markers in two independent articles")
        if status == "contested":
            if claim.get("kind") not in CONFLICT_KINDS:
                errors.append(f"{where}: contested needs 'kind' in {CONFLICT_KINDS}")
            if set(claim.get("values", {})) != set(outlets):
                errors.append(f"{where}: contested needs 'values' for each article with markers")
        for article, markers in claim.get("evidence", {}).items():
            errors += _check_markers(where, article, markers, texts, covered, story)
    for article, markers in story.get("not_claims", {}).items():
        errors += _check_markers("not_claims", article, markers, texts, covered, story)
    uncovered = []
    for article in story["articles"]:
        text = texts.get(article, "")
        for start, end in sentences(text):
            if not any(s < end and start < e for s, e in covered[article]):
                uncovered.append(f"{article}: {text[start:end][:160]!r}")
    return errors, uncovered


def _check_markers(where, article, markers, texts, covered, story) -> list[str]:
    if article not in story["articles"]:
        return [f"{where}: {article} is not one of the story's articles"]
    errors = []
    text = texts.get(article, "")
    for marker in markers:
        count = text.count(marker)
        if count != 1:
            errors.append(f"{where}: {article}: marker {marker!r} occurs {count} times (must be once)")
        else:
            start = text.index(marker)
            covered[article].append((start, start + len(marker)))
    return errors


def show(story_id: str) -> None:
    story = load_labels([story_id])[0]
    texts = texts_of([story])
    rows = {row["id"]: row for row in load_set(story["set"]) if row["id"] in texts}
    for article in story["articles"]:
        row = rows[article]
        print(f"===== {article} | source: {row.get('source') or '(none)'} | date: {row.get('date') or '(none)'}")
        print(f"title: {row['title']}\n")
        print(row["text"])
        print()


def main():
    if sys.argv[1:2] == ["--show"]:
        show(sys.argv[2])
        return
    labels = load_labels(sys.argv[1:] or None)
    texts = texts_of(labels)
    bad = 0
    for story in labels:
        errors, uncovered = problems(story, texts)
        counts = {s: sum(c["status"] == s for c in story["claims"]) for s in STATUSES}
        print(f"{story['story']}: {len(story['claims'])} claims {counts}; {len(errors)} errors, "
              f"{len(uncovered)} sentences uncovered")
        for line in errors:
            print("  ERROR", line)
        for line in uncovered:
            print("  uncovered", line)
        bad += bool(errors)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
