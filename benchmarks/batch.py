"""`newsloom batch` against `newsloom ingest`, on the whole of GVA and ECB+ (dev), in one run.

1. `newsloom ingest` of both files into an empty store (end to end, model loading included);
2. stage 1 alone on Ray with 1 worker, then with 2 workers (each into a fresh work dir; Ray's
   start and each worker's model loading included), and the scaling from 1 to 2, with where
   each worker's time went (busy, idle before its first task, between tasks, after its last)
   and its CPU seconds per article, which do not depend on the load;
3. the whole `newsloom batch --workers 2` into an empty store, end to end, reusing nothing;
   its stage 3 alone (articles/s: the ceiling of any cluster, since it is sequential);
4. whether the two stores hold exactly the same partition into stories and the same copy
   groups;
5. a projection, labelled as one: per-core stage-1 throughput × 64 cores, stage 3's ceiling,
   and the time for 20 million CC-NEWS records.

The story labels are dropped before anything reaches newsloom. Prints the machine's load
average beside the figures: the cores are shared, so compare runs only at similar load.

``--stage1-only`` measures only stage 1's scaling (1 and 2 workers interleaved, ``--repeat``
pairs, each pair's ratio and the median), a few minutes on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import SHARED, load_set  # noqa: E402

NEWSLOOM = [sys.executable, "-m", "newsloom.cli"]
SETS = ("gva", "ecbplus")


def write_inputs(folder: Path, sets) -> list[str]:
    paths = []
    for name in sets:
        path = folder / f"{name}.jsonl"
        path.write_text("".join(json.dumps({k: r[k] for k in ("id", "title", "text", "date", "source", "url") if k in r})
                                + "\n" for r in load_set(name)))
        paths.append(str(path))
    return paths


def run(*args: str) -> tuple[float, str]:
    start = time.perf_counter()
    result = subprocess.run([*NEWSLOOM, *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr[-2000:]}")
    return elapsed, result.stdout


def stage1_alone(paths: list[str], workers: int, work: Path, records_per_task: int | None = None) -> dict:
    """Stage 1 on Ray: wall seconds with Ray's start, the workers' model loading and Ray's
    shutdown; the seconds from the workers being ready to the last task's result ("working");
    articles prepared; the tasks' seconds and CPU seconds summed; per worker, where its time
    went; and the CPU seconds Ray's own processes and the driver spent meanwhile."""
    from newsloom.batch import BatchConfig, WorkDir, plan, stage1
    from newsloom.pipeline import PipelineConfig
    from newsloom.rayexec import RayExecutor

    batch = BatchConfig(workers=workers, **({"records_per_task": records_per_task} if records_per_task else {}))
    config = PipelineConfig()
    planned = plan(paths, config, batch)
    executor = RayExecutor(batch)
    results_at: list[float] = []
    sampler = CpuSampler()
    start, epoch = time.perf_counter(), time.time()
    with sampler:
        results = stage1(planned, WorkDir(work), config, executor, lambda r: results_at.append(time.perf_counter()))
    end = time.perf_counter()
    failed = [r for r in results if r.error]
    if failed:
        raise SystemExit(f"stage 1 tasks failed: {[(r.task.name, r.error) for r in failed]}")
    up, last = executor.started, max(results_at)
    return {"wall": end - start, "working": last - up, "start-up": up - start, "shutdown": end - last,
            "loading": executor.loading, "articles": sum(r.articles for r in results),
            "tasks": sum(r.seconds for r in results), "cpu": sum(r.cpu for r in results), "count": len(results),
            "workers": per_worker(results, epoch + (up - start), epoch + (last - start)),
            "others": sampler.others({r.worker for r in results}, up - start, last - start),
            "task cpu": [r.cpu for r in sorted(results, key=lambda r: r.task.number)]}


def per_worker(results, up: float, last: float) -> list[dict]:
    """Each worker's tasks laid end to end (clock times since the epoch): busy seconds, idle
    before its first task, between its tasks and after its last until the last result of all,
    CPU seconds and CPU milliseconds per article."""
    by_worker = defaultdict(list)
    for result in results:
        by_worker[result.worker].append(result)
    workers = []
    for tasks in by_worker.values():
        tasks.sort(key=lambda r: r.began)
        articles = sum(r.articles for r in tasks)
        workers.append({"tasks": len(tasks), "articles": articles, "busy": sum(r.ended - r.began for r in tasks),
                        "before": tasks[0].began - up,
                        "between": sum(b.began - a.ended for a, b in zip(tasks, tasks[1:])),
                        "after": last - tasks[-1].ended, "cpu": sum(r.cpu for r in tasks),
                        "ms per article": 1000 * sum(r.cpu for r in tasks) / max(articles, 1)})
    return workers


class CpuSampler:
    """CPU seconds of this process and every process it started (Ray's raylet, GCS, workers…),
    read from /proc four times a second while it runs (Linux; nothing elsewhere)."""

    def __init__(self):
        self.samples: list[tuple[float, dict[int, tuple[str, float]]]] = []
        self.stopped = threading.Event()
        self.began = time.perf_counter()

    def __enter__(self):
        self.began = time.perf_counter()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join()

    def _sample(self):
        tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        while not self.stopped.wait(0.25):
            stats = {}
            for name in os.listdir("/proc") if os.path.isdir("/proc") else []:
                if not name.isdigit():
                    continue
                try:
                    with open(f"/proc/{name}/stat") as handle:
                        text = handle.read()
                except OSError:
                    continue
                comm, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
                stats[int(name)] = (comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
            self.samples.append((time.perf_counter() - self.began, stats))

    def others(self, workers: set[int], since: float, until: float) -> dict[str, float]:
        """CPU seconds between ``since`` and ``until`` (seconds from the start) of the driver
        and its descendants other than ``workers``, by process name."""
        if not self.samples:
            return {}
        first = min(self.samples, key=lambda s: abs(s[0] - since))[1]
        last = min(self.samples, key=lambda s: abs(s[0] - until))[1]
        children = defaultdict(set)
        for pid, (_, parent, _) in last.items():
            children[parent].add(pid)
        tree, todo = set(), [os.getpid()]
        while todo:
            pid = todo.pop()
            tree.add(pid)
            todo.extend(children[pid] - tree)
        spent: dict[str, float] = defaultdict(float)
        for pid in tree - workers:
            comm, _, cpu = last[pid]
            spent["driver" if pid == os.getpid() else comm] += cpu - (first[pid][2] if pid in first else 0.0)
        return {name: round(cpu, 2) for name, cpu in sorted(spent.items(), key=lambda kv: -kv[1]) if cpu >= 0.05}


def show_stage1(label: str, workers: int, stage: dict) -> None:
    print(f"{label} stage 1, {workers} worker(s), {stage['count']} tasks: {stage['articles']} articles in "
          f"{stage['working']:.2f} s once the workers are up ({stage['articles'] / stage['working']:.1f} articles/s), "
          f"+ {stage['start-up']:.1f} s Ray start and model loading (loading {'/'.join(f'{c:.1f}' for c in stage['loading'])}"
          f" CPU s per worker), + {stage['shutdown']:.1f} s Ray shutdown (load {load()})")
    for number, worker in enumerate(stage["workers"], 1):
        print(f"    worker {number}: {worker['tasks']} tasks, {worker['articles']} articles, busy {worker['busy']:.2f} s, "
              f"idle {worker['before']:.2f} s before its first task, {worker['between']:.2f} s between tasks, "
              f"{worker['after']:.2f} s after its last; CPU {worker['cpu']:.2f} s = {worker['ms per article']:.2f} ms "
              f"per article")
    cores = sum(worker["cpu"] for worker in stage["workers"]) / stage["working"]
    print(f"    the workers got {cores:.2f} cores in all" + (
        f"; CPU s meanwhile outside them: {', '.join(f'{k} {v}' for k, v in stage['others'].items())}"
        if stage["others"] else ""))


def stage1_scaling(tmp: Path, paths: list[str], repeat: int, records_per_task: int | None = None) -> dict:
    """Stage 1 with 1 and 2 workers, ``repeat`` pairs, the order alternating (1 2, 2 1, …) so a
    drift in the machine's load falls on both; each pair's ratio, their median, the best
    against the best. Beside it the ratio the CPU seconds give (``cpu_ratio``), what the wall
    clock shows when each worker has a core of its own:
    with Linux's autogroup scheduling a busy machine shares its cores between sessions, and
    all of Ray's processes are in the benchmark's session, so two workers then get no more CPU
    than one ("the workers got N cores")."""
    runs: dict[int, list[dict]] = {1: [], 2: []}
    ratios, by_cpu = [], []
    for number in range(1, repeat + 1):
        for workers in (1, 2) if number % 2 else (2, 1):
            stage = stage1_alone(paths, workers, tmp / f"stage1-{number}-{workers}", records_per_task)
            runs[workers].append(stage)
            show_stage1(f"[pair {number}]", workers, stage)
        ratios.append(runs[1][-1]["working"] / runs[2][-1]["working"])
        by_cpu.append(cpu_ratio(runs[1][-1], runs[2][-1]))
        print(f"[pair {number}] scaling 1 → 2 workers: {ratios[-1]:.2f}× once up, "
              f"{runs[1][-1]['wall'] / runs[2][-1]['wall']:.2f}× with start-up and shutdown; by CPU seconds "
              f"{by_cpu[-1]:.2f}× (load {load()})")
    one, two = (min(runs[w], key=lambda s: s["working"]) for w in (1, 2))
    per_article = {w: [worker["ms per article"] for stage in runs[w] for worker in stage["workers"]] for w in (1, 2)}
    print(f"stage 1 scaling 1 → 2 workers over {repeat} pair(s): median {statistics.median(ratios):.2f}× "
          f"(pairs {', '.join(f'{r:.2f}' for r in ratios)}), best against best {one['working'] / two['working']:.2f}× "
          f"(target ≥ 1.7×); by CPU seconds median {statistics.median(by_cpu):.2f}×; CPU ms per article per "
          f"worker: 1 worker {statistics.median(per_article[1]):.2f}, 2 workers {statistics.median(per_article[2]):.2f} "
          f"(medians; load {load()})")
    return {"one": one, "two": two, "ratios": ratios}


def cpu_ratio(one: dict, two: dict) -> float:
    """The scaling the CPU seconds give, as if each worker had a core of its own: one worker's
    CPU seconds over the time two workers would take on the two-worker run's CPU seconds per
    task, each task (in ingest's order) going to the first worker free, as the executor hands
    them out. Idle between tasks is added at its measured mean."""
    def gap(stage: dict) -> float:
        return sum(w["before"] + w["between"] for w in stage["workers"]) / stage["count"]

    free = [0.0, 0.0]
    for cpu in two["task cpu"]:
        free[free.index(min(free))] += cpu + gap(two)
    return sum(cpu + gap(one) for cpu in one["task cpu"]) / max(free)


def html_per_core() -> float:
    """Stage 1's rate on HTML pages (CC-NEWS holds HTML, which costs more to clean than the
    dev sets' text): the extraction set's pages, one task in this process, models loaded first."""
    from newsloom.batch import BatchConfig, LocalExecutor, WorkDir, plan, stage1
    from newsloom.pipeline import PipelineConfig, Preparer

    pages = SHARED / "data" / "extraction-dev" / "html"
    preparer = Preparer()
    preparer.cleaner, preparer.featurizer.embedder  # loaded before the clock starts
    with tempfile.TemporaryDirectory() as work:
        planned = plan([str(pages)], PipelineConfig(), BatchConfig())
        results = stage1(planned, WorkDir(work), PipelineConfig(), LocalExecutor(preparer=preparer))
    return sum(r.articles for r in results) / sum(r.cpu for r in results)


def outcome(db: str) -> tuple[set, set]:
    from newsloom.store import Store

    store = Store(db)
    try:
        return store.outcome()
    finally:
        store.close()


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def one_round(tmp: Path, paths: list[str], number: int) -> dict:
    """Every measurement once, in the same minutes: the machine's load moves (other work)."""
    m: dict = {}
    m["ingest"], out = run("--db", str(tmp / f"ingest{number}.db"), "ingest", *paths)
    m["read"] = int(re.search(r"read (\d+)", out).group(1))
    print(f"[{number}] ingest: {m['read']} articles in {m['ingest']:.1f} s (load {load()})")
    for workers in (1, 2):
        stage = m[f"stage1-{workers}"] = stage1_alone(paths, workers, tmp / f"work{number}-{workers}")
        show_stage1(f"[{number}]", workers, stage)
    m["batch"], out = run("--db", str(tmp / f"batch{number}.db"), "batch", *paths, "--workers", "2",
                          "--work-dir", str(tmp / f"work{number}-batch"))
    print(f"[{number}] batch, 2 workers: {m['batch']:.1f} s end to end (load {load()})\n  "
          f"{out.strip().splitlines()[-2]}")
    # stage 3 alone: the same command into another empty store, every task done already
    m["stage3"], _ = run("--db", str(tmp / f"stage3-{number}.db"), "batch", *paths, "--workers", "2",
                         "--work-dir", str(tmp / f"work{number}-batch"))
    print(f"[{number}] stage 3 alone (all tasks done, into an empty store): {m['stage3']:.1f} s (load {load()})")
    m["same"] = outcome(str(tmp / f"ingest{number}.db")) == outcome(str(tmp / f"batch{number}.db"))
    m["outcome"] = outcome(str(tmp / f"batch{number}.db"))
    return m


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", default=",".join(SETS), help="dev sets to read (default gva,ecbplus)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every measurement; the best of each counts")
    parser.add_argument("--records", type=int, default=20_000_000, help="records in the projection")
    parser.add_argument("--cores", type=int, default=64, help="cores of the projected cluster")
    parser.add_argument("--stage1-only", action="store_true", help="measure only stage 1's scaling from 1 to 2 workers")
    parser.add_argument("--repeat", type=int, default=3, help="pairs of stage-1 runs (1 and 2 workers) with --stage1-only")
    parser.add_argument("--records-per-task", type=int, help="records per task (default: newsloom's)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        paths = write_inputs(tmp, args.sets.split(","))
        print(f"input: {', '.join(Path(p).name for p in paths)}; load average at start {load()}")
        if args.stage1_only:
            stage1_scaling(tmp, paths, args.repeat, args.records_per_task)
            return
        rounds = [one_round(tmp, paths, number) for number in range(1, args.rounds + 1)]
        best = {key: min(r[key] for r in rounds) for key in ("ingest", "batch", "stage3")}
        one = min((r["stage1-1"] for r in rounds), key=lambda s: s["working"])
        two = min((r["stage1-2"] for r in rounds), key=lambda s: s["working"])
        read, articles = rounds[0]["read"], one["articles"]
        partition, copies = rounds[0]["outcome"]

        print(f"\nbest of {args.rounds} rounds (load average now {load()}):")
        print(f"ingest: {read} articles in {best['ingest']:.1f} s = {read / best['ingest']:.1f} articles/s end to end")
        for workers, stage in ((1, one), (2, two)):
            print(f"stage 1, {workers} worker(s): {articles / stage['working']:.1f} articles/s once the workers are "
                  f"up ({stage['working']:.1f} s), {articles / stage['wall']:.1f} with Ray's start and model loading")
        print(f"stage 1 scaling 1 → 2 workers: {one['working'] / two['working']:.2f}× once up, "
              f"{one['wall'] / two['wall']:.2f}× with start-up (target ≥ 1.7×); CPU seconds of the tasks "
              f"{one['cpu']:.1f} with 1 worker, {two['cpu']:.1f} with 2")
        print(f"batch, 2 workers: {read / best['batch']:.1f} articles/s end to end ({best['batch']:.1f} s): "
              f"{best['ingest'] / best['batch']:.2f}× ingest (target > 1)")
        stage3_rate = read / best["stage3"]
        print(f"stage 3 alone: {stage3_rate:.1f} articles/s ({best['stage3']:.1f} s, process start included)")
        print(f"same partition and copy groups as ingest, every round: {all(r['same'] for r in rounds)} "
              f"({len(partition)} stories, {len(copies)} copies)")

        html_rate = html_per_core()
        per_core = min(articles / one["cpu"], html_rate)
        stage1_hours = args.records / (per_core * args.cores) / 3600
        stage3_hours = args.records / stage3_rate / 3600
        print(f"stage 1 on HTML pages (extraction-dev, one core, in process): {html_rate:.1f} pages/s")
        print(f"\nPROJECTION (not a measurement): {args.records:,} CC-NEWS records on {args.cores} cores, "
              f"at the slower of the JSON Lines and HTML rates per core")
        print(f"  stage 1: {per_core:.1f} articles/s per core × {args.cores} = {per_core * args.cores:,.0f} articles/s "
              f"→ {stage1_hours:.1f} h")
        print(f"  stage 3 ceiling: {stage3_rate:.1f} articles/s → {stage3_hours:.1f} h")
        single = 1 / (1 / per_core + 1 / stage3_rate)  # one process doing both stages' work per article
        print(f"  total, stage 3 alongside stage 1: about the slower, {max(stage1_hours, stage3_hours):.1f} h; "
              f"ingest, one process at {single:.1f}/s on the same pages: {args.records / single / 3600:.0f} h")
        print(f"load average at the end {load()}")


if __name__ == "__main__":
    main()
