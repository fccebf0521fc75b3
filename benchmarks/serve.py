"""Story-page throughput of `newsloom serve` on a 10k-article store while an ingest runs.

Builds a store of ~10,000 articles (GVA replayed three times with shifted dates and new ids),
starts `newsloom serve` on loopback, warms the pages of the 50 largest stories, then starts an
ingest of AllSides into the same store and, for a fixed time, requests those story pages over
keep-alive connections from a few client threads. Prints requests per second and latency.
"""

from __future__ import annotations

import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import free_port, load_set, wait_for_port  # noqa: E402

NEWSLOOM = str(Path(sys.executable).with_name("newsloom"))
SECONDS = 15
CLIENTS = 4


def shifted(rows: list[dict], copy: int) -> list[dict]:
    out = []
    for r in rows:
        day = date.fromisoformat(r["date"]) + timedelta(days=2000 * copy) if r.get("date") else None
        out.append({"id": f"{r['id']}~{copy}", "title": r["title"], "text": r["text"],
                    "date": day.isoformat() if day else None, "source": r.get("source"), "url": r.get("url")})
    return out


def client(port: int, paths: list[str], stop: float, latencies: list[float], errors: list[int]):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = 0
    while time.time() < stop:
        path = paths[n % len(paths)]
        n += 1
        start = time.perf_counter()
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        if response.status != 200:
            errors.append(response.status)
    connection.close()


def main():
    gva = load_set("gva")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = tmp / "big.jsonl"
        source.write_text("\n".join(json.dumps(r) for c in range(3) for r in shifted(gva, c)))
        db = tmp / "serve.db"
        start = time.perf_counter()
        subprocess.run([NEWSLOOM, "--db", str(db), "ingest", str(source)], capture_output=True)
        print(f"built the store in {time.perf_counter() - start:.0f} s")
        port = free_port()
        server = subprocess.Popen([NEWSLOOM, "--db", str(db), "serve", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port)
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            warm.request("GET", "/api/stories?limit=200")
            stories = json.loads(warm.getresponse().read())["stories"]
            largest = sorted(stories, key=lambda s: -s["articles"])[:50]
            paths = [f"/stories/{s['id']}" for s in largest]
            health = json.loads((warm.request("GET", "/api/health"), warm.getresponse().read())[1])
            for path in paths:
                warm.request("GET", path)
                warm.getresponse().read()
            extra = tmp / "allsides.jsonl"
            extra.write_text("\n".join(json.dumps({k: r[k] for k in ("id", "title", "text", "source")})
                                       for r in load_set("allsides")))
            ingest = subprocess.Popen([NEWSLOOM, "--db", str(db), "ingest", str(extra)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(3)  # the ingest is under way
            latencies, errors = [], []
            stop = time.time() + SECONDS
            threads = [threading.Thread(target=client, args=(port, paths[i::CLIENTS] or paths, stop, latencies, errors))
                       for i in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            ingest_running = ingest.poll() is None
            ingest.kill()
        finally:
            server.kill()
    print(f"store: {health['articles']} articles, {health['stories']} stories; ingest running during the test: "
          f"{ingest_running}")
    latencies.sort()
    print(f"story pages: {len(latencies) / SECONDS:.0f} requests/s over {SECONDS} s with {CLIENTS} clients "
          f"(median {statistics.median(latencies) * 1000:.1f} ms, p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms, "
          f"{len(errors)} errors)")


if __name__ == "__main__":
    main()
