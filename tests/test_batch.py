"""``newsloom batch``: the same stories and copy groups as ``ingest``, resumable, on Ray.

Ray runs locally on small data: a subset of GVA and ECB+ and the CC-NEWS-shaped archive of
``tests/ccnews.py``. The tests that need no Ray run stage 1 with ``LocalExecutor``.
"""

from __future__ import annotations

import importlib.util
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

from newsloom.batch import BatchConfig, LocalExecutor, Task, WorkDir, plan, replay, run_batch, stage1
from newsloom.cli import cli
from newsloom.models import Prepared, Skipped
from newsloom.pipeline import Pipeline, PipelineConfig, Preparer
from newsloom.store import Store

from .ccnews import write_archive
from .conftest import ROOT, STORIES_DEV

needs_ray = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                               reason="Ray is not installed (pip install 'newsloom[ray]')")


def subset(folder, name: str, lines: int):
    """The first ``lines`` records of a dev set, without the story labels (scoring only)."""
    path = folder / name
    with open(STORIES_DEV / name) as source:
        records = [json.loads(line) for _, line in zip(range(lines), source)]
    path.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "story"}) + "\n" for r in records))
    return path


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    return [str(subset(folder, "gva.jsonl", 40)), str(subset(folder, "ecbplus.jsonl", 20)),
            str(write_archive(folder))]


def outcome(db: str) -> tuple[set, set, int]:
    """The partition into stories, the copy links, the sentence vectors kept."""
    store = Store(db)
    try:
        return *store.outcome(), store.db.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0]
    finally:
        store.close()


def ingested(tmp_path, paths, embedder, batch_size: int = 256) -> tuple[set, set, int]:
    """What ``ingest`` makes of ``paths`` in an empty store."""
    store = Store(str(tmp_path / "ingest.db"))
    report = Pipeline(store, PipelineConfig(batch_size=batch_size), embedder=embedder).ingest(paths)
    assert report.ok, report.skipped
    store.close()
    return outcome(store.path)


# ------------------------------------------------------------------ without Ray


def test_plan_splits_a_large_jsonl_file_into_equal_record_ranges_in_order(tmp_path, inputs):
    planned = plan([*inputs, str(tmp_path / "missing.jsonl")], PipelineConfig(), BatchConfig(records_per_task=15))
    tasks = [p for p in planned if isinstance(p, Task)]
    assert [(t.path.rsplit("/", 1)[-1], t.start, t.stop) for t in tasks] == [
        ("gva.jsonl", 0, 13), ("gva.jsonl", 13, 26), ("gva.jsonl", 26, None),
        ("ecbplus.jsonl", 0, 10), ("ecbplus.jsonl", 10, None), ("CC-NEWS-20260305120000-00001.warc.gz", 0, None)]
    assert isinstance(planned[-1], Skipped) and "missing.jsonl" in planned[-1].path
    assert len({t.key for t in tasks}) == len(tasks)
    assert tasks[1].name.endswith("(records 14–26)")
    with open(inputs[0], "rb") as handle:  # a range begins at its first line's byte
        handle.seek(tasks[1].offset)
        assert handle.read(tasks[1].end - tasks[1].offset).decode().splitlines() == \
            open(inputs[0]).read().splitlines()[13:26]


def test_a_planned_file_is_not_read_again_by_the_same_command_until_it_changes(tmp_path, inputs, monkeypatch):
    """Finding a WARC archive's ranges reads it through: a resumed batch takes them from its
    work dir, and a file changed since is planned anew."""
    from newsloom import batch as batch_module

    work, config = WorkDir(tmp_path / "work"), BatchConfig(records_per_task=2)
    first = plan(inputs[2:], PipelineConfig(), config, work)
    read = []
    monkeypatch.setattr(batch_module, "file_parts", lambda *args: read.append(args[0]) or [])
    assert plan(inputs[2:], PipelineConfig(), config, work) == first and read == []
    assert plan(inputs[2:], PipelineConfig(), BatchConfig(records_per_task=3), work) == [] and len(read) == 1
    copied = tmp_path / Path(inputs[2]).name
    copied.write_bytes(Path(inputs[2]).read_bytes())
    plan([str(copied)], PipelineConfig(), config, work)
    copied.write_bytes(Path(inputs[2]).read_bytes() + b"\n")  # changed: its size and time
    plan([str(copied)], PipelineConfig(), config, work)
    assert read == [inputs[2], str(copied), str(copied)]


def test_replay_gives_what_the_runner_would_prepare(tmp_path, inputs, embedder):
    preparer = Preparer(embedder=embedder)
    work = WorkDir(tmp_path / "work")
    planned = plan(inputs[2:], PipelineConfig(), BatchConfig())
    results = stage1(planned, work, PipelineConfig(), LocalExecutor(preparer=preparer))
    assert [(r.records, r.articles, r.skipped) for r in results] == [(5, 5, 0)]
    items = list(replay(planned, work))
    assert all(isinstance(i, Prepared) for i in items)
    from newsloom.ingest import read_inputs

    documents = list(read_inputs(inputs[2:]))
    for item, document in zip(items, documents, strict=True):
        article = preparer.prepare(document)
        assert item.article == article
        assert item.described == preparer.describe([article])[0]
    again = stage1(planned, work, PipelineConfig(), LocalExecutor(preparer=preparer))
    assert [r.reused for r in again] == [True]  # a finished task is not run again


def test_a_warc_archive_in_record_ranges_gives_the_store_of_ingest(tmp_path, inputs, embedder):
    """The CC-NEWS-shaped archive cut into three ranges of its pages (the image among them
    read and passed over by its range, as by ``ingest``), then run again: nothing to do."""
    archive = inputs[2:]
    expected = ingested(tmp_path, archive, embedder)
    executor = LocalExecutor(BatchConfig(records_per_task=2), preparer=Preparer(embedder=embedder))
    planned = plan(archive, PipelineConfig(), executor.batch)
    assert [(t.start, t.stop) for t in planned] == [(0, 1), (1, 3), (3, None)]
    assert planned[1].name.endswith("(records 2–3)")
    assert planned[0].offset == 0 < planned[1].offset < planned[2].offset
    store = Store(str(tmp_path / "b.db"))
    report = run_batch(archive, store, executor, WorkDir(tmp_path / "w"))
    assert [(r.records, r.articles) for r in report.results] == [(1, 1), (2, 2), (2, 2)]
    assert report.run.counts["new"] == 5 and not report.run.skipped
    again = run_batch(archive, store, executor, WorkDir(tmp_path / "w"))
    assert all(r.reused for r in again.results) and again.run.counts["unchanged"] == 5
    store.close()
    assert outcome(store.path) == expected


def test_batch_after_ingest_of_part_adds_the_rest(tmp_path, inputs, embedder):
    whole = ingested(tmp_path, inputs, embedder)
    store = Store(str(tmp_path / "part.db"))
    Pipeline(store, embedder=embedder).ingest(inputs[:1])
    report = run_batch(inputs, store, LocalExecutor(preparer=Preparer(embedder=embedder)), WorkDir(tmp_path / "w"))
    assert report.run.counts["unchanged"] == 40 and report.run.counts["new"] == 25
    part = outcome(store.path)
    assert part[0] >= {s for s in whole[0] if all("gva-" in a for a in s)} or part[0] == whole[0]
    assert part[1] == whole[1] and part[2] == whole[2]


def test_a_task_that_fails_is_reported_by_its_input_and_the_rest_goes_on(tmp_path, inputs, embedder, monkeypatch):
    import newsloom.batch as batch

    real = batch.run_task

    def failing(task, *args, **kwargs):
        if task.path.endswith("ecbplus.jsonl"):
            raise OSError("disk full")
        return real(task, *args, **kwargs)

    monkeypatch.setattr(batch, "run_task", failing)
    store = Store(str(tmp_path / "b.db"))
    report = run_batch(inputs, store, LocalExecutor(preparer=Preparer(embedder=embedder)), WorkDir(tmp_path / "w"))
    assert [r.task.name.rsplit("/", 1)[-1] for r in report.failed] == ["ecbplus.jsonl"]
    assert [s.path.rsplit("/", 1)[-1] for s in report.run.skipped] == ["ecbplus.jsonl"]
    assert "failed after its retries (OSError: disk full)" in report.run.skipped[0].reason
    assert report.run.counts["new"] == 45  # GVA and the archive


def test_a_worker_loads_what_its_tasks_use_before_the_first(embedder):
    from newsloom.batch import warm

    preparer = Preparer(embedder=embedder)
    warm(preparer)
    assert preparer._cleaner is not None and preparer.featurizer.embedder is embedder
    # the language identifier, the HTML extractor, the Parquet writer
    assert {"py3langid", "trafilatura", "pyarrow.parquet"} <= set(sys.modules)


def test_batch_without_ray_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "batch", str(tmp_path)])
    assert result.exit_code == 2
    assert "newsloom batch needs Ray" in result.output and "pip install 'newsloom[ray]'" in result.output


# ------------------------------------------------------------------ on Ray


@needs_ray
def test_batch_on_ray_gives_the_stories_and_copies_of_ingest_and_twice_changes_nothing(tmp_path, inputs, embedder):
    expected = ingested(tmp_path, inputs, embedder)
    db = str(tmp_path / "batch.db")
    command = ["--db", db, "batch", *inputs, "--workers", "2", "--records-per-task", "15"]
    result = CliRunner().invoke(cli, command, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "stage 1: 6 tasks (0 done before, 0 failed), 65 articles prepared" in result.output
    assert "read 65, new 65" in result.output and "copies 1" in result.output
    assert outcome(db) == expected
    # the WARC's bridge story: the Harbour Times page, Northwire's near copy and Valley Herald's
    # follow-up ("repairs could take a month"), whose only candidate is that story
    assert any(len(s) == 3 and any("harbourtimes" in a and "lindqvist" in a for a in s)
               and any("northwire" in a for a in s) and any("valleyherald" in a for a in s) for s in expected[0])
    again = CliRunner().invoke(cli, command, catch_exceptions=False)
    assert "6 done before" in again.output and "new 0" in again.output and "unchanged 65" in again.output
    assert outcome(db) == expected
    runs = CliRunner().invoke(cli, ["--db", db, "runs"]).output
    assert runs.count("batch ") == 2


def _start(db: str, inputs: list[str], *args: str) -> subprocess.Popen:
    env = os.environ | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen([sys.executable, "-m", "newsloom.cli", "--db", db, "batch", *inputs, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL the driver, then what it started (its Ray processes stay in its process group)."""
    process.kill()
    process.wait()
    time.sleep(1)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _articles(db: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


@needs_ray
def test_a_batch_killed_in_stage_1_and_in_stage_3_resumes_to_the_same_store(tmp_path, inputs, embedder):
    expected = ingested(tmp_path, inputs, embedder, batch_size=4)
    db = str(tmp_path / "killed.db")
    args = ("--workers", "2", "--records-per-task", "10", "--batch-size", "4")
    markers = tmp_path / "killed.db.batch" / "stage1"
    process = _start(db, inputs, *args)
    deadline = time.time() + 120
    while time.time() < deadline and not list(markers.glob("*.done")):
        time.sleep(0.1)
    _kill(process)
    assert 0 < len(list(markers.glob("*.done"))) < 7  # killed in stage 1 (stage 3 may have begun alongside)
    process = _start(db, inputs, *args)
    deadline = time.time() + 180
    while time.time() < deadline and _articles(db) == 0 and process.poll() is None:
        time.sleep(0.05)
    _kill(process)
    assert 0 < _articles(db) < 65  # killed in stage 3
    process = _start(db, inputs, *args)
    output = process.communicate(timeout=300)[0].decode()
    assert process.returncode == 0, output
    assert "read 65" in output and "unchanged 0" not in output
    assert outcome(db) == expected


@needs_ray
def test_a_task_failing_on_ray_is_retried_then_reported_by_input(tmp_path, inputs):
    from newsloom.rayexec import RayExecutor

    work = WorkDir(tmp_path / "w")
    batch = BatchConfig(workers=2, records_per_task=15, retries=1)
    broken = next(t for t in plan(inputs, PipelineConfig(), batch) if isinstance(t, Task) and "ecbplus" in t.path)
    work.parquet(broken).mkdir(parents=True)  # its output cannot be written: every try fails
    store = Store(str(tmp_path / "b.db"))
    report = run_batch(inputs, store, RayExecutor(batch), work)
    assert [r.task.name for r in report.failed] == [broken.name]
    assert [s.path for s in report.run.skipped] == [broken.name]
    assert "failed after its retries" in report.run.skipped[0].reason
    assert report.run.counts["new"] == 65 - 10  # ECB+'s first half
