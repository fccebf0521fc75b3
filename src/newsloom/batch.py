"""Batch: an archive ingested in tasks that run side by side, with the result of ``ingest``.

``newsloom batch`` splits ingest's work where it splits cleanly. The work on one document that
needs no store — reading, cleaning, language, clustering features, embedding, sentence vectors
(``Preparer``) — is **stage 1**: one task per input file, a large JSON Lines file or WARC
archive split into record ranges, each task writing what it prepared to one Parquet file of
the work dir and then a marker; a task with a marker is never run again, so a killed batch
resumes where it stopped.
The order-dependent rest — outlet boilerplate, copies, story assignment, one writer into the
store — is **stage 3**: the prepared documents replayed in ingest's own order through ingest's
own runner (``Pipeline.ingest_items``), which takes a ``Prepared`` document exactly as a
``Document`` it cleaned itself. So the stories and copy groups are those ``ingest`` makes of
the same input with the same batch size. Stage 3 starts on the first finished task and takes
the next as each is ready, so stage 1 works ahead of it. (Copies are found in stage 3 by
ingest's own detector rather than in a stage 2 of their own: a union-find over candidate
pairs would chain groups that ingest keeps apart, and ingest's result is the target.)

The steps here do not know what runs them: ``run_task`` is one task from input to marker,
``replay`` reads the markers' Parquet back in order. ``LocalExecutor`` runs tasks one after
the other in this process; ``newsloom.rayexec.RayExecutor`` runs them on Ray workers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .errors import ConfigError
from .ingest import Part, file_parts, input_files, read_file
from .models import Article, Described, DroppedLine, Prepared, Skipped
from .pipeline import PipelineConfig, Preparer, input_hash

FORMAT = 3  # 2: articles carry the name they are shown by; 3: a range counts lines, not items
"""The version of a task's Parquet file; bump it when its columns change, or the meaning of a
key's parts. (A WARC archive cut into ranges of HTML response records did neither: a whole-file
task keeps its key and its rows, and a range's start and stop make a key no earlier planner
made, so a work dir of an earlier one is resumed, never mixed.)"""


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchConfig:
    """``records_per_task``: a JSON Lines file with more lines, or a WARC archive with more
    HTML response records, is split into record ranges of at most this many, all of about the
    same length (small tasks even out between workers at the end); ``retries``: how many
    times a failed task is tried again; ``chunk``: documents described (and written) at a time
    within a task."""

    workers: int = 2
    address: str | None = None
    records_per_task: int = 200
    retries: int = 2
    chunk: int = 256

    def __post_init__(self):
        if self.workers < 1:
            raise ConfigError(f"workers={self.workers} is below 1", "use at least 1 worker (e.g. the number of cores)")
        if self.records_per_task < 1 or self.chunk < 1:
            raise ConfigError("records_per_task and chunk must be at least 1", "use the defaults 200 and 256")
        if self.retries < 0:
            raise ConfigError(f"retries={self.retries} is negative", "use 0 or more (default 2)")


@dataclass(frozen=True, slots=True)
class Task:
    """Stage 1's unit of work: one input file, or of a JSON Lines file or WARC archive the
    records ``start`` to ``stop`` (None: to the end), which begin at byte ``offset`` and end
    before byte ``end``, so a task reads only its own records (``ingest.Part``). ``number`` is
    its place in ingest's order; ``key`` names its output and changes with the file, the range
    and the settings."""

    number: int
    path: str
    start: int
    stop: int | None
    key: str
    shown: str | None = None  # the name the file's articles are shown by
    offset: int = 0
    end: int | None = None

    @property
    def part(self) -> Part:
        """The part of the file to read (``ingest.WHOLE`` for all of it)."""
        return Part(self.start, self.stop, self.offset, self.end)

    @property
    def name(self) -> str:
        """The input as a user names it: the file, and the records when it is a range."""
        return self.path if self.start == 0 and self.stop is None else \
            f"{self.path} (records {self.start + 1}–{self.stop if self.stop is not None else 'end'})"


@dataclass(frozen=True, slots=True)
class TaskResult:
    """What a task did: items read, documents prepared, items skipped, seconds it took (0 when
    it was done by an earlier run), or the error that made it fail after its retries. Where
    the time went: the worker process that ran it, when it began and ended (seconds since the
    epoch, so the tasks of one worker can be laid end to end), the CPU seconds of that whole
    process meanwhile (library and Ray threads included) and of the thread that ran it."""

    task: Task
    records: int = 0
    articles: int = 0
    skipped: int = 0
    seconds: float = 0.0
    error: str | None = None
    cpu: float = 0.0
    reused: bool = False
    worker: int = 0
    began: float = 0.0
    ended: float = 0.0
    thread_cpu: float = 0.0


def plan(paths: Iterable[str], config: PipelineConfig, batch: BatchConfig,
         work_dir: WorkDir | None = None) -> list[Task | Skipped]:
    """The tasks for ``paths`` in ingest's reading order, with a Skipped in its place for each
    path that cannot be read. Finding a file's record ranges reads it through (a WARC archive:
    ~18 s a GB); with a ``work_dir`` the ranges found are kept there, so the same command
    again (a resumed batch) does not read an unchanged file before its tasks start."""
    settings = json.dumps([FORMAT, dataclasses.asdict(config.ingest),
                           Preparer(config).featurizer.settings()], sort_keys=True)
    planned: list[Task | Skipped] = []
    for found in input_files(paths):
        if isinstance(found, Skipped):
            planned.append(found)
            continue
        file = found.path
        try:
            stat = os.stat(file)
            identity = f"{os.path.abspath(file)}\x1f{stat.st_size}\x1f{stat.st_mtime_ns}"
        except OSError:
            identity = os.path.abspath(file)  # read_file reports it
            stat = None
        kept_in = work_dir if stat is not None else None  # a file not seen as it is: planned afresh
        parts_key = hashlib.sha256(f"{identity}\x1f{batch.records_per_task}\x1f{settings}".encode()).hexdigest()[:24]
        parts = kept_in.parts(parts_key) if kept_in is not None else None
        if parts is None:
            parts = file_parts(file, batch.records_per_task, config.ingest)
            if kept_in is not None:
                kept_in.keep_parts(parts_key, parts)
        for part in parts:
            key = hashlib.sha256(f"{identity}\x1f{found.shown}\x1f{part.start}\x1f{part.stop}\x1f{settings}"
                                 .encode()).hexdigest()[:24]
            planned.append(Task(len(planned), file, part.start, part.stop, key, found.shown, part.offset, part.end))
    return planned


class WorkDir:
    """Stage 1's outputs: ``stage1/KEY.parquet`` per task and ``stage1/KEY.done``, the marker
    written after it (with the task's counts), so a half-written task is never taken as done;
    and the plan's record ranges of each input file, ``parts/KEY.json`` (``plan``)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.stage1 = self.path / "stage1"
        self.plans = self.path / "parts"

    def parts(self, key: str) -> list[Part] | None:
        """The record ranges kept for the file (as it was) named by ``key``, or None."""
        try:
            return [Part(*fields) for fields in json.loads((self.plans / f"{key}.json").read_text())]
        except (OSError, ValueError, TypeError):
            return None

    def keep_parts(self, key: str, parts: list[Part]) -> None:
        self.plans.mkdir(parents=True, exist_ok=True)
        _write_whole(self.plans / f"{key}.json", json.dumps([list(part) for part in parts]))

    def parquet(self, task: Task) -> Path:
        return self.stage1 / f"{task.key}.parquet"

    def marker(self, task: Task) -> Path:
        return self.stage1 / f"{task.key}.done"

    def done(self, task: Task) -> TaskResult | None:
        """The counts of a finished task, or None."""
        try:
            counts = json.loads(self.marker(task).read_text())
        except (OSError, ValueError):
            return None
        return TaskResult(task, counts["records"], counts["articles"], counts["skipped"], 0.0, reused=True)

    def finish(self, result: TaskResult) -> None:
        _write_whole(self.marker(result.task), json.dumps({
            "records": result.records, "articles": result.articles, "skipped": result.skipped,
            "seconds": round(result.seconds, 3), "input": result.task.name}))


def _write_whole(path: Path, text: str) -> None:
    """Write ``text`` beside ``path`` and rename it into place: a reader finds the whole file or
    none (a run killed meanwhile leaves only the ``.tmp``)."""
    temporary = path.with_name(f"{path.name}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


_COLUMNS = ("item", "kind", "id", "digest", "reason", "article", "features", "vector", "sentence_spans",
            "sentence_vectors")


def _schema():
    import pyarrow as pa

    text, blob = pa.string(), pa.binary()
    return pa.schema([("item", pa.int64()), ("kind", text), ("id", text), ("digest", text), ("reason", text),
                      ("article", text), ("features", text), ("vector", blob), ("sentence_spans", blob),
                      ("sentence_vectors", blob)])


def run_task(task: Task, work_dir: WorkDir, preparer: Preparer, config: PipelineConfig,
             chunk: int = 256) -> TaskResult:
    """Stage 1 for one task: read its items, prepare each document, write the rows to the
    task's Parquet file (beside it first, then renamed), then the marker."""
    import pyarrow.parquet as pq

    began, clock, cpu, thread_cpu = time.perf_counter(), time.time(), time.process_time(), time.thread_time()
    work_dir.stage1.mkdir(parents=True, exist_ok=True)
    target = work_dir.parquet(task)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    counts = {"records": 0, "articles": 0, "skipped": 0}
    with pq.ParquetWriter(temporary, _schema()) as writer:
        for rows in _prepared_rows(task, preparer, config, chunk, counts):
            writer.write_table(_table(rows))
    os.replace(temporary, target)
    result = TaskResult(task, counts["records"], counts["articles"], counts["skipped"], time.perf_counter() - began,
                        cpu=time.process_time() - cpu, worker=os.getpid(), began=clock, ended=time.time(),
                        thread_cpu=time.thread_time() - thread_cpu)
    work_dir.finish(result)
    return result


def warm(preparer: Preparer) -> None:
    """Load what a task uses before the first one: the preparer's models and the Parquet
    writer (pyarrow, and what it loads on its first table)."""
    import io

    import pyarrow.parquet as pq

    preparer.load()
    with pq.ParquetWriter(io.BytesIO(), _schema()) as writer:
        writer.write_table(_table([{"item": 0, "kind": "skipped", "id": "warm-up", "reason": "warm-up"}]))


def _items(task: Task, config: PipelineConfig) -> Iterator[tuple[int, object]]:
    return enumerate(read_file(task.path, config.ingest, shown=task.shown, part=task.part), task.start)


def _prepared_rows(task: Task, preparer: Preparer, config: PipelineConfig, chunk: int,
                   counts: dict) -> Iterator[list[dict]]:
    """Rows of prepared items, ``chunk`` documents at a time."""
    rows: list[dict] = []
    articles: list[tuple[dict, Article]] = []
    for number, item in _items(task, config):
        counts["records"] += 1
        if isinstance(item, Skipped):
            counts["skipped"] += 1
            rows.append({"item": number, "kind": "skipped", "id": item.path, "reason": item.reason})
            continue
        row = {"item": number, "kind": "document", "id": item.id, "digest": input_hash(item)}
        article = preparer.prepare(item)
        if isinstance(article, Skipped):
            row["reason"] = article.reason
        else:
            row["article"] = _article_json(article)
            articles.append((row, article))
        rows.append(row)
        if len(articles) >= chunk:
            yield _described(rows, articles, preparer, counts)
            rows, articles = [], []
    if rows:
        yield _described(rows, articles, preparer, counts)


def _described(rows: list[dict], articles: list[tuple[dict, Article]], preparer: Preparer, counts: dict) -> list[dict]:
    for (row, _), described in zip(articles, preparer.describe([article for _, article in articles])):
        row.update(features=json.dumps(described.features), vector=described.vector,
                   sentence_spans=described.sentence_spans, sentence_vectors=described.sentence_vectors)
    counts["articles"] += len(articles)
    return rows


def _table(rows: list[dict]):
    import pyarrow as pa

    return pa.Table.from_pylist([{name: row.get(name) for name in _COLUMNS} for row in rows], schema=_schema())


def _article_json(article: Article) -> str:
    return json.dumps([getattr(article, f.name) if f.name != "dropped" else
                       [[d.line_no, d.text, d.reason] for d in article.dropped]
                       for f in dataclasses.fields(Article)])


def _article(text: str) -> Article:
    values = json.loads(text)
    fields = [f.name for f in dataclasses.fields(Article)]
    record = dict(zip(fields, values))
    record["dropped"] = tuple(DroppedLine(*d) for d in record["dropped"])
    return Article(**record)


def replay(planned: list[Task | Skipped], work_dir: WorkDir,
           result_of: Callable[[Task], TaskResult | None] | None = None) -> Iterator[Prepared | Skipped]:
    """Stage 3's input: every item of every task in ingest's order — the Skipped inputs, and
    each document as a ``Prepared`` (with its article and description, or with the reason
    cleaning skipped it). ``result_of(task)`` waits for a task still running (default: the
    task's marker); a task that failed is one Skipped naming the input."""
    import pyarrow.parquet as pq

    for entry in planned:
        if isinstance(entry, Skipped):
            yield entry
            continue
        result = (result_of or work_dir.done)(entry)
        if result is None or result.error:
            error = result.error if result is not None else "no output: it did not run"
            yield Skipped(entry.name, f"batch task failed after its retries ({error}) — the rest "
                                      "of the run went on; run the same command again to retry it")
            continue
        for table in pq.ParquetFile(work_dir.parquet(entry)).iter_batches(batch_size=256):
            for row in table.to_pylist():
                yield _item_of(row)


def _item_of(row: dict) -> Prepared | Skipped:
    if row["kind"] == "skipped":
        return Skipped(row["id"], row["reason"])
    if row["article"] is None:
        return Prepared(row["id"], row["digest"], Skipped(row["id"], row["reason"]))
    described = Described(json.loads(row["features"]), row["vector"], row["sentence_spans"], row["sentence_vectors"])
    return Prepared(row["id"], row["digest"], _article(row["article"]), described)


class Executor(Protocol):
    """Runs stage 1's tasks: each task not yet done, ``on_done`` called as each ends (with its
    error when it failed after its retries). ``batch`` is its configuration (how tasks are cut)."""

    batch: BatchConfig

    def run(self, tasks: list[Task], work_dir: WorkDir, config: PipelineConfig,
            on_done: Callable[[TaskResult], None]) -> None: ...


class LocalExecutor:
    """Stage 1 in this process, one task after the other (tests, and a machine without Ray)."""

    def __init__(self, batch: BatchConfig | None = None, preparer: Preparer | None = None):
        self.batch = batch or BatchConfig()
        self.preparer = preparer

    def run(self, tasks, work_dir, config, on_done):
        preparer = self.preparer or Preparer(config)
        for task in tasks:
            error = None
            for _ in range(self.batch.retries + 1):
                try:
                    on_done(run_task(task, work_dir, preparer, config, self.batch.chunk))
                    break
                except Exception as failure:  # noqa: BLE001 — a failed task is reported, the rest goes on
                    error = f"{type(failure).__name__}: {failure}"
            else:
                on_done(TaskResult(task, error=error))


@dataclass
class BatchReport:
    """Stage 1's tasks (done now, done before, failed), the seconds until stage 1 ended and
    until both had (stage 3 runs alongside), and stage 3's run report."""

    results: list[TaskResult]
    stage1_seconds: float
    seconds: float
    run: object = None

    @property
    def failed(self) -> list[TaskResult]:
        return [r for r in self.results if r.error]


def stage1(planned: list[Task | Skipped], work_dir: WorkDir, config: PipelineConfig, executor: Executor,
           on_done: Callable[[TaskResult], None] | None = None) -> list[TaskResult]:
    """Run the tasks without a marker; the others count as done by an earlier run. Each
    result goes to ``on_done`` as it comes (those of earlier runs first)."""
    results = []

    def finished(result: TaskResult) -> None:
        results.append(result)
        if on_done is not None:
            on_done(result)

    todo = []
    for task in (entry for entry in planned if isinstance(entry, Task)):
        done = work_dir.done(task)
        if done is None:
            todo.append(task)
        else:
            finished(done)
    if todo:
        executor.run(todo, work_dir, config, finished)
    return sorted(results, key=lambda r: r.task.number)


class _Results:
    """Stage 1's results as they come, for stage 3 to wait on, task by task."""

    def __init__(self):
        self.by_task: dict[int, TaskResult] = {}
        self.error: BaseException | None = None
        self.ended = False
        self.changed = threading.Condition()

    def add(self, result: TaskResult) -> None:
        with self.changed:
            self.by_task[result.task.number] = result
            self.changed.notify_all()

    def end(self, error: BaseException | None = None) -> None:
        with self.changed:
            self.ended, self.error = True, error
            self.changed.notify_all()

    def wait(self, task: Task) -> TaskResult | None:
        with self.changed:
            self.changed.wait_for(lambda: task.number in self.by_task or self.ended)
            if task.number not in self.by_task and self.error is not None:
                raise self.error
            return self.by_task.get(task.number)


def run_batch(paths: list[str], store, executor: Executor, work_dir: WorkDir, config: PipelineConfig | None = None,
              *, command: str = "batch", on_task: Callable[[TaskResult], None] | None = None,
              on_progress: Callable[[int], None] | None = None,
              on_skip: Callable[[Skipped], None] | None = None) -> BatchReport:
    """Both stages: prepare every task not done yet with ``executor``, and replay all of them
    in ingest's order into ``store`` through ingest's runner (one run, one writer). Stage 3
    starts as soon as the first task is ready and takes each next one as it is: the tasks
    run in ingest's order, so stage 1 works ahead of stage 3 and hides behind it."""
    from .pipeline import Pipeline

    config = config or PipelineConfig()
    pipeline = Pipeline(store, config, on_progress=on_progress, on_skip=on_skip)
    pipeline.check_settings()  # before any work: a store made with other settings is refused now
    planned = plan(paths, config, executor.batch, work_dir)
    results = _Results()
    began = time.perf_counter()
    timing = {"stage1": 0.0}

    def on_done(result: TaskResult) -> None:
        results.add(result)
        if on_task is not None and not result.reused:
            on_task(result)

    def first_stage() -> None:
        try:
            stage1(planned, work_dir, config, executor, on_done)
            results.end()
        except BaseException as error:  # noqa: BLE001 — handed to stage 3, which raises it
            results.end(error)
        timing["stage1"] = time.perf_counter() - began

    worker = threading.Thread(target=first_stage, name="newsloom batch stage 1", daemon=True)
    worker.start()
    run = pipeline.ingest_items(replay(planned, work_dir, results.wait), command)
    worker.join()
    return BatchReport(sorted(results.by_task.values(), key=lambda r: r.task.number), timing["stage1"],
                       time.perf_counter() - began, run)
