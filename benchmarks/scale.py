"""Ingest cost as the store grows to 100,000 articles, and the memory it takes.

The GVA pool (3,296 articles, 2013–2017) is replayed until there are ``--articles`` of them:
replay k moves every date by 6·k − 110 years (1903–1907 for the first, 2083–2087 for the
31st: no two replays share a time window, and all stay in the years newsloom reads as dates,
1900–2099) and renames
every capitalised word with a replay-specific name (so the people and places of replay k are
new, and its texts are not near-copies of replay 0: without renaming, every replayed article
would be found to be a copy and never reach clustering). The replays go through one
``Pipeline.ingest`` run — the code path of ``newsloom ingest`` — into a fresh SQLite store, and
the script prints articles per second for every replay, the store size, and the peak resident
memory of the process, with the process's CPU seconds per article and the load average (the
machine is shared: CPU time is what compares two runs). Each replay is one run (one ``newsloom ingest``, as a daily feed would
be); ``--one-run`` ingests all replays as one input instead, which keeps every story of the
run in memory (a run does not evict: its input need not be in date order).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import load_set  # noqa: E402

from newsloom.pipeline import Pipeline  # noqa: E402
from newsloom.store import Store  # noqa: E402

SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "vu", "sel", "dor", "an", "bri", "cho", "fen", "gal", "ho", "jin", "ku"]
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")


def renamed(word: str, replay: int) -> str:
    """A made-up name for ``word`` in ``replay`` (the same word gets the same name)."""
    digest = hashlib.blake2b(f"{replay}:{word}".encode(), digest_size=4).digest()
    return "".join(SYLLABLES[b % len(SYLLABLES)] for b in digest[:3]).capitalize()


def shifted(day: str | None, years: int) -> str | None:
    if not day:
        return day
    try:
        return f"{int(day[:4]) + years:04d}{day[4:]}"
    except ValueError:
        return day


def replay_rows(rows: list[dict], replay: int) -> list[dict]:
    out = []
    for row in rows:
        rename = lambda m: renamed(m.group(0), replay)  # noqa: E731
        day = shifted(row.get("date"), 6 * replay - 110)
        if day and day[5:10] == "02-29":
            day = day[:5] + "02-28"
        out.append({"id": f"{row['id']}-r{replay}", "title": _CAPITALISED.sub(rename, row["title"]),
                    "text": _CAPITALISED.sub(rename, row["text"]), "date": day, "source": row["source"],
                    "url": f"{row['url']}#r{replay}" if row.get("url") else None})
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--one-run", action="store_true", help="all replays in one ingest run")
    args = parser.parse_args()
    rows = load_set("gva")
    replays = -(-args.articles // len(rows))
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for replay in range(replays):
            path = Path(tmp) / f"gva-replay-{replay:03d}.jsonl"
            batch = replay_rows(rows, replay)[: args.articles - replay * len(rows)]
            path.write_text("\n".join(json.dumps(r) for r in batch))
            files.append((path, len(batch)))
        db = Path(tmp) / "scale.db"
        store = Store(db)
        pipeline = Pipeline(store)
        pipeline.featurizer.embedder  # load the models before timing
        pipeline.cleaner
        total, started, cpu_started = 0, time.perf_counter(), time.process_time()
        if args.one_run:
            pipeline.ingest([str(path) for path, _ in files])
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            print(f"one run: {store.count('articles'):,} articles stored in {store.count('stories'):,} stories, "
                  f"{args.articles / elapsed:.1f} articles/s, {cpu / args.articles * 1000:.2f} CPU ms/article, "
                  f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
                  f"load {_load()}")
            return
        print(f"{'replay':>6} {'articles':>9} {'stored':>8} {'stories':>8} {'articles/s':>10} {'CPU ms/a':>8} "
              f"{'peak MB':>8} {'load (1, 5 min)':>15}")
        for replay, (path, count) in enumerate(files):
            start, cpu_start = time.perf_counter(), time.process_time()
            pipeline.ingest([str(path)])
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
            total += count
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{replay:>6} {total:>9,} {store.count('articles'):>8,} {store.count('stories'):>8,} "
                  f"{count / elapsed:>10.1f} {cpu / count * 1000:>8.2f} {peak:>8.0f} {_load():>15}", flush=True)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        size = sum(p.stat().st_size for p in Path(tmp).glob("scale.db*")) / 2**20
        print(f"{total:,} articles in {elapsed:.0f} s = {total / elapsed:.1f} articles/s "
              f"({cpu / total * 1000:.2f} CPU ms/article); store {size:.0f} MB; "
              f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; load {_load()}")


def _load() -> str:
    """The load average over the last 1 and 5 minutes."""
    one, five, _ = os.getloadavg()
    return f"{one:.1f}, {five:.1f}"


if __name__ == "__main__":
    main()
