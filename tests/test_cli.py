"""The command line through its real entry point (click's CliRunner on ``newsloom.cli:cli``)."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner

from newsloom.cli import cli

from .conftest import EXAMPLES, NEPALKHABAR, SEEDS


@pytest.fixture
def run(tmp_path):
    db = str(tmp_path / "cli.db")

    def invoke(*args):
        return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)

    invoke.db = db
    return invoke


def test_ingest_then_stories(run):
    result = run("ingest", str(SEEDS))
    assert result.exit_code == 0, result.output
    assert "new 2" in result.output and "2 articles in 1 stories" in result.output
    listed = json.loads(run("stories", "--json").output)
    assert len(listed) == 1 and listed[0]["articles"] == 2 and listed[0]["outlets"] == 2


def test_ingest_exit_status_says_something_was_skipped(run, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = run("ingest", str(tmp_path / "empty.txt"), str(tmp_path / "missing.txt"), str(SEEDS))
    assert result.exit_code == 1
    assert "empty.txt: [E100]" in result.output and "missing.txt" in result.output and "skipped 2" in result.output


def test_story_json_gives_the_claim_table_traced_to_the_articles(run):
    run("ingest", str(SEEDS))
    story = json.loads(run("story", "1", "--json").output)
    text_of = {a["id"]: a["text"] for a in story["articles"]}
    assert story["story"]["outlet_names"] == ["NepalKhabar", "unknown outlet (001_dc5a2832e058e991.txt)"]
    counts = story["story"]["claim_counts"]
    assert counts == {status: sum(c["status"] == status for c in story["claims"])
                      for status in ("corroborated", "single_source", "contested")}
    assert counts["corroborated"] >= 6 and counts["contested"] == 1 and "facts" not in story
    for claim in story["claims"]:
        assert set(claim) == {"id", "text", "status", "outlets", "origins", "evidence", "conflicts", "why"}
        for e in claim["evidence"]:
            assert text_of[e["article"]][e["start"]:e["end"]] == e["text"]
        assert claim["why"]["reason"]
    text = run("story", "1").output
    assert "CONTESTED" in text and "Russian Foreign Minister reaching China" in text


def test_unknown_story_is_a_clear_error(run):
    run("ingest", str(SEEDS))
    result = run("story", "999")
    assert result.exit_code == 2 and "no story with id 999" in result.output


def test_export_jsonl_and_csv(run):
    run("ingest", str(EXAMPLES))
    rows = [json.loads(line) for line in run("export", "articles").output.splitlines()]
    assert len(rows) == 8
    assert list(rows[0]) == ["id", "story", "source", "title", "published", "url", "duplicate_of", "copy_kind",
                             "copy_score", "dateline", "author", "language", "text", "shown_id"], "the README's order"
    assert any(r["duplicate_of"] == "valley-wire-0311-bridge" for r in rows)
    table = list(csv.DictReader(io.StringIO(run("export", "articles", "--format", "csv").output)))
    assert {r["id"] for r in table} == {r["id"] for r in rows}


def test_extract_without_a_database(tmp_path):
    result = CliRunner().invoke(cli, ["extract", "--jsonl", str(NEPALKHABAR)])
    record = json.loads(result.output)
    assert record["title"] == "China sends Foreign Minister Wang to Russia for security talks"
    assert record["source"] == "NepalKhabar" and record["language"] == "en"
    explained = CliRunner().invoke(cli, ["extract", "--explain", str(NEPALKHABAR)]).output
    assert re.search(r"caption \(p=0\.\d\d\): Chinese Foreign Minister Wang Yi\. \(Photo: Getty Images\)", explained)


@pytest.fixture
def corpus(run):
    run("ingest", str(EXAMPLES))
    return run


COPY = str(EXAMPLES / "northfield-daily-bridge.txt")


def test_copies(corpus):
    shown = corpus("copies", COPY).output.splitlines()
    assert shown[0].startswith("valley-wire-0311-bridge  [Valley Wire, 2026-03-10T11:05:00]  original")
    assert shown[2].startswith("corpus/northfield-daily-bridge.txt  [Northfield Daily, no date]  near copy, score 0.")
    group = json.loads(corpus("copies", COPY, "--json").output)
    assert [list(member) for member in group] == [["id", "source", "title", "published", "duplicate_of", "copy_kind",
                                                   "copy_score", "shown_id"]] * 2
    assert corpus("copies", "corpus/northfield-daily-bridge.txt").output == corpus("copies", COPY).output, \
        "an article is found by the name it is shown by"
    assert [m["duplicate_of"] for m in group] == [None, "valley-wire-0311-bridge"]
    alone = corpus("copies", "green-ledger-solar-vote").output
    assert alone == "green-ledger-solar-vote has no known copies and copies nothing known.\n"
    assert corpus("copies", "nowhere").exit_code == 2


def test_why(corpus):
    joined = corpus("why", "green-ledger-solar-vote").output.splitlines()
    assert joined[0] == "green-ledger-solar-vote → story #2 (Council approves solar farm on old quarry land)"
    assert joined[1].startswith("  joined story #2 p ") and "tfidf" in joined[1]
    assert joined[-1].startswith("  shared: ") and "solar" in joined[-1]
    copied = corpus("why", COPY).output
    assert "copy (near" in copied and "copy of valley-wire-0311-bridge (near, 0." in copied


def test_delete(corpus):
    result = corpus("delete", "valley-wire-0311-bridge")
    assert result.exit_code == 0 and result.output.startswith("deleted valley-wire-0311-bridge")
    assert json.loads(corpus("copies", COPY, "--json").output)[0]["duplicate_of"] is None, "the copy is an original now"
    again = corpus("delete", "valley-wire-0311-bridge")
    assert again.exit_code == 2 and "no article with id 'valley-wire-0311-bridge'" in again.output


def test_why_gives_the_weighed_signals_of_the_story_and_of_the_runner_up(run):
    run("ingest", str(EXAMPLES))
    ids = [json.loads(line)["id"] for line in run("export", "articles").output.splitlines()]
    answers = [run("why", article_id).output for article_id in ids]
    scored = [a for a in answers if "joined story #" in a or ": best story #" in a]
    assert scored and all(re.search(r"story #\d+ p [01]\.\d\d \(tfidf [01]\.\d\d ×-?\d", a) for a in scored)
    assert any(re.search(r"\n  runner-up: story #\d+ p [01]\.\d\d \(tfidf", a) for a in scored)


def test_hostile_text_is_stored_as_data(run, tmp_path):
    evil = tmp_path / "evil.jsonl"
    evil.write_text(json.dumps({"id": "x'); DROP TABLE articles; --", "title": "Robert'); DROP TABLE articles;--",
                                "text": "The council met on Monday'; DELETE FROM stories; -- and voted on the budget for the year."}))
    assert run("ingest", str(evil)).exit_code == 0
    rows = [json.loads(line) for line in run("export", "articles").output.splitlines()]
    assert rows[0]["id"] == "x'); DROP TABLE articles; --"


def test_ingest_of_names_not_utf8_or_with_control_characters(run, tmp_path):
    import os

    with open(os.fsencode(tmp_path) + b"/caf\xe9.txt", "w") as handle:
        handle.write("An article whose file name is Latin-1, not UTF-8.")
    bad = os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.txt")  # as the shell hands it to Python
    forged = str(tmp_path / "empty\nskipped: forged.txt")
    with open(forged, "w"):
        pass
    result = run("ingest", bad, forged, str(SEEDS))
    assert result.exit_code == 1 and "skipped 2" in result.output
    assert f"skipped: {tmp_path}/caf\\xe9.txt: [E100]" in result.output and "not valid UTF-8" in result.output
    assert f"skipped: {tmp_path}/empty\\nskipped: forged.txt: [E100]" in result.output
    assert "\nskipped: forged.txt" not in result.output
    runs = run("runs").output
    assert "done with skips" in runs


@pytest.mark.parametrize("story_id", ["9223372036854775808", "0", "-5"])
def test_story_id_outside_sqlite_range_is_a_clear_error(run, story_id):
    run("ingest", str(SEEDS))
    result = CliRunner().invoke(cli, ["--db", run.db, "story", "--", story_id])
    assert result.exit_code == 2 and "is not in the range 1<=x<=9223372036854775807" in result.output
    assert "Traceback" not in result.output


def test_a_file_name_with_a_newline_cannot_forge_a_line(run, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    forged = folder / "bridge\n  - Forged Outlet | 2026-01-01 | Invented headline  (fake).txt"
    forged.write_text((EXAMPLES / "northfield-daily-bridge.txt").read_text())
    run("ingest", str(EXAMPLES))
    run("ingest", str(forged))
    story_id = json.loads(run("stories", "--json", "--query", "Northfield").output)[0]["id"]
    printed = run("story", str(story_id)).output
    assert "bridge\\n  - Forged Outlet" in printed
    assert not any(line.startswith("  - Forged Outlet") for line in printed.splitlines())
    runs = run("runs").output
    assert len(runs.splitlines()) == 2
    assert "bridge\\n  - Forged" in run("copies", str(forged)).output


def test_recluster(run):
    run("ingest", str(SEEDS), str(EXAMPLES))
    before = json.loads(run("stories", "--json").output)
    result = run("recluster")
    assert result.exit_code == 0 and result.output.endswith("10 articles in 4 stories\n")
    after = json.loads(run("stories", "--json").output)
    assert sorted(s["articles"] for s in after) == sorted(s["articles"] for s in before)


def test_runs(run, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    run("ingest", str(SEEDS))
    run("ingest", str(tmp_path / "empty.txt"))
    runs = run("runs").output.splitlines()
    assert len(runs) == 2
    assert re.match(r"#2 \S+ done with skips: ingest .*empty\.txt \{.*\"skipped\": 1", runs[0])
    assert re.match(r"#1 \S+ done: ingest .*seeds \{.*\"new\": 2", runs[1])


def test_articles_ingested_by_absolute_path_are_shown_without_it(run, tmp_path):
    folder = tmp_path / "wire"
    folder.mkdir()
    for name in ("riverton-gazette-bridge.txt", "northfield-daily-bridge.txt"):
        (folder / name).write_bytes((EXAMPLES / name).read_bytes())
    (folder / "odd\nname.txt").write_bytes((EXAMPLES / "riverton-gazette-bridge.txt").read_bytes())
    assert run("ingest", str(folder)).exit_code == 0
    (story,) = json.loads(run("stories", "--json").output)
    outputs = [run("stories").output, run("story", str(story["id"])).output,
               run("why", "wire/northfield-daily-bridge.txt").output,
               run("copies", "wire/odd\nname.txt").output, run("story", str(story["id"]), "--json").output,
               run("copies", "wire/northfield-daily-bridge.txt", "--json").output]
    assert not any(str(tmp_path) in shown for shown in outputs), outputs
    assert "(wire/northfield-daily-bridge.txt)" in outputs[1]
    assert "wire/odd\\nname.txt" in outputs[3] and "wire/odd\nname" not in "".join(outputs), \
        "a name's control characters are escaped"
    rows = [json.loads(line) for line in run("export", "articles").output.splitlines()]
    assert {r["shown_id"] for r in rows} == {"wire/odd\nname.txt", "wire/northfield-daily-bridge.txt",
                                             "wire/riverton-gazette-bridge.txt"}
    assert all(r["id"].startswith(str(folder)) for r in rows), "the store keeps the path as given, for re-ingest"
    again = run("ingest", str(folder)).output
    assert "new 0, updated 0, unchanged 3" in again
