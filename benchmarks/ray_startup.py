"""Where `newsloom batch`'s start-up on Ray goes: `import ray`, `ray.init` (local, as
`RayExecutor` starts it), the workers up (process and `_Worker` with its `Preparer`), their
models loaded (`batch.warm`), then Ray's shutdown — for ``--workers`` workers on one small task
each (five GVA records), ``--repeat`` times. Prints the load average beside each run: the cores
are shared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from batch import load  # noqa: E402
from common import load_set  # noqa: E402


def one_run(paths: list[str], workers: int, work: Path) -> dict[str, float]:
    from newsloom.batch import BatchConfig, WorkDir, plan, stage1
    from newsloom.pipeline import PipelineConfig
    from newsloom.rayexec import RayExecutor

    batch = BatchConfig(workers=workers, records_per_task=5)
    executor = RayExecutor(batch)
    planned = plan(paths, PipelineConfig(), batch)
    began = time.perf_counter()
    ended: list[float] = []
    results = stage1(planned, WorkDir(work), PipelineConfig(), executor, lambda r: ended.append(time.perf_counter()))
    finished = time.perf_counter()
    assert not any(r.error for r in results), [r.error for r in results]
    return {**executor.phases, "first tasks": max(ended) - executor.started, "shutdown": finished - max(ended),
            "start-up in all": executor.started - began, "loading CPU s per worker": max(executor.loading)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    began = time.perf_counter()
    import ray  # noqa: F401

    print(f"import ray: {time.perf_counter() - began:.2f} s")
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for number in range(args.workers):  # one file of five records per worker: one task each
            path = Path(tmp) / f"part{number}.jsonl"
            path.write_text("".join(json.dumps({k: r[k] for k in ("id", "title", "text", "date") if k in r}) + "\n"
                                    for r in load_set("gva")[5 * number:5 * number + 5]))
            paths.append(str(path))
        for number in range(args.repeat):
            runs.append(one_run(paths, args.workers, Path(tmp) / f"work{number}"))
            print(f"[{number + 1}] " + ", ".join(f"{k} {v:.2f}" for k, v in runs[-1].items()) + f" (load {load()})")
    print("median: " + ", ".join(f"{k} {statistics.median(r[k] for r in runs):.2f} s" for k in runs[0]))


if __name__ == "__main__":
    main()
