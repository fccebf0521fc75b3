"""Stage 1 of ``newsloom batch`` on Ray: one actor per worker, each holding one ``Preparer``
(the cleaner's classifier and the embedding model loaded once per worker, before its first
task), fed one task at a time. A worker is one CPU to Ray and uses one core: its libraries'
thread pools are held to one thread (``ONE_CORE``). Ray restarts a dead worker and tries a
failed task again (``retries``); a task that still fails is reported with its error and the
others go on. Local on this machine's cores by default (``ray.init(num_cpus=workers)``), any
running Ray cluster by ``address``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .batch import BatchConfig, Task, TaskResult, WorkDir, run_task, warm
from .errors import ConfigError
from .pipeline import PipelineConfig, Preparer

INSTALL_HINT = "install it with: pip install 'newsloom[ray]' (or 'make install' in a checkout)"

ONE_CORE = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "RAYON_NUM_THREADS": "1",
            "TOKENIZERS_PARALLELISM": "false"}
"""A worker's environment. Left to themselves the tokenizer (Rayon) and BLAS start a thread per
core in every worker: one worker then takes more than its core (its tokenizing runs on all of
them), and N workers on N cores take turns on each other's."""


def import_ray():
    """The ``ray`` module, or a ConfigError that says how to install it."""
    try:
        import ray
    except ImportError:
        raise ConfigError("newsloom batch needs Ray, which is not installed", INSTALL_HINT) from None
    return ray


class _Worker:
    """A Ray actor's body: the models of one worker, and the task step."""

    def __init__(self, config: PipelineConfig, chunk: int):
        import logging

        for noisy in ("trafilatura", "htmldate", "urllib3"):
            logging.getLogger(noisy).setLevel(logging.CRITICAL)
        self.config, self.chunk = config, chunk
        self.preparer = Preparer(config)
        self.up = time.time()  # the process started and this object made

    def ready(self) -> tuple[float, float, float]:
        """Load the models now (before the first task): the CPU seconds it took, and when
        (seconds since the epoch) this worker was up and when its models were loaded."""
        began = time.process_time()
        warm(self.preparer)
        return time.process_time() - began, self.up, time.time()

    def run(self, task: Task, work_dir: str) -> TaskResult:
        return run_task(task, WorkDir(work_dir), self.preparer, self.config, self.chunk)


class RayExecutor:
    """Runs stage 1's tasks on ``batch.workers`` Ray actors."""

    def __init__(self, batch: BatchConfig | None = None):
        self.batch = batch or BatchConfig()
        self.ray = import_ray()
        self.started: float | None = None  # when the last run's workers were ready (perf_counter)
        self.loading: list[float] = []  # the CPU seconds each worker took to load its models
        self.phases: dict[str, float] = {}  # where the last run's start-up went, in seconds (``_run``)

    def run(self, tasks: list[Task], work_dir: WorkDir, config: PipelineConfig,
            on_done: Callable[[TaskResult], None]) -> None:
        ray = self.ray
        started = not ray.is_initialized()
        local = started and not self.batch.address
        self.phases = {}
        if started:
            import os

            # the workers import this newsloom, also when the driver found it in a source tree
            source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            if os.path.basename(source) not in ("site-packages", "dist-packages"):
                os.environ["PYTHONPATH"] = os.pathsep.join(
                    p for p in (source, os.environ.get("PYTHONPATH")) if p)
            options = {"address": self.batch.address} if self.batch.address else {"num_cpus": self.batch.workers}
            saved = {name: os.environ.get(name) for name in ONE_CORE}
            if local:  # the local Ray's processes inherit it, so the workers it starts at once can be used
                os.environ.update(ONE_CORE)
            began = time.perf_counter()
            try:
                ray.init(include_dashboard=False, logging_level="ERROR", log_to_driver=False, **options)
            finally:
                self.phases = {"ray.init": time.perf_counter() - began}
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value
        try:
            self._run(tasks, str(work_dir.path), config, on_done, environment=not local)
        finally:
            if started:
                ray.shutdown()

    def _run(self, tasks, work_dir, config, on_done, environment: bool):
        """``environment``: give the workers ``ONE_CORE`` (they start afresh for it, which a
        local Ray started with it in its own environment does not need). The start-up's
        ``phases``: until every worker is up (its process and ``_Worker``), then until each
        has its models loaded."""
        ray = self.ray
        retries = self.batch.retries
        actor = ray.remote(num_cpus=1, max_restarts=retries, max_task_retries=retries,
                           **({"runtime_env": {"env_vars": ONE_CORE}} if environment else {}))(_Worker)
        began, clock = time.perf_counter(), time.time()
        workers = [actor.remote(config, self.batch.chunk) for _ in range(min(self.batch.workers, len(tasks)))]
        loaded = ray.get([worker.ready.remote() for worker in workers])
        self.started = time.perf_counter()  # the workers are up, their models loaded
        self.loading = [cpu for cpu, _, _ in loaded]
        up = max(up for _, up, _ in loaded) - clock
        self.phases |= {"workers up": up, "models loaded": self.started - began - up}
        pending = list(reversed(tasks))  # in ingest's order (popped from the end), so stage 3 can start on the first
        running: dict = {}
        tries: dict[int, int] = {}

        def submit(worker) -> None:
            task = pending.pop()
            running[worker.run.options(retry_exceptions=True).remote(task, work_dir)] = (task, worker)

        for worker in workers:
            if pending:
                submit(worker)
        while running:
            ready, _ = ray.wait(list(running), num_returns=1)
            task, worker = running.pop(ready[0])
            try:
                on_done(ray.get(ready[0]))
            except ray.exceptions.RayActorError as error:
                tries[task.number] = tries.get(task.number, 0) + 1
                if tries[task.number] <= retries:
                    pending.append(task)  # the worker died: its task again, on a fresh worker
                    worker = actor.remote(config, self.batch.chunk)
                else:
                    on_done(TaskResult(task, error=_message(error)))
            except ray.exceptions.RayError as error:
                on_done(TaskResult(task, error=_message(error)))
            if pending:
                submit(worker)


def _message(error: Exception) -> str:
    cause = getattr(error, "cause", None) or error
    text = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {text[-1] if text else ''}"[:300]
