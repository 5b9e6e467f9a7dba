"""Reclassify a whole archive while another thread keeps searching.

    python bench/bench_reclassify.py --archive bench/out/archive-10000

Reports the time to apply the topic rules to every article, and the latency of
searches run from a second thread meanwhile (they must keep being answered:
reclassifying works in short transactions and re-indexes only what changed).
The archive is modified only in its automatic topic assignments.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from pathlib import Path

from archive_app.core.archive import Archive
from archive_app.core.models import SearchRequest

QUERIES = ("children", "tribunal evidence", '"war crimes"', "deport*", "foster care")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=Path("bench/out/archive-10000"))
    args = parser.parse_args()
    with Archive.open(args.archive, create=False) as archive:
        articles = archive.article_count()
        latencies: list[float] = []
        done = threading.Event()

        def search_meanwhile() -> None:
            i = 0
            while not done.is_set():
                started = time.perf_counter()
                archive.search(SearchRequest(query=QUERIES[i % len(QUERIES)]))
                latencies.append((time.perf_counter() - started) * 1000)
                i += 1
                time.sleep(0.05)  # a person typing, not a load test

        searcher = threading.Thread(target=search_meanwhile)
        searcher.start()
        started = time.perf_counter()
        report = archive.reclassify()
        seconds = time.perf_counter() - started
        done.set()
        searcher.join()

    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95)] if latencies else float("nan")
    print("| Measure | Result |")
    print("|---|---|")
    print(f"| Articles | {articles} |")
    print(
        f"| Reclassify | {seconds:.1f} s ({articles / seconds:.0f} articles/s),"
        f" {report.changed} changed |"
    )
    print(
        f"| Searches meanwhile | {len(latencies)}, p50 {statistics.median(latencies):.0f} ms,"
        f" p95 {p95:.0f} ms, max {latencies[-1]:.0f} ms |"
    )


if __name__ == "__main__":
    main()
