"""Benchmark the core: import, index size, search latency, index rebuild, memory.

    python bench/bench_core.py --count 10000 [--corpus DIR] [--archive DIR] [--repeat 5]

Generates the corpus with gen_corpus.py when it is missing (cached under
bench/out/, which git ignores), imports it into a fresh archive through
`Archive.import_paths`, then measures:

- import throughput end to end (parse, blobs, catalog, near-duplicate check, index);
- the archive's size on disk: index, catalog, blob store;
- a cold first query: a new process opens the archive and runs one search;
- search latency over the query set × --repeat (top 20 with snippets and facets,
  `SearchRequest` defaults otherwise), after one untimed warm-up pass;
- `rebuild_index` time, and that every query finds the same total afterwards;
- peak resident memory of this process (`resource.getrusage`).

Prints a Markdown table and writes everything to bench/out/bench_core.json.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import fcntl
import hashlib
import json
import os
import platform
import pstats
import resource
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(ROOT))

from archive_app.core.archive import Archive  # noqa: E402
from archive_app.core.models import SearchRequest  # noqa: E402

TARGET_IMPORT_PER_S = 100.0
TARGET_SEARCH_P95_MS = 50.0
T = TypeVar("T")
REQUEST_KEYS = ("query", "topics", "tags", "sources", "since", "until", "sort", "limit", "offset")


# --------------------------------------------------------------------------- corpus


def ensure_corpus(corpus: Path, count: int, seed: int, jobs: int) -> dict[str, Any]:
    """The corpus's manifest, generating the corpus first unless a matching one is there."""
    manifest_path = corpus / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text("utf-8"))
        wanted = {"count": count, "seed": seed, "generator_sha256": _generator_fingerprint()}
        if all(manifest.get(k) == v for k, v in wanted.items()):
            print(f"Using the cached corpus in {corpus}", file=sys.stderr)
            return manifest
    print(f"Generating {count} articles into {corpus} ...", file=sys.stderr)
    command = [
        sys.executable,
        str(BENCH / "gen_corpus.py"),
        f"--count={count}",
        f"--seed={seed}",
        f"--jobs={jobs}",
        f"--out={corpus}",
    ]
    subprocess.run(command, check=True, stdout=sys.stderr)
    return json.loads(manifest_path.read_text("utf-8"))


def _generator_fingerprint() -> str:
    sys.path.insert(0, str(BENCH))
    import gen_corpus

    return gen_corpus.generator_fingerprint()


def load_queries(corpus: Path) -> list[dict[str, Any]]:
    return json.loads((corpus / "queries.json").read_text("utf-8"))


def request_for(spec: dict[str, Any], **overrides: Any) -> SearchRequest:
    values: dict[str, Any] = {k: spec[k] for k in REQUEST_KEYS if k in spec}
    for key in ("topics", "tags", "sources"):
        if key in values:
            values[key] = tuple(values[key])
    values.update(overrides)
    return SearchRequest(**values)


# --------------------------------------------------------------------------- measuring


def code_state() -> dict[str, Any]:
    """Which code was measured: the git commit, whether the tree had changes, and a
    hash of the archive_app sources as they were (changes are often uncommitted)."""

    def git(*command: str) -> str:
        done = subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    digest = hashlib.sha256()
    for path in sorted((ROOT / "archive_app").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return {
        "git_head": git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--", "archive_app")),
        "archive_app_sha256": digest.hexdigest()[:16],
    }


def hold_run_lock() -> object:
    """Refuse to run beside another benchmark run: two at once would time each other,
    and with the default folders one would delete the archive the other is using.
    The lock is released when this process ends."""
    OUT.mkdir(parents=True, exist_ok=True)
    handle = (OUT / "bench_core.lock").open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        raise SystemExit(
            f"another bench_core.py run is in progress ({holder}); wait for it"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}, started {time.strftime('%H:%M:%S')}")
    handle.flush()
    return handle


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux).

    RUSAGE_CHILDREN: of the largest helper process that has ended (parsing, index writing).
    """
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def folder_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):  # a file removed meanwhile
                total += (Path(folder) / name).stat().st_size
    return total


def archive_sizes(root: Path) -> dict[str, float]:
    """Sizes in MB: the index, the catalog (with its WAL), the blob store, and the total."""
    mb = 1024 * 1024
    catalog = sum(folder_size(p) for p in root.glob("catalog.sqlite3*"))
    sizes = {
        "index_mb": folder_size(root / "index") / mb,
        "catalog_mb": catalog / mb,
        "blobs_mb": folder_size(root / "blobs") / mb,
        "total_mb": folder_size(root) / mb,
    }
    return {k: round(v, 2) for k, v in sizes.items()}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class Progress:
    """progress(done, total) that prints now and then and remembers the pace."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.perf_counter()
        self.last_print = 0.0
        self.marks: list[tuple[int, float]] = []  # (done, seconds) every ~5%

    def __call__(self, done: int, total: int, _current: str = "") -> None:
        now = time.perf_counter() - self.started
        step = max(1, total // 20)
        is_mark = done % step == 0 or done == total
        if is_mark and (not self.marks or self.marks[-1][0] != done):
            self.marks.append((done, round(now, 3)))
        if now - self.last_print >= 5 or done == total:
            self.last_print = now
            rate = done / now if now else 0.0
            print(f"  {self.label}: {done}/{total} ({rate:.0f}/s)", file=sys.stderr)

    def pace(self) -> list[dict[str, float]]:
        """Articles per second in each ~5% slice: shows whether work slows as the archive grows."""
        out = []
        for (d0, t0), (d1, t1) in zip(self.marks, self.marks[1:], strict=False):
            if t1 > t0:
                out.append({"upto": d1, "per_s": round((d1 - d0) / (t1 - t0), 1)})
        return out


@dataclass
class QueryResult:
    name: str
    query: str
    filters: dict[str, object]
    total: int = -1
    returned: int = 0
    suggestion: str | None = None
    times_ms: list[float] = field(default_factory=list)
    error: str = ""

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        times = data.pop("times_ms")
        if times:
            data["median_ms"] = round(statistics.median(times), 2)
            data["max_ms"] = round(max(times), 2)
        return data


def run_queries(
    archive: Archive,
    specs: list[dict[str, Any]],
    repeat: int,
    **overrides: Any,
) -> list[QueryResult]:
    results = [
        QueryResult(
            name=str(s.get("name", "")),
            query=str(s.get("query", "")),
            filters={k: v for k, v in s.items() if k in REQUEST_KEYS and k != "query"},
        )
        for s in specs
    ]
    for _ in range(repeat):
        for spec, result in zip(specs, results, strict=True):
            if result.error:
                continue
            request = request_for(spec, **overrides)
            started = time.perf_counter()
            try:
                page = archive.search(request)
            except Exception:
                result.error = traceback.format_exc()
                continue
            result.times_ms.append((time.perf_counter() - started) * 1000)
            result.total = page.total
            result.returned = len(page.hits)
            result.suggestion = page.suggestion
    return results


def latency_summary(results: list[QueryResult]) -> dict[str, float]:
    times = [t for r in results for t in r.times_ms]
    if not times:
        return {}
    return {
        "samples": len(times),
        "p50_ms": round(percentile(times, 50), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "max_ms": round(max(times), 2),
        "mean_ms": round(statistics.fmean(times), 2),
    }


class Timer:
    """Times actions; with a profile folder, also profiles them into <name>.prof files."""

    def __init__(self, profile_dir: Path | None = None) -> None:
        self.profile_dir = profile_dir

    def __call__(self, label: str, name: str, action: Callable[[], T]) -> tuple[T, float]:
        print(f"{label} ...", file=sys.stderr)
        profiler = cProfile.Profile() if self.profile_dir else None
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        try:
            value = action()
        finally:
            if profiler is not None:
                profiler.disable()
        elapsed = time.perf_counter() - started
        if profiler is not None and self.profile_dir is not None:
            self.profile_dir.mkdir(parents=True, exist_ok=True)
            target = self.profile_dir / f"profile-{name}.prof"
            profiler.dump_stats(target)
            print(f"  profile written to {target}; the 15 costliest calls:", file=sys.stderr)
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("cumulative").print_stats(15)
        return value, elapsed


# --------------------------------------------------------------------------- cold probe


def cold_probe(archive_dir: Path, query: str) -> dict[str, float]:
    """Run in a fresh process: open the archive, search twice, report the times."""
    started = time.perf_counter()
    archive = Archive.open(archive_dir, create=False)
    opened = time.perf_counter()
    first = archive.search(SearchRequest(query=query))
    searched = time.perf_counter()
    archive.search(SearchRequest(query=query))
    again = time.perf_counter()
    archive.close()
    return {
        "open_s": round(opened - started, 4),
        "first_query_ms": round((searched - opened) * 1000, 2),
        "second_query_ms": round((again - searched) * 1000, 2),
        "total": first.total,
    }


def run_cold_probe(archive_dir: Path, query: str) -> dict[str, float]:
    command = [sys.executable, str(Path(__file__).resolve()), "--cold-probe", str(archive_dir)]
    done = subprocess.run(
        [*command, "--probe-query", query], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def markdown_report(data: dict[str, Any]) -> str:
    corpus, imp, sizes = data["corpus"], data["import"], data["sizes"]
    cold, lat, plain = data["cold"], data["search"], data["search_without_snippets"]
    rebuild, rss = data["rebuild"], data["peak_rss_mb"]
    rate, p95 = imp["articles_per_s"], lat["p95_ms"]
    text_mb = corpus["text_bytes"] / 1e6
    rows = [
        (
            "Corpus",
            f"{corpus['count']} articles ({corpus['txt']} .txt, {corpus['md']} .md), "
            f"{corpus['image_files']} images, {text_mb:.1f} MB of text",
            "",
        ),
        (
            "Import, end to end",
            f"{imp['imported']} articles in {imp['seconds']:.1f} s = **{rate:.0f} articles/s**",
            f"≥ {TARGET_IMPORT_PER_S:.0f}/s: {verdict(rate >= TARGET_IMPORT_PER_S)}",
        ),
        (
            "Import pace by 5% slice: first, last, slowest",
            f"{imp['pace_first']:.0f}, {imp['pace_last']:.0f}, {imp['pace_slowest']:.1f} "
            f"articles/s (the slowest in the slice up to {imp['pace_slowest_upto']})",
            "",
        ),
        (
            "Import problems",
            f"{imp['failed']} failed, {imp['skipped']} skipped, {imp['duplicates']} duplicates",
            "",
        ),
        ("Index size", f"{sizes['index_mb']:.1f} MB", ""),
        ("Catalog size", f"{sizes['catalog_mb']:.1f} MB", ""),
        ("Blob store size", f"{sizes['blobs_mb']:.1f} MB", ""),
        ("Archive total", f"{sizes['total_mb']:.1f} MB", ""),
        ("Open archive (new process)", f"{cold['open_s'] * 1000:.0f} ms", ""),
        (
            "Cold first query",
            f"{cold['first_query_ms']:.0f} ms (same query again: {cold['second_query_ms']:.0f} ms)",
            "",
        ),
        (
            "Search p50 / p95 / max",
            f"{lat['p50_ms']:.1f} / **{p95:.1f}** / {lat['max_ms']:.1f} ms "
            f"({lat['samples']} searches)",
            f"p95 ≤ {TARGET_SEARCH_P95_MS:.0f} ms: {verdict(p95 <= TARGET_SEARCH_P95_MS)}",
        ),
        (
            "Search without snippets p50 / p95",
            f"{plain['p50_ms']:.1f} / {plain['p95_ms']:.1f} ms",
            "",
        ),
        (
            "rebuild_index",
            f"{rebuild['seconds']:.1f} s ({rebuild['per_s']:.0f} articles/s)",
            "",
        ),
        ("Same totals after rebuild", "yes" if rebuild["same_totals"] else "**no**", ""),
        (
            "Peak RSS after import / search / rebuild",
            f"{rss['after_import']:.0f} / {rss['after_search']:.0f} / "
            f"{rss['after_rebuild']:.0f} MB (largest helper process:"
            f" {rss.get('largest_helper', 0):.0f} MB)",
            "",
        ),
    ]
    lines = ["| Measure | Result | Target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    slow = data["slowest_queries"]
    lines += ["", "Slowest queries (median of the timed runs):", ""]
    lines += ["| Query | Filters | Hits | Median ms | Max ms |", "|---|---|---|---|---|"]
    for q in slow:
        filters = ", ".join(f"{k}={v}" for k, v in q["filters"].items()) or ""
        lines.append(
            f"| `{q['query'] or '(all)'}` | {filters} | {q['total']} | "
            f"{q.get('median_ms', '-')} | {q.get('max_ms', '-')} |"
        )
    errors = data["query_errors"]
    if errors:
        lines += ["", f"{len(errors)} queries raised errors (tracebacks in the JSON):"]
        lines += [f"- `{e['query']}`: {e['error'].strip().splitlines()[-1]}" for e in errors]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000, help="articles in the corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, help="corpus folder (default: bench/out/...)")
    parser.add_argument("--archive", type=Path, help="archive folder, must be new or empty")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the query set")
    parser.add_argument("--jobs", type=int, default=2, help="processes generating the corpus")
    parser.add_argument("--json", type=Path, default=OUT / "bench_core.json")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile import, search and rebuild into bench/out/profile-*.prof (slows them)",
    )
    parser.add_argument("--cold-probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--probe-query", default="children", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.cold_probe:
        print(json.dumps(cold_probe(args.cold_probe, args.probe_query)))
        return 0

    run_lock = hold_run_lock()  # noqa: F841 (held until the process ends)
    load_at_start = os.getloadavg()
    code = code_state()
    corpus: Path = args.corpus or OUT / f"corpus-{args.count}-seed{args.seed}"
    manifest = ensure_corpus(corpus, args.count, args.seed, args.jobs)
    specs = load_queries(corpus)

    if args.archive is None:
        archive_dir = OUT / f"archive-{args.count}"
        shutil.rmtree(archive_dir, ignore_errors=True)
    else:
        archive_dir = args.archive
        if archive_dir.exists() and any(archive_dir.iterdir()):
            parser.error(f"{archive_dir} is not empty; give a new folder")

    timed = Timer(OUT if args.profile else None)

    # Import ----------------------------------------------------------------
    progress = Progress("import")
    started = time.perf_counter()
    archive = Archive.open(archive_dir, create=True)
    open_s = time.perf_counter() - started
    report, import_s = timed(
        f"Importing {corpus / 'articles'}",
        "import",
        lambda: archive.import_paths([corpus / "articles"], progress=progress),
    )
    archive.close()
    rss_import = peak_rss_mb()
    imported = len(report.imported)
    pace = progress.pace()
    slowest = min(pace, key=lambda p: p["per_s"]) if pace else {"per_s": 0, "upto": 0}
    import_data = {
        "imported": imported,
        "failed": len(report.failed),
        "skipped": len(report.skipped),
        "duplicates": len(report.duplicates),
        "warnings": sum(1 for i in report.imported if i.warnings),
        "seconds": round(import_s, 2),
        "create_s": round(open_s, 3),
        "articles_per_s": round(imported / import_s, 1) if import_s else 0.0,
        "text_mb_per_s": round(manifest["text_bytes"] / 1e6 / import_s, 2),
        "pace_first": pace[0]["per_s"] if pace else 0,
        "pace_last": pace[-1]["per_s"] if pace else 0,
        "pace_slowest": slowest["per_s"],
        "pace_slowest_upto": slowest["upto"],
        "pace": pace,
        "problems": [
            {"path": p.path, "reason": p.reason} for p in (*report.failed, *report.skipped)
        ][:20],
    }
    sizes = archive_sizes(archive_dir)

    # Cold first query, in a new process -----------------------------------------
    print("Cold first query (new process) ...", file=sys.stderr)
    cold = run_cold_probe(archive_dir, "children")

    # Warm search latency ---------------------------------------------------------
    archive = Archive.open(archive_dir, create=False)
    print(
        f"Searching: {len(specs)} queries, 1 warm-up + {args.repeat} timed passes", file=sys.stderr
    )
    run_queries(archive, specs, 1)
    results, _ = timed("Timed passes", "search", lambda: run_queries(archive, specs, args.repeat))
    plain = run_queries(archive, specs, 1, snippets=False)
    rss_search = peak_rss_mb()

    # Rebuild ----------------------------------------------------------------------
    rebuild_progress = Progress("rebuild")
    rebuilt, rebuild_s = timed(
        "Rebuilding the index",
        "rebuild",
        lambda: archive.rebuild_index(progress=rebuild_progress),
    )
    after = run_queries(archive, specs, 1)
    archive.close()
    rss_rebuild = peak_rss_mb()
    mismatches = [
        {"query": a.query, "filters": a.filters, "before": a.total, "after": b.total}
        for a, b in zip(results, after, strict=True)
        if a.total != b.total
    ]

    summaries = [r.summary() for r in results]
    timed_ok = [s for s in summaries if "median_ms" in s]
    data: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": os.getloadavg(),
        },
        "code": code,
        "corpus": manifest,
        "archive": str(archive_dir),
        "import": import_data,
        "sizes": sizes,
        "cold": cold,
        "search": latency_summary(results),
        "search_without_snippets": latency_summary(plain),
        "repeat": args.repeat,
        "profiled": args.profile,
        "rebuild": {
            "seconds": round(rebuild_s, 2),
            "documents": rebuilt,
            "per_s": round(imported / rebuild_s, 1) if rebuild_s else 0.0,
            "pace": rebuild_progress.pace(),
            "same_totals": not mismatches,
            "mismatches": mismatches,
        },
        "peak_rss_mb": {
            "after_import": round(rss_import, 1),
            "after_search": round(rss_search, 1),
            "after_rebuild": round(rss_rebuild, 1),
            "largest_helper": round(peak_rss_mb(resource.RUSAGE_CHILDREN), 1),
        },
        "targets": {"import_per_s": TARGET_IMPORT_PER_S, "search_p95_ms": TARGET_SEARCH_P95_MS},
        "queries": summaries,
        "slowest_queries": sorted(timed_ok, key=lambda s: -s["median_ms"])[:8],
        "query_errors": [s for s in summaries if s["error"]],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    print(markdown_report(data))
    if args.profile:
        print("\nTaken with --profile: the times above include the profiler's overhead.")
    print(f"\nFull results: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
