"""Where a search's time goes, part by part, on an existing archive.

    .venv/bin/python bench/search_parts.py --archive bench/out/archive-100000 \
        [--corpus bench/out/corpus-100000-seed1] [--repeat 2]

Opens the archive for reading (nothing is written) and runs the corpus's query
set: one warm-up pass, then `--repeat` timed passes. Each query is timed as a
whole (`Archive.search`: top 20 with snippets, total, facets, suggestion) and
in its parts, called the way `SearchIndex.search` and `Archive.search` call
them: parsing; matching within the filters; facet counts over all matches; the
top 20 in order; the spelling suggestion; the 20 catalog rows; their snippets.
Prints median, p95 and max per part, the slowest queries of the main parts,
the first (cold) search after opening, and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_core import load_queries, request_for  # noqa: E402

from archive_app.core.archive import Archive, _index_filters  # noqa: E402
from archive_app.core.models import SearchRequest  # noqa: E402

PARTS = ("parse", "match", "facets", "top 20", "suggest", "rows", "snippets", "whole search")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, help="whose queries.json; default: the archive's")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    archive = Archive.open(args.archive, create=False, mode="read", backup_now=False)
    opened = time.perf_counter() - started
    count = archive.article_count()
    specs = load_queries(args.corpus or ROOT / "bench" / "out" / f"corpus-{count}-seed1")
    started = time.perf_counter()
    archive.search(SearchRequest(query=str(specs[0].get("query", ""))))
    cold = time.perf_counter() - started

    times: dict[tuple[str, str], list[float]] = {}

    @contextlib.contextmanager
    def clock(part: str, label: str) -> Iterator[None]:
        begun = time.perf_counter()
        yield
        times.setdefault((part, label), []).append((time.perf_counter() - begun) * 1000)

    index = archive.index
    for rounds in range(args.repeat + 1):
        for spec in specs:
            request = request_for(spec)
            label = f"{request.query or '(all)'} {describe(spec)}".strip()
            options = _index_filters(request)
            filters = tuple(options[k] for k in ("topics", "tags", "sources", "since", "until"))
            with clock("parse", label):
                q = index.parse(request.query)
            with index._lock:
                searcher = index._current_searcher()
                cache = index._facet_cache(searcher)
                with clock("match", label):
                    matched = index._matching(cache, q, filters)
                with clock("facets", label):
                    cache.count(matched)
                with clock("top 20", label):
                    hits = index._top_hits(searcher, q, matched, options["sort"], 20)
            with clock("suggest", label):
                archive._suggestion(request.query)
            ids = [hit.id for hit in hits]
            with clock("rows", label):
                rows = archive._hit_rows(ids, with_text=True)
            with clock("snippets", label):
                archive._snippets(q, ids, rows)
            with clock("whole search", label):
                archive.search(request)
        if rounds == 0:
            times.clear()  # the warm-up pass

    print(f"{count} articles; opened in {opened:.2f} s; first search {cold:.2f} s (cold)")
    print(f"{len(specs)} queries x {args.repeat} passes after a warm-up (ms)\n")
    print("| part | median | p95 | max |\n|---|---|---|---|")
    for part in PARTS:
        values = [v for (p, _), vs in times.items() if p == part for v in vs]
        print(
            f"| {part} | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} "
            f"| {max(values):.1f} |"
        )
    for part in ("top 20", "snippets", "whole search"):
        slowest = sorted(
            ((statistics.median(vs), label) for (p, label), vs in times.items() if p == part),
            reverse=True,
        )[:5]
        shown = ", ".join(f"`{label}` {ms:.0f}" for ms, label in slowest)
        print(f"\nslowest {part}: {shown}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak resident memory: {peak:.0f} MB")
    archive.close()
    return 0


def describe(spec: dict[str, Any]) -> str:
    extra = {k: v for k, v in spec.items() if k not in ("name", "query")}
    return str(extra) if extra else ""


if __name__ == "__main__":
    raise SystemExit(main())
