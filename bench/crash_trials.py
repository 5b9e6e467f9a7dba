"""Crash trials: SIGKILL an importing process again and again; count what survives.

    .venv/bin/python bench/crash_trials.py --trials 100 [--articles 400] [--seed 1]

Each trial starts a child that imports the corpus one file per call from the
first file not yet reported complete, kills it (at the Nth blob write, catalog
transaction, index commit or segment merge, or after a random delay, in turn),
then opens the archive as a person would and verifies it (tests/crash_harness.py
says what is checked). Crashes accumulate in one archive. The table per kill
phase is printed and written to bench/out/crash_trials.json.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import crash_harness as harness  # noqa: E402

COLUMNS = ("trials", "killed", "survived", "reported", "lost", "duplicates", "check_failures")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--articles", type=int, default=400, help="corpus size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "crash_trials")
    args = parser.parse_args()

    shutil.rmtree(args.out, ignore_errors=True)
    corpus, archive = args.out / "corpus", args.out / "archive"
    files = harness.make_corpus(corpus, args.articles, seed=args.seed)
    rng = random.Random(args.seed)
    completed: dict[str, str] = {}
    results: list[harness.TrialResult] = []
    started = time.perf_counter()
    for number in range(args.trials):
        phase = harness.PHASES[number % len(harness.PHASES)]
        if len(completed) == len(files):
            print("every corpus file is in the archive; stopping", file=sys.stderr)
            break
        result = harness.run_trial(archive, corpus, files, completed, phase, rng)
        results.append(result)
        verdict = "ok" if not result.failures else "FAILED: " + "; ".join(result.failures[:3])
        print(
            f"trial {number + 1:3d} {phase:8s} killed={result.killed!s:5s}"
            f" +{len(result.reported):2d} ({len(completed)} in all) {result.seconds:5.1f} s"
            f" {verdict}",
            file=sys.stderr,
        )
    table = harness.summarize(results, len(completed))
    seconds = time.perf_counter() - started
    print(f"| phase | {' | '.join(COLUMNS)} |")
    print("|" + "---|" * (len(COLUMNS) + 1))
    for phase, row in table.items():
        print(f"| {phase} | {' | '.join(str(row[c]) for c in COLUMNS)} |")
    print(f"\n{len(completed)} articles in the archive at the end; {seconds:.0f} s in all.")
    (args.out.parent / "crash_trials.json").write_text(
        json.dumps({"seconds": round(seconds, 1), "table": table}, indent=2) + "\n"
    )
    failed = [r for r in results if r.failures]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
