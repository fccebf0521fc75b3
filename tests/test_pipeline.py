"""The runner end to end: seeds in → one story out; idempotence; resume after SIGKILL; an article
leaves (update, delete, API) through one call that keeps the store and the indexes in step."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsloom.cli import cli
from newsloom.store import Store

from .conftest import EXAMPLES, NEPALKHABAR, SEEDS, STORIES_DEV


def snapshot(store: Store):
    rows = store.db.execute("SELECT id, story_id, duplicate_of, content_hash FROM articles ORDER BY id").fetchall()
    return [tuple(r) for r in rows], store.count("stories"), store.count("dropped_lines")


def test_seeds_make_one_story_of_two_outlets(store, pipeline):
    report = pipeline.ingest([str(SEEDS)])
    assert report.ok and report.counts["new"] == 2
    (story,) = store.stories()
    assert story.articles == 2 and story.outlets == 2
    titles = {a.title for a in store.story_articles(story.id)}
    assert "China sends Foreign Minister Wang to Russia for security talks" in titles
    assert store.assignment(store.story_articles(story.id)[1].id).shared_terms


def test_ingesting_twice_changes_nothing(store, pipeline):
    pipeline.ingest([str(SEEDS), str(EXAMPLES)])
    before = snapshot(store)
    report = pipeline.ingest([str(SEEDS), str(EXAMPLES)])
    assert report.counts["new"] == 0 and report.counts["unchanged"] == report.counts["read"]
    assert snapshot(store) == before


def test_sample_corpus_stories_copies_and_outlets(store, pipeline):
    report = pipeline.ingest([str(EXAMPLES)])
    assert report.ok
    stories = {s.headline: s for s in store.stories()}
    assert len(stories) == 3, stories
    bridge = max(stories.values(), key=lambda s: s.articles)
    assert bridge.articles == 4 and bridge.outlets == 4
    assert bridge.origins == 3, "the syndicated copy is not an independent origin"
    copy = store.article(str(EXAMPLES / "northfield-daily-bridge.txt"))
    assert copy.duplicate_of == "valley-wire-0311-bridge" and copy.copy_kind in ("near", "partial")


def test_skipped_input_is_recorded_with_its_reason(store, pipeline, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    report = pipeline.ingest([str(bad), str(SEEDS)])
    assert not report.ok and report.counts["new"] == 2
    (row,) = store.db.execute("SELECT path, reason FROM skipped").fetchall()
    assert row[0] == str(bad) and "empty" in row[1]


def test_a_changed_input_replaces_the_article(store, pipeline, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text((SEEDS / "000_48af7910958ecb10.txt").read_text())
    pipeline.ingest([str(page)])
    page.write_text((SEEDS / "000_48af7910958ecb10.txt").read_text().replace("four days", "five days"))
    report = pipeline.ingest([str(page)])
    assert report.counts["updated"] == 1 and store.count("articles") == 1
    assert "five days" in store.article(str(page)).text


@pytest.fixture(scope="module")
def gva_run(tmp_path_factory):
    """400 GVA articles (not in date order) as JSON Lines, the CLI command that ingests them
    into a given store in batches of 20, and what one uninterrupted run of it makes."""
    folder = tmp_path_factory.mktemp("gva")
    rows = [json.loads(line) for line in open(STORIES_DEV / "gva.jsonl", encoding="utf-8")]
    rows = [r for r in rows if len(r["text"]) > 200 and "You must enter" not in r["text"]][:400]
    source = folder / "gva.jsonl"
    source.write_text("\n".join(json.dumps({k: r[k] for k in ("id", "title", "text", "date", "source")}) for r in rows))

    def command(db: Path) -> list[str]:
        return [sys.executable, "-m", "newsloom.cli", "--db", str(db), "ingest", "--batch-size", "20", str(source)]

    db = folder / "uninterrupted.db"
    finished = subprocess.run(command(db), capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    return command, outcome(db)


def outcome(db: Path) -> tuple[set, set]:
    """What a run must make the same however it was cut: the partition of the articles into
    stories, and every copy link."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT id, story_id, duplicate_of, copy_kind, copy_score FROM articles").fetchall()
    stories: dict[int, set] = {}
    for article, story, *_ in rows:
        stories.setdefault(story, set()).add(article)
    return {frozenset(members) for members in stories.values()}, {tuple(r[:1] + r[2:]) for r in rows if r[2]}


def stored_count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as check:
            return check.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_a_run_killed_three_times_and_resumed_ends_as_an_uninterrupted_run(tmp_path, gva_run):
    """SIGKILL at three points of a CLI ingest, each time the same command again: only whole
    batches are stored, and the stories and copies in the end are those of one run — the story
    index a resumed run starts from is the one the killed run had."""
    command, uninterrupted = gva_run
    db = tmp_path / "kill.db"
    for point in (40, 160, 300):
        process = subprocess.Popen(command(db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 180
        while time.time() < deadline and process.poll() is None and stored_count(db) < point:
            time.sleep(0.1)
        assert process.poll() is None, "the run finished before it could be killed; give it more work"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        store = Store(str(db))
        killed_at = store.count("articles")
        assert point <= killed_at < 400 and killed_at % 20 == 0, "only whole batches are stored"
        assert store.db.execute("SELECT COUNT(*) FROM articles WHERE story_id IS NULL").fetchone()[0] == 0
        store.close()
    finished = subprocess.run(command(db), capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    store = Store(str(db))
    assert store.count("articles") == 400
    assert [run.status for run in store.runs()] == ["done", "interrupted", "interrupted", "interrupted"]
    store.close()
    stories, copies = outcome(db)
    assert copies == uninterrupted[1] and copies, "the copy links of one run"
    assert stories == uninterrupted[0], f"{len(stories ^ uninterrupted[0])} stories differ from one run's"


def test_two_runs_at_once_take_turns_and_end_as_one_run(tmp_path, gva_run):
    """The same ingest started twice at once on one store: the second waits for the first (the
    run lock), finds everything stored, and the store is what one run makes."""
    command, uninterrupted = gva_run
    db = tmp_path / "twice.db"
    processes = [subprocess.Popen(command(db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert outcome(db) == uninterrupted
    store = Store(str(db))
    counts = sorted((run.counts.get("new", 0), run.counts.get("unchanged", 0)) for run in store.runs())
    store.close()
    assert counts == [(0, 400), (400, 0)], "one run stored everything, the other found it stored"


# ---------------------------------------------------------------- deleting and replacing an article
# One call changes the store, the run's story index and the copy index together; its three
# callers are an update during ingest, `newsloom delete` and the API's POST of a known id.


def test_an_updated_file_stays_in_a_story_through_the_cli(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    page = folder / "page.txt"
    page.write_text(NEPALKHABAR.read_text())
    db = str(tmp_path / "cli.db")

    def newsloom(*args):
        return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)

    assert "1 articles in 1 stories" in newsloom("ingest", str(folder)).output
    page.write_text(NEPALKHABAR.read_text().replace("four days", "five days"))
    summary = newsloom("ingest", str(folder)).output
    assert "updated 1" in summary and "1 articles in 1 stories" in summary, summary
    (listed,) = json.loads(newsloom("stories", "--json").output)
    (exported,) = [json.loads(line) for line in newsloom("export", "articles").output.splitlines()]
    assert exported["story"] == listed["id"] and "five days" in exported["text"]
    shown = newsloom("story", str(listed["id"]), "--json")
    assert shown.exit_code == 0 and json.loads(shown.output)["articles"][0]["id"] == "in/page.txt"


def gva_rows(n: int) -> list[dict]:
    rows = [json.loads(line) for line in open(STORIES_DEV / "gva.jsonl", encoding="utf-8")]
    return [r for r in rows if len(r["text"].split()) > 250 and "You must enter" not in r["text"]][:n]


def test_delete_through_the_cli_relinks_copies_and_drops_the_empty_story(tmp_path):
    """An original with two later copies: deleting it makes the earlier copy the original of
    the other; deleting every member drops the story; each article's bands go with it."""
    original, other = gva_rows(2)
    intro = "Neighbours said on Monday they had heard several shots before police arrived in the street.\n\n"
    paragraphs = [p for p in original["text"].split("\n") if p.strip()]
    rows = [dict(original, date="2016-05-01"),
            dict(original, id="copy-intro", text=intro + original["text"], date="2016-05-02"),
            dict(original, id="copy-cut", text="\n\n".join(paragraphs[:-1]), date="2016-05-03"),
            dict(other, date="2016-05-04")]
    source = tmp_path / "copies.jsonl"
    source.write_text("\n".join(json.dumps({k: r[k] for k in ("id", "title", "text", "date")}) for r in rows))
    db = str(tmp_path / "delete.db")

    def newsloom(*args):
        return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)

    assert "copies 2" in newsloom("ingest", str(source)).output
    deleted = newsloom("delete", original["id"])
    assert deleted.exit_code == 0 and "1 former copies now copy copy-intro" in deleted.output, deleted.output
    group = {m["id"]: m for m in json.loads(newsloom("copies", "copy-cut", "--json").output)}
    assert group["copy-intro"]["duplicate_of"] is None and group["copy-cut"]["duplicate_of"] == "copy-intro"
    store = Store(db)
    assert store.db.execute("SELECT COUNT(*) FROM minhash_bands WHERE article_id = ?", (original["id"],)).fetchone()[0] == 0
    (story,) = {store.story_of("copy-intro"), store.story_of("copy-cut")}
    store.close()
    for article_id in ("copy-intro", "copy-cut"):
        assert newsloom("delete", article_id).exit_code == 0
    assert newsloom("story", str(story)).exit_code == 2
    assert [s["id"] for s in json.loads(newsloom("stories", "--json").output)] != [story]
    assert newsloom("delete", "copy-cut").exit_code == 2, "deleting twice is a clear error"


def test_posting_a_known_id_with_new_text_replaces_it_in_its_story(tmp_path, embedder, comparer):
    from fastapi.testclient import TestClient

    from newsloom.serve import create_app

    from .web.conftest import TEST_CONFIG

    Store(str(tmp_path / "api.db")).close()
    client = TestClient(create_app(str(tmp_path / "api.db"), TEST_CONFIG, comparer=comparer),
                        headers={"Authorization": f"Bearer {TEST_CONFIG.token}"})
    (row,) = gva_rows(1)
    body = {"id": "posted", "title": row["title"], "text": row["text"], "date": row["date"], "source": "Gazette"}
    assert client.post("/api/articles", json=body).json()["status"] == "new"
    changed = client.post("/api/articles", json=body | {"text": row["text"].replace(".", ";", 1)}).json()
    assert changed["status"] == "updated"
    (listed,) = client.get("/api/stories").json()["stories"]
    assert listed["id"] == changed["story"] and listed["articles"] == 1
    assert client.get(f"/api/stories/{changed['story']}").status_code == 200


# ---------------------------------------------------------------- hostile inputs (issue 18)


def test_bad_values_and_names_are_skipped_and_the_good_files_land(store, pipeline, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    good = [json.dumps({"id": f"ok-{n}", "title": f"Bridge {n}", "text": (SEEDS / name).read_text()})
            for n, name in enumerate(sorted(p.name for p in SEEDS.glob("*.txt")))]
    (folder / "a.jsonl").write_text("\n".join([json.dumps({"id": "num", "text": 12}), good[0],
                                               json.dumps({"id": "bool", "text": True}),
                                               json.dumps({"id": True, "text": "x"}), good[1]]))
    with open(os.fsencode(folder) + b"/bad-\xff.txt", "w") as handle:
        handle.write("An article under a name that is not UTF-8.")
    report = pipeline.ingest([str(folder)])
    assert report.counts["new"] == 2 and {a.id for a in store.iter_articles()} == {"ok-0", "ok-1"}
    skipped = dict(store.db.execute("SELECT path, reason FROM skipped").fetchall())
    assert set(skipped) == {f"{folder}/a.jsonl:1", f"{folder}/a.jsonl:3", f"{folder}/a.jsonl:4", f"{folder}/bad-\\xff.txt"}
    assert [run.status for run in store.runs()] == ["done with skips"]


def test_a_page_the_cleaner_chokes_on_is_skipped(store, pipeline, monkeypatch):
    clean = pipeline.cleaner.clean

    def choke(document):
        if document.id.endswith("000_48af7910958ecb10.txt"):
            raise RecursionError("maximum recursion depth exceeded")
        return clean(document)

    monkeypatch.setattr(pipeline.cleaner, "clean", choke)
    report = pipeline.ingest([str(SEEDS)])
    assert report.counts["new"] == 1
    (skip,) = report.skipped
    assert skip.path.endswith("000_48af7910958ecb10.txt") and "cleaning failed (RecursionError" in skip.reason


def test_the_run_is_closed_when_an_error_ends_it(store, pipeline, monkeypatch, tmp_path):
    import pytest

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pipeline, "_process_batch", broken)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(OSError):
        pipeline.ingest([str(empty), str(SEEDS)])
    (run,) = store.runs()
    assert run.status == "failed" and run.finished_at and run.counts["skipped"] == 1
    assert store.db.execute("SELECT path FROM skipped").fetchall()[0][0] == str(empty)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "_process_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pipeline.ingest([str(SEEDS)])
    assert [run.status for run in store.runs()] == ["interrupted", "failed"]


def test_hostile_jsonl_through_the_whole_run(tmp_path_factory, embedder):
    from hypothesis import HealthCheck, given, settings

    from newsloom.ingest import IngestConfig
    from newsloom.pipeline import Pipeline, PipelineConfig

    from .test_ingest import HOSTILE_CAP, hostile_jsonl

    @settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(hostile_jsonl())
    def run(case):
        data, good, bad = case
        folder = tmp_path_factory.mktemp("run")
        path = folder / "in.jsonl"
        path.write_bytes(data)
        store = Store(str(folder / "run.db"))
        try:
            config = PipelineConfig(ingest=IngestConfig(max_file_bytes=HOSTILE_CAP))
            report = Pipeline(store, config, embedder=embedder).ingest([str(path)])
            assert sorted(a.id for a in store.iter_articles()) == sorted(good)
            named = [row[0] for row in store.db.execute("SELECT path FROM skipped ORDER BY rowid")]
            assert named == [f"{path}:{n}" for n in bad]
            assert [run.status for run in store.runs()] == ["done with skips" if bad else "done"]
            assert report.counts["new"] == len(good)
        finally:
            store.close()

    run()


def story_partition_and_copies(db: Path):
    store = Store(str(db))
    groups: dict[int, set] = {}
    for article in store.iter_articles():
        groups.setdefault(article.story_id, set()).add(article.id)
    copies = {(a.id, a.duplicate_of) for a in store.iter_articles() if a.duplicate_of}
    store.close()
    return {frozenset(g) for g in groups.values()}, copies


def test_two_processes_on_one_store_take_turns(tmp_path):
    rows = [json.loads(line) for line in open(STORIES_DEV / "gva.jsonl", encoding="utf-8")]
    rows = [r for r in rows if len(r["text"]) > 1000][:120]
    rows += [dict(r, id=f"again-{r['id']}", source="Another Outlet") for r in rows[:: 12]]  # ten copies
    source = tmp_path / "gva.jsonl"
    source.write_text("\n".join(json.dumps({k: r[k] for k in ("id", "title", "text", "date", "source")}) for r in rows))

    def newsloom(db):
        return [sys.executable, "-m", "newsloom.cli", "--db", str(db), "ingest", "--batch-size", "16", str(source)]

    subprocess.run(newsloom(tmp_path / "one.db"), check=True, capture_output=True)
    both = [subprocess.Popen(newsloom(tmp_path / "two.db"), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            for _ in range(2)]
    summaries = sorted(process.communicate(timeout=600)[0] for process in both)
    assert all(process.returncode == 0 for process in both)
    one_stories, one_copies = story_partition_and_copies(tmp_path / "one.db")
    two_stories, two_copies = story_partition_and_copies(tmp_path / "two.db")
    assert len(one_copies) >= 10
    assert two_stories == one_stories and two_copies == one_copies
    # one run stored everything; the other, after it, found everything unchanged
    assert summaries[0].startswith("read 130, new 0, updated 0, unchanged 130")
    assert summaries[1].startswith("read 130, new 130, updated 0")
