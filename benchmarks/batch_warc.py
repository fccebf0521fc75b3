"""`newsloom batch` on a CC-NEWS-shaped WARC archive: what cutting it into record ranges costs
the driver, and what it gives stage 1.

The archive: the extraction set's real HTML pages (dev, 95), each written ``--rounds`` times as
a WARC response record (its own URL each round), one gzip member per record, behind a
``warcinfo`` record, as CC-NEWS files are.

1. The driver's planning read (``ingest.warc_parts``: every record read as a task reads it,
   content decoded, the offset of each page kept) against a task's plain read of the whole file
   (``read_file``) and warcio's framing alone (the records' headers, their content read past
   undecoded): MB/s of the file, and the seconds a 1 GB CC-NEWS file of 40,000 records
   would take at that rate (a projection).
2. Stage 1 on Ray with 2 workers on ``--stage1-rounds`` rounds of the pages: the archive as one
   task (``records_per_task`` above its page count: a WARC before it was cut) against ranges of
   ``records_per_task`` pages (200 by default). Interleaved, ``--repeat`` pairs.

Prints the load average beside each figure: the cores are shared.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from batch import load, show_stage1, stage1_alone  # noqa: E402
from common import EXTRACTION  # noqa: E402

CC_NEWS_BYTES, CC_NEWS_RECORDS = 1_000_000_000, 40_000


def write_archive(path: Path, rounds: int) -> int:
    """The pages ``rounds`` times as WARC response records; returns how many were written."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    pages = sorted((EXTRACTION / "html").glob("*.html.gz"))
    bodies = [gzip.decompress(p.read_bytes()) for p in pages]
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsloom benchmark"}))
        for round_ in range(rounds):
            for page, body in zip(pages, bodies):
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=UTF-8"),
                                                      ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    f"https://news.example/{page.name.split('.')[0]}?round={round_}", "response",
                    payload=io.BytesIO(body), http_headers=headers))
    return rounds * len(pages)


def framing_only(path: str) -> int:
    """warcio's records without their content decoded: the least any planning read costs."""
    from warcio.archiveiterator import ArchiveIterator

    offsets = []
    with open(path, "rb") as handle:
        archive = ArchiveIterator(handle)
        for record in archive:
            if record.rec_type == "response":
                offsets.append(archive.get_record_offset())
    return len(offsets)


def timed(step) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = step()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def planning(tmp: Path, rounds: int) -> None:
    from newsloom.ingest import IngestConfig, read_file, warc_parts

    path = tmp / "CC-NEWS-20260305120000-00002.warc.gz"
    records = write_archive(path, rounds)
    size = path.stat().st_size
    unpacked = sum(len(gzip.decompress(p.read_bytes())) for p in (EXTRACTION / "html").glob("*.html.gz")) * rounds
    print(f"archive: {records} pages, {size / 1e6:.1f} MB gzipped ({unpacked / 1e6:.1f} MB of HTML); "
          f"load {load()}")
    config = IngestConfig()
    steps = {"warc_parts (the planning read)": lambda: len(warc_parts(str(path), 200, config)),
             "read_file (a task's read of the whole, no cleaning)": lambda: sum(1 for _ in read_file(str(path), config)),
             "warcio framing alone (content not decoded)": lambda: framing_only(str(path))}
    for name, step in steps.items():
        best = min((timed(step) for _ in range(3)), key=lambda t: t[0])
        per_gb = best[0] * CC_NEWS_BYTES / size
        print(f"  {name}: {best[0]:.2f} s wall, {best[1]:.2f} CPU s = {size / 1e6 / best[0]:.0f} MB/s gzipped, "
              f"{records / best[0]:,.0f} records/s → projected {per_gb:.1f} s per 1 GB file, "
              f"{CC_NEWS_RECORDS / (records / best[0]):.1f} s per {CC_NEWS_RECORDS:,} records (load {load()})")


def ranges(tmp: Path, rounds: int, repeat: int, records_per_task: int) -> None:
    path = tmp / "CC-NEWS-20260305120000-00003.warc.gz"
    records = write_archive(path, rounds)
    print(f"\nstage 1, 2 workers, on {records} pages ({path.stat().st_size / 1e6:.1f} MB); load {load()}")
    walls: dict[str, list[float]] = {"whole": [], "ranges": []}
    for number in range(1, repeat + 1):
        for label in ("whole", "ranges") if number % 2 else ("ranges", "whole"):
            size = records + 1 if label == "whole" else records_per_task
            stage = stage1_alone([str(path)], 2, tmp / f"work-{number}-{label}", size)
            walls[label].append(stage["working"])
            show_stage1(f"[{number}] {label} ({stage['count']} task(s))", 2, stage)
    whole, cut = statistics.median(walls["whole"]), statistics.median(walls["ranges"])
    print(f"median once the workers are up: one task {whole:.1f} s, ranges of {records_per_task} {cut:.1f} s: "
          f"{whole / cut:.2f}× (load {load()})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=40, help="rounds of the 95 pages for the planning read")
    parser.add_argument("--stage1-rounds", type=int, default=8, help="rounds of the pages for stage 1 (0: skip it)")
    parser.add_argument("--repeat", type=int, default=1, help="pairs of stage-1 runs (one task, ranges)")
    parser.add_argument("--records-per-task", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        planning(Path(tmp), args.rounds)
        if args.stage1_rounds:
            ranges(Path(tmp), args.stage1_rounds, args.repeat, args.records_per_task)
    print(f"load average at the end {load()}; {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
