"""A long fuzz campaign: the properties of tests/test_fuzz_importers.py with a large budget.

    nice -n 10 .venv/bin/python bench/fuzz_campaign.py --minutes 10 [--targets html,warc]

Every importer (text, markdown, html, jsonbulk, warc, mhtml, pdf) and the query
parser get inputs in turn, in rounds of `--round` examples, until the time is
up. An input that raises anything but the target's own errors, leaves unsafe
HTML, or runs longer than `--hang-seconds` is a failure: Hypothesis shrinks it,
and the smallest failing input is saved under `bench/out/fuzz/` (the bytes, and
a note with the error). Prints one table row per target, and writes the table
to `bench/out/fuzz/summary.json`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "fuzz"


class Hang(Exception):
    """One input ran longer than the campaign allows."""


@dataclass
class Outcome:
    target: str
    examples: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)  # one line per distinct failure
    saved: list[str] = field(default_factory=list)


def load_properties():
    """The test module, loaded by path (the tests folder is not a package)."""
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
    spec = importlib.util.spec_from_file_location(
        "fuzz_properties", ROOT / "tests" / "test_fuzz_importers.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def _on_alarm(signum, frame):
    raise Hang("no result after the time allowed for one input")


def run_round(name, strategy, check, outcome: Outcome, examples: int, hang_seconds: int) -> None:
    from hypothesis import HealthCheck, given, settings

    failing: list[tuple[tuple, BaseException]] = []

    def counted(*args) -> None:
        outcome.examples += 1
        signal.alarm(hang_seconds)
        try:
            check(*args)
        except BaseException as exc:
            failing.append((args, exc))
            raise
        finally:
            signal.alarm(0)

    runner = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )(given(strategy)(lambda case: counted(*case) if isinstance(case, tuple) else counted(case)))
    try:
        runner()
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        # Hypothesis replays the smallest failing input last.
        args, error = failing[-1] if failing else ((), exc)
        key = f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"
        if key not in outcome.failures:
            outcome.failures.append(key)
            outcome.saved.append(str(save_failure(name, len(outcome.failures), args, error)))


def save_failure(name: str, number: int, args: tuple, error: BaseException) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    stem = OUT / f"{name}-{number}"
    data = next((a for a in args if isinstance(a, (bytes, str))), b"")
    if isinstance(args[-1:] and args[-1], (bytes, str)):
        data = args[-1]
    stem.with_suffix(".bin").write_bytes(
        data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    )
    stem.with_suffix(".txt").write_text(
        f"target: {name}\ninput: {args!r}\n\n"
        + "".join(traceback.format_exception(type(error), error, error.__traceback__)),
        encoding="utf-8",
    )
    return stem.with_suffix(".bin")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--targets", default="", help="comma-separated (default: all)")
    parser.add_argument("--round", type=int, default=100, help="examples per turn of a target")
    parser.add_argument("--hang-seconds", type=int, default=60)
    args = parser.parse_args(argv)

    properties = load_properties()
    targets = {name: (target.strategy, target.check) for name, target in properties.TARGETS.items()}
    with tempfile.TemporaryDirectory(prefix="fuzz-query-") as tmp:
        archive = properties.build_search_archive(Path(tmp))
        targets["query"] = (
            properties.query_text,
            lambda text: properties.run_query(archive, text),
        )
        chosen = [t for t in args.targets.split(",") if t] or list(targets)
        outcomes = {name: Outcome(name) for name in chosen}
        signal.signal(signal.SIGALRM, _on_alarm)
        end = time.monotonic() + args.minutes * 60
        while time.monotonic() < end:
            for name in chosen:
                if time.monotonic() >= end:
                    break
                strategy, check = targets[name]
                started = time.monotonic()
                run_round(name, strategy, check, outcomes[name], args.round, args.hang_seconds)
                outcomes[name].seconds += time.monotonic() - started
        archive.close()

    rows = [
        {
            "target": o.target,
            "examples": o.examples,
            "seconds": round(o.seconds),
            "failures": len(o.failures),
            "kinds": o.failures,
            "saved": o.saved,
        }
        for o in outcomes.values()
    ]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "summary.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"{'target':<10} {'examples':>9} {'seconds':>8} {'failures':>9}")
    for row in rows:
        print(f"{row['target']:<10} {row['examples']:>9,} {row['seconds']:>8} {row['failures']:>9}")
        for kind, saved in zip(row["kinds"], row["saved"], strict=True):
            print(f"    {kind}\n      saved: {os.path.relpath(saved, ROOT)}")
    print(f"summary: {os.path.relpath(OUT / 'summary.json', ROOT)}")
    return 1 if any(r["failures"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
