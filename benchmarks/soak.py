"""Soak: `newsloom serve` under an ingest, 20 reading clients and 5 posting ones, for a bounded time.

The store starts with a tenth of GVA. For ``--seconds`` (default 600) the rest of GVA is
ingested by `newsloom ingest` (nine files, one after another), 20 clients read (the story list,
story JSON, story pages, the front page, articles, health) and 5 clients POST ECB+ articles with
the write token (each its own slice, again and again: first new, then unchanged). The server's
resident memory is sampled every two seconds. A post that finds the CLI ingest holding the store
is answered 503 with Retry-After (the server waits 10 s for the run lock, not longer); the client
counts it as busy, waits as told and sends it again. At the end: requests per second, p50/p99
latency for reads and posts, errors (any unexpected status or failed request: want 0), memory over
time, and the final store compared with a sequential run of the same inputs in the order the soak
ran them (the store's runs, one after another: each GVA file, each post that stored an article):
articles, copy links, stories.

    python benchmarks/soak.py [--seconds 600] [--readers 20] [--posters 5]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).parent))
from common import free_port, load_set, wait_for_port  # noqa: E402

NEWSLOOM = str(Path(sys.executable).with_name("newsloom"))
TOKEN = "soak-token-0123456789abcdef"
PARTS = 10
READS = (("list", 25), ("story_json", 20), ("story_page", 20), ("front", 15), ("article", 15), ("health", 5))


class Tally:
    """Latencies and errors from every client thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = {"read": [], "post": []}
        self.by_path: dict[str, list[float]] = {}  # reads by kind (story page, article, ...)
        self.errors: list[str] = []
        self.busy = 0  # posts answered 503 (the store held by the CLI ingest), sent again
        self.accepted: list[dict] = []  # posted articles in the order they were stored

    def add(self, kind: str, seconds: float, error: str | None = None, path_kind: str | None = None):
        with self.lock:
            self.latency[kind].append(seconds)
            if path_kind:
                self.by_path.setdefault(path_kind, []).append(seconds)
            if error:
                self.errors.append(error)


def request(connection: http.client.HTTPConnection, method: str, path: str, body: dict | None = None):
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"} if body is not None else {}
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def reader(port: int, seed: int, stop: float, tally: Tally, story_ids: list[int], article_ids: list[str]):
    rng = random.Random(seed)
    kinds, weights = zip(*READS)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while time.time() < stop:
        kind = rng.choices(kinds, weights)[0]
        path = {"list": f"/api/stories?limit=50&offset={rng.choice((0, 0, 50, 100))}",
                "story_json": f"/api/stories/{rng.choice(story_ids)}",
                "story_page": f"/stories/{rng.choice(story_ids)}",
                "front": "/", "health": "/api/health",
                "article": f"/api/articles/{quote(rng.choice(article_ids), safe='')}"}[kind]
        start = time.perf_counter()
        try:
            status, body = request(connection, "GET", path)
            error = None if status == 200 else f"GET {path}: {status} {body[:200]!r}"
            if kind == "list" and status == 200 and len(story_ids) < 5000:
                story_ids.extend(s["id"] for s in json.loads(body)["stories"][:5])
        except (OSError, http.client.HTTPException) as failure:
            error = f"GET {path}: {type(failure).__name__} {failure}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        tally.add("read", time.perf_counter() - start, error, kind)
    connection.close()


def poster(port: int, articles: list[dict], stop: float, tally: Tally):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    n = 0
    while time.time() < stop and articles:
        article = articles[n % len(articles)]
        n += 1
        start = time.perf_counter()
        try:
            status, body = request(connection, "POST", "/api/articles", article)
            if status == 503:  # the CLI ingest holds the store: as Retry-After says, then again
                with tally.lock:
                    tally.busy += 1
                n -= 1
                connection.close()  # the server drops a connection idle for 5 s
                time.sleep(min(5.0, max(0.0, stop - time.time())))
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            error = None if status in (200, 201) else f"POST {article['id']}: {status} {body[:200]!r}"
            if status == 201:
                with tally.lock:
                    tally.accepted.append(article)
        except (OSError, http.client.HTTPException) as failure:
            error = f"POST {article['id']}: {type(failure).__name__} {failure}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        tally.add("post", time.perf_counter() - start, error)
    connection.close()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sample_memory(pid: int, stop: threading.Event, samples: list[tuple[float, float]], started: float):
    while not stop.is_set():
        try:
            samples.append((time.time() - started, rss_mb(pid)))
        except OSError:
            return
        stop.wait(2.0)


def ingest_parts(db: Path, parts: list[Path], log: dict):
    start = time.time()
    for part in parts:
        done = subprocess.run([NEWSLOOM, "--db", str(db), "ingest", str(part)], capture_output=True, text=True)
        if done.returncode not in (0, 1):
            log.setdefault("errors", []).append(f"ingest {part.name}: exit {done.returncode}: {done.stderr[-300:]}")
    log["seconds"] = time.time() - start


def store_state(db: Path) -> dict:
    """What must match a sequential run: the articles, the copy links and the stories (as sets of articles)."""
    connection = sqlite3.connect(db)
    articles = {row[0]: row[1:] for row in connection.execute(
        "SELECT id, content_hash, title, source, published FROM articles")}
    copies = set(connection.execute("SELECT id, duplicate_of, copy_kind FROM articles WHERE duplicate_of IS NOT NULL"))
    stories: dict[int, set[str]] = {}
    for article_id, story_id in connection.execute("SELECT id, story_id FROM articles"):
        stories.setdefault(story_id, set()).add(article_id)
    connection.close()
    return {"articles": articles, "copies": copies, "stories": {frozenset(s) for s in stories.values()}}


def replay(soak_db: Path, posts: list[dict], sequential_db: Path) -> None:
    """The sequential run: the soak store's runs replayed one after another in the order they
    took the store's run lock — each CLI ingest of a GVA file, each post that stored an article —
    through one pipeline, as the server's posts went (the document the API makes of a post)."""
    from newsloom.models import Document
    from newsloom.pipeline import Pipeline
    from newsloom.store import Store

    by_id = {post["id"]: post for post in posts}
    with sqlite3.connect(soak_db) as connection:
        runs = connection.execute("SELECT id, command FROM runs ORDER BY id").fetchall()
        stored = {run: [row[0] for row in connection.execute("SELECT id FROM articles WHERE run_id = ?", (run,))]
                  for run, command in runs if command.startswith("POST")}
    pipeline = Pipeline(Store(str(sequential_db)))
    for run, command in runs:
        if command.startswith("ingest "):
            pipeline.ingest([command.removeprefix("ingest ")])
        for article in (by_id[i] for i in stored.get(run, ()) if i in by_id):
            pipeline.ingest_items([Document(id=article["id"], origin="api", kind="article", content=article["text"],
                                            title=article.get("title"), source=article.get("source"),
                                            url=article.get("url"), published=article.get("date"))])
    pipeline.store.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--posters", type=int, default=5)
    args = parser.parse_args()

    gva = load_set("gva")
    posts = [{k: r[k] for k in ("id", "title", "text", "date", "source", "url") if r.get(k)} | {"id": f"posted-{r['id']}"}
             for r in load_set("ecbplus") if r.get("text", "").strip()]  # a row without text is not an article
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        parts = []
        for n in range(PARTS):
            part = tmp / f"gva-{n:02d}.jsonl"
            part.write_text("\n".join(json.dumps({k: r.get(k) for k in ("id", "title", "text", "date", "source", "url")})
                                      for r in gva[n::PARTS]))
            parts.append(part)
        db = tmp / "soak.db"
        subprocess.run([NEWSLOOM, "--db", str(db), "ingest", str(parts[0])], capture_output=True, check=False)
        port = free_port()
        server_log = (tmp / "server.log").open("w")
        server = subprocess.Popen([NEWSLOOM, "--db", str(db), "serve", "--port", str(port), "--token", TOKEN],
                                  stdout=server_log, stderr=server_log)
        tally, samples, ingest_log = Tally(), [], {}
        try:
            wait_for_port(port)
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            story_ids = [s["id"] for s in json.loads(request(warm, "GET", "/api/stories?limit=200")[1])["stories"]]
            warm.close()
            with sqlite3.connect(db) as connection:
                article_ids = [row[0] for row in connection.execute("SELECT id FROM articles")]
            started = time.time()
            stop = started + args.seconds
            sampling = threading.Event()
            threads = [threading.Thread(target=sample_memory, args=(server.pid, sampling, samples, started)),
                       threading.Thread(target=ingest_parts, args=(db, parts[1:], ingest_log))]
            threads += [threading.Thread(target=reader, args=(port, n, stop, tally, story_ids, article_ids))
                        for n in range(args.readers)]
            threads += [threading.Thread(target=poster, args=(port, posts[n::args.posters], stop, tally))
                        for n in range(args.posters)]
            for t in threads:
                t.start()
            for t in threads[2:]:
                t.join()
            elapsed = time.time() - started  # the clients' time: requests per second are over this
            threads[1].join()  # the ingest, if it is not done yet
            sampling.set()
            threads[0].join()
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log.close()
        soak = store_state(db)
        logged = (tmp / "server.log").read_text().strip()

        sequential_db = tmp / "sequential.db"
        replay(db, posts, sequential_db)
        sequential = store_state(sequential_db)

    reads, writes = tally.latency["read"], tally.latency["post"]
    print(f"soak: clients for {elapsed:.0f} s, {args.readers} readers, {args.posters} posters; the ingest of 9 GVA files "
          f"({len(gva) - len(gva[0::PARTS])} articles) took {ingest_log.get('seconds', float('nan')):.0f} s"
          + (f" ({len(ingest_log['errors'])} failed)" if ingest_log.get("errors") else ""))
    print(f"requests: {(len(reads) + len(writes)) / elapsed:.1f}/s in all; reads {len(reads) / elapsed:.1f}/s "
          f"(p50 {percentile(reads, .5) * 1000:.0f} ms, p99 {percentile(reads, .99) * 1000:.0f} ms); "
          f"posts {len(writes) / elapsed:.1f}/s (p50 {percentile(writes, .5) * 1000:.0f} ms, "
          f"p99 {percentile(writes, .99) * 1000:.0f} ms); {len(tally.accepted)} articles posted new; "
          f"{tally.busy} posts answered 503 while the CLI ingest held the store, sent again")
    print("reads by kind: " + "; ".join(f"{kind} {len(v)} (p50 {percentile(v, .5) * 1000:.0f} ms, p99 "
                                        f"{percentile(v, .99) * 1000:.0f} ms)" for kind, v in sorted(tally.by_path.items())))
    print(f"errors: {len(tally.errors)}" + "".join(f"\n  {e}" for e in tally.errors[:10]))
    if logged:
        print("server log (last lines):\n  " + "\n  ".join(logged.splitlines()[-8:]))
    step = max(1, len(samples) // 10)
    print("server RSS (MB) over time: " + ", ".join(f"{t:.0f}s {mb:.0f}" for t, mb in samples[::step] + samples[-1:]))
    if samples:
        print(f"  first {samples[0][1]:.0f} MB, peak {max(mb for _, mb in samples):.0f} MB, last {samples[-1][1]:.0f} MB; "
              f"median of the last half {statistics.median(mb for _, mb in samples[len(samples) // 2:]):.0f} MB")
    same_articles = soak["articles"] == sequential["articles"]
    print(f"final store vs sequential run: articles {'equal' if same_articles else 'DIFFER'} "
          f"({len(soak['articles'])} vs {len(sequential['articles'])}); copy links "
          f"{'equal' if soak['copies'] == sequential['copies'] else 'DIFFER'} ({len(soak['copies'])} vs "
          f"{len(sequential['copies'])}); stories {'equal' if soak['stories'] == sequential['stories'] else 'DIFFER'} "
          f"({len(soak['stories'])} vs {len(sequential['stories'])}, "
          f"{len(soak['stories'] & sequential['stories'])} identical)")


if __name__ == "__main__":
    main()
