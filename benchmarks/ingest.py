"""Ingest speed and peak memory: the ~3,300 GVA articles into a fresh database.

Runs `newsloom ingest` on ../shared/data/stories-dev/gva.jsonl (the story labels are dropped
first: they never reach newsloom) and prints articles per second and the peak resident memory
of the ingest process.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import load_set  # noqa: E402

NEWSLOOM = str(Path(sys.executable).with_name("newsloom"))


def main():
    rows = load_set("gva")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "gva.jsonl"
        source.write_text("\n".join(json.dumps({k: r[k] for k in ("id", "title", "text", "date", "source", "url")})
                                    for r in rows))
        db = Path(tmp) / "bench.db"
        start = time.perf_counter()
        result = subprocess.run([NEWSLOOM, "--db", str(db), "ingest", str(source)], capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-300:]
    print(f"ingest gva.jsonl: {len(rows)} input lines in {elapsed:.1f} s = {len(rows) / elapsed:.1f} articles/s "
          f"(model loading included); peak memory {peak_mb:.0f} MB")
    print(f"  {summary}")


if __name__ == "__main__":
    main()
