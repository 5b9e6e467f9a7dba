"""Benchmark the desktop app's responsiveness on a 10,000-article archive.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui.py [--quick] [--profile]

Drives the real `MainWindow` with the real threaded `TaskRunner` and a `Settings`
on a temporary INI file, and measures:

1. start to first paint: a new process creates the QApplication and the window,
   shows it and opens the archive; the time from the process's start to the end
   of the window's first painted frame, and to "usable" (the first result ids
   shown and the visible rows loaded and painted), over several runs;
2. keystroke to results: the last character of a query typed into the search
   field (`QTest`), until the results list has painted the new results' visible
   rows, with and without the 200 ms debounce, for a mixed query set;
3. GUI-thread stalls during an import of fresh articles: a 10 ms timer on the GUI
   thread records the gap between its ticks while a search is typed every 500 ms;
4. scrolling through every article (empty query, newest first) a page at a time:
   the frame time of each step and how soon the rows it shows are loaded;
5. the GUI process's peak resident memory.

The archive is a copy of the one `bench_core.py` leaves in bench/out/archive-10000
(`bench/out/gui-archive-10000`, its index rebuilt once when the schema is newer);
each run works on a fresh copy of that (`...-work`), because the import changes it.
`--quick` builds a 500-article archive from a generated corpus and takes well
under a minute: it checks that the script works, its figures mean little.

Prints a Markdown table and writes every figure to bench/out/bench_gui.json
(`bench_gui-quick.json` with --quick). `--profile` adds cProfile passes after the
timed ones (the core calls behind the slowest query, the GUI thread while it is
typed and while scrolling) and profiles the GUI thread during the import (whose
stall figures then include the profiler's overhead).
"""

from __future__ import annotations

import time

PROCESS_STARTED = time.perf_counter()  # the start-up child measures from here

import argparse  # noqa: E402
import bisect  # noqa: E402
import contextlib  # noqa: E402
import cProfile  # noqa: E402
import fcntl  # noqa: E402
import gc  # noqa: E402
import io  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import pstats  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OUT = BENCH / "out"
sys.path.insert(0, str(ROOT))
# Only the standard library above: the start-up child imports the app itself, timed,
# and the import's helper processes (spawned) import this module again.

TARGET_FIRST_PAINT_S = 1.5
TARGET_RESULTS_P95_MS = 150.0  # after the debounce
TARGET_STALL_MS = 50.0
PROBE_INTERVAL_MS = 10
TYPING_INTERVAL_MS = 500
ROWS_LOADED_WITHIN_MS = 100.0  # the scroll test's "rows show as loaded within N ms"


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class Plan:
    """Where one run's inputs live: the full benchmark or the --quick check."""

    name: str
    count: int  # articles in the archive
    corpus: Path  # what the archive is built from when there is nothing to copy
    source: Path | None  # an archive built elsewhere (bench_core.py's cache) to copy
    pristine: Path  # our copy, index current; the measured steps never write to it
    work: Path  # copied from `pristine` for every run: the import changes it
    fresh: Path  # new articles (another seed) for the import test
    fresh_count: int
    startup_runs: int
    keystroke_repeats: int  # samples per query class, alternating its two queries
    json: Path


FRESH_SEED = 2  # the archive's corpus uses seed 1: these articles are all new to it


def full_plan(count: int = 10000) -> Plan:
    """The archive bench_core.py built for `count` articles (10,000, or 100,000)."""
    return Plan(
        name="full",
        count=count,
        corpus=OUT / f"corpus-{count}-seed1",
        source=OUT / f"archive-{count}",
        pristine=OUT / f"gui-archive-{count}",
        work=OUT / f"gui-archive-{count}-work",
        fresh=OUT / f"gui-fresh-1000-seed{FRESH_SEED}",
        fresh_count=1000,
        startup_runs=5,
        keystroke_repeats=10,
        json=OUT / ("bench_gui.json" if count == 10000 else f"bench_gui-{count}.json"),
    )


def quick_plan() -> Plan:
    return Plan(
        name="quick",
        count=500,
        corpus=OUT / "gui-quick-corpus-500",
        source=None,
        pristine=OUT / "gui-quick-archive-500",
        work=OUT / "gui-quick-archive-500-work",
        fresh=OUT / f"gui-quick-fresh-100-seed{FRESH_SEED}",
        fresh_count=100,
        startup_runs=2,
        keystroke_repeats=2,
        json=OUT / "bench_gui-quick.json",
    )


@dataclass(frozen=True)
class TypedQuery:
    text: str
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def label(self) -> str:
        extra = [f"topic {t}" for t in self.topics] + [f"tag {t}" for t in self.tags]
        return f"`{self.text}`" + (f" + {', '.join(extra)}" if extra else "")


# Each class alternates two queries, so that a sample is never the query just shown.
QUERY_CLASSES: tuple[tuple[str, TypedQuery, TypedQuery], ...] = (
    ("common term", TypedQuery("children"), TypedQuery("government")),
    ("rare term", TypedQuery("lamplighter"), TypedQuery("armistice")),
    ("two-term AND", TypedQuery("children deportation"), TypedQuery("tribunal evidence")),
    ("phrase", TypedQuery('"arrest warrant"'), TypedQuery('"foster family"')),
    ("title field", TypedQuery("title:tribunal"), TypedQuery("title:children")),
    ("prefix wildcard", TypedQuery("deport*"), TypedQuery("humanit*")),
    (
        "date range",
        TypedQuery("published:[2019 TO 2020]"),
        TypedQuery("published:[2021 TO 2022]"),
    ),
    (
        "topic filter",
        TypedQuery("shelling", topics=("war-crimes",)),
        TypedQuery("school", topics=("child-welfare",)),
    ),
    (
        "tag filter",
        TypedQuery("children", tags=("region/velmora",)),
        TypedQuery("evidence", tags=("follow-up",)),
    ),
)
TYPED_DURING_IMPORT = ("children", "government", "tribunal", "deport*", "evidence", "shelling")


# --------------------------------------------------------------------------- helpers


def now() -> float:
    return time.perf_counter()


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (as bench_core.py computes it)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def spread(values: list[float]) -> dict[str, float]:
    """p50, p95, max and the count of a list of milliseconds."""
    if not values:
        return {"samples": 0}
    return {
        "samples": len(values),
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "max_ms": round(max(values), 1),
    }


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def hold_lock(name: str) -> object:
    """One run at a time: two would time each other and share the work copy."""
    OUT.mkdir(parents=True, exist_ok=True)
    handle = (OUT / name).open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SystemExit(f"another bench_gui.py run is in progress ({OUT / name})") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}, started {time.strftime('%H:%M:%S')}")
    handle.flush()
    return handle


def other_benchmark_running() -> str | None:
    """The lock file of another benchmark that is running (bench_core.py, say), if any.

    This only looks: it takes each `bench_*.lock` for a moment and lets it go."""
    for path in sorted(OUT.glob("bench_*.lock")):
        if path.name == "bench_gui.lock":
            continue
        with path.open("a+") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return path.name
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return None


def profiled(name: str, action: Callable[[], Any]) -> tuple[Any, list[dict[str, Any]]]:
    """Run `action` under cProfile (this thread only); save the profile, return the top calls."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        value = action()
    finally:
        profiler.disable()
    target = OUT / f"profile-gui-{name}.prof"
    profiler.dump_stats(target)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(25)
    print(f"\nProfile {name} ({target}), by cumulative time:", file=sys.stderr)
    print(text.getvalue(), file=sys.stderr)
    return value, top_calls(stats)


def top_calls(stats: pstats.Stats, count: int = 12) -> list[dict[str, Any]]:
    """The functions with the most time of their own, and their cumulative time."""
    rows = []
    idle = ("QEventLoop' objects", "waitForDone")  # the GUI thread waiting for events, not working
    for (path, line, name), (_cc, calls, own, cumulative, _callers) in stats.stats.items():
        if any(marker in name for marker in idle):
            continue  # type: ignore[attr-defined]
        short = path.replace(str(ROOT) + "/", "").replace(sys.prefix, "<venv>")
        rows.append(
            {
                "function": f"{short}:{line}({name})",
                "calls": calls,
                "own_ms": round(own * 1000, 1),
                "cumulative_ms": round(cumulative * 1000, 1),
            }
        )
    rows.sort(key=lambda r: -r["own_ms"])
    return rows[:count]


# --------------------------------------------------------------------------- preparing


def ensure_corpus(folder: Path, count: int, seed: int) -> dict[str, Any]:
    """A generated corpus (gen_corpus.py), made again unless the cached one matches."""
    sys.path.insert(0, str(BENCH))
    import gen_corpus

    manifest = folder / "manifest.json"
    if manifest.exists():
        data = json.loads(manifest.read_text("utf-8"))
        wanted = {
            "count": count,
            "seed": seed,
            "generator_sha256": gen_corpus.generator_fingerprint(),
        }
        if all(data.get(k) == v for k, v in wanted.items()):
            return {"generated": False, "seconds": 0.0}
    started = now()
    gen_corpus.generate(folder, count, seed=seed, jobs=min(2, os.cpu_count() or 1), quiet=True)
    return {"generated": True, "seconds": round(now() - started, 2)}


def prepare(plan: Plan) -> dict[str, Any]:
    """Make sure the pristine archive (index current) and the fresh corpus exist.

    Runs in a process of its own, so that the GUI process's memory is its own.
    """
    from archive_app.core.archive import Archive

    done: dict[str, Any] = {}
    if not (plan.pristine / "archive.json").exists():
        shutil.rmtree(plan.pristine, ignore_errors=True)
        if plan.source is not None and (plan.source / "archive.json").exists():
            started = now()
            shutil.copytree(plan.source, plan.pristine, ignore=shutil.ignore_patterns("write.lock"))
            done["copied_from"] = str(plan.source)
            done["copy_s"] = round(now() - started, 1)
        else:
            done["corpus"] = ensure_corpus(plan.corpus, plan.count, seed=1)
            started = now()
            with Archive.open(plan.pristine, create=True) as archive:
                report = archive.import_paths([plan.corpus / "articles"])
            done["built_by_import_s"] = round(now() - started, 1)
            done["built_articles"] = len(report.imported)
            print(
                f"Built {plan.pristine} from {plan.corpus}: {len(report.imported)} articles "
                f"in {done['built_by_import_s']} s",
                file=sys.stderr,
            )
    # The first open after a schema change rebuilds the index (about a minute at 10,000).
    started = now()
    with Archive.open(plan.pristine, create=False) as archive:
        done["articles"] = archive.article_count()
    done["open_s"] = round(now() - started, 1)
    done["fresh"] = ensure_corpus(plan.fresh, plan.fresh_count, seed=FRESH_SEED)
    return done


def run_prepare(plan: Plan) -> dict[str, Any]:
    print(f"Preparing {plan.pristine} and {plan.fresh} ...", file=sys.stderr)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--prepare",
        plan.name,
        "--count",
        str(plan.count),
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    sys.stderr.write(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def make_work_copy(plan: Plan) -> float:
    started = now()
    shutil.rmtree(plan.work, ignore_errors=True)
    shutil.copytree(plan.pristine, plan.work, ignore=shutil.ignore_patterns("write.lock"))
    return round(now() - started, 1)


# --------------------------------------------------------------------------- Qt recorders
# Defined in functions so that importing this module (the import's spawned helpers
# do) never imports Qt.


def qt_tools() -> dict[str, Any]:
    """The Qt-side recorders, built on first use."""
    from PySide6.QtCore import QEvent, QEventLoop, QModelIndex, QObject, QPoint, Qt, QTimer

    class Pump:
        """Runs the event loop until a condition holds; recorders call `notify`."""

        def __init__(self) -> None:
            self._loop: QEventLoop | None = None
            self._cond: Callable[[], bool] = lambda: False
            # A slow poll for conditions no recorder announces.
            self._poll = QTimer()
            self._poll.setInterval(25)
            self._poll.timeout.connect(self.notify)

        def notify(self, *_args: object) -> None:
            if self._loop is not None and self._cond():
                self._loop.quit()

        def until(self, cond: Callable[[], bool], timeout_s: float) -> bool:
            if cond():
                return True
            loop = QEventLoop()
            deadline = QTimer()
            deadline.setSingleShot(True)
            deadline.timeout.connect(loop.quit)
            outer = (self._loop, self._cond)
            self._loop, self._cond = loop, cond
            deadline.start(max(1, int(timeout_s * 1000)))
            self._poll.start()
            try:
                loop.exec()
            finally:
                deadline.stop()
                self._loop, self._cond = outer
                if self._loop is None:
                    self._poll.stop()
            return cond()

        def wait(self, seconds: float) -> None:
            self.until(lambda: False, seconds)

    class FrameWatch(QObject):
        """When painting finishes: a widget's Paint event queues a zero-delay timer, which
        fires once the repaint manager has painted (and flushed) that whole frame."""

        def __init__(self, notify: Callable[[], None]) -> None:
            super().__init__()
            self._notify = notify
            self._pending = False
            self.paint_events: list[float] = []  # when a frame's first Paint event came
            self.frames: list[float] = []  # when that frame was done

        def watch(self, widget: QObject) -> None:
            widget.installEventFilter(self)

        def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and not self._pending:
                self._pending = True
                self.paint_events.append(now())
                QTimer.singleShot(0, self._done)
            return False

        def _done(self) -> None:
            self._pending = False
            self.frames.append(now())
            self._notify()

        def frame_after(self, moment: float) -> float | None:
            """When the first frame that began painting at or after `moment` was done.

            A frame that began earlier cannot show a change made at `moment`, even
            if it finished later (its zero timer still queued)."""
            at = bisect.bisect_left(self.paint_events, moment)
            return self.frames[at] if at < len(self.frames) else None

    class ResultsWatch(QObject):
        """What the results list does: resets, row batches arriving, frames painted."""

        def __init__(self, window: Any, notify: Callable[[], None]) -> None:
            super().__init__()
            self.window = window
            self.view = window.library.results
            self.model = self.view.model
            self.notify = notify
            self.frames = FrameWatch(notify)
            self.frames.watch(self.view.list.viewport())
            self.frames.watch(self.view.empty_page)
            self.resets: list[tuple[float, Any]] = []  # (when, the ResultIds shown)
            self.batch_loaded: dict[int, float] = {}  # batch -> when it first arrived
            self.rows_ready: float | None = None  # the visible rows all loaded
            self.model.modelReset.connect(self._reset)
            self.model.rows_loaded.connect(self._rows)

        def arm(self) -> None:
            """A new measurement starts: forget the resets so far. The batches loaded stay
            known until the next reset (they are what the list shows)."""
            self.resets.clear()
            self.rows_ready = None

        def _reset(self) -> None:
            self.batch_loaded.clear()
            self.rows_ready = None
            self.resets.append((now(), self.window.result_ids))
            if self.model.rowCount() == 0:
                self.rows_ready = self.resets[-1][0]
            self.notify()

        def _rows(self, start: int, _last: int) -> None:
            moment = now()
            self.batch_loaded.setdefault(start // self.model.batch_size, moment)
            if self.rows_ready is None and self.visible_loaded():
                self.rows_ready = moment
            self.notify()

        def visible_rows(self) -> tuple[int, int] | None:
            """The first and last row in the viewport; None when there are no rows, and
            (-1, -1) while the list has not laid them out yet."""
            view = self.view.list
            count = self.model.rowCount()
            if count == 0:
                return None
            top = view.indexAt(QPoint(2, 2))
            if not top.isValid():
                return -1, -1
            bottom = view.indexAt(QPoint(2, view.viewport().height() - 2))
            return top.row(), bottom.row() if bottom.isValid() else count - 1

        def visible_loaded(self) -> bool:
            rows = self.visible_rows()
            if rows is None:
                return True
            first, last = rows
            return first >= 0 and all(self.model.hit(r) is not None for r in range(first, last + 1))

        def reset_for(self, query: str, after: float) -> tuple[float, Any] | None:
            for moment, result in self.resets:
                if moment >= after and result is not None and result.request.query == query:
                    return moment, result
            return None

    class TickProbe(QObject):
        """A precise 10 ms timer on the GUI thread: the gaps between its ticks are stalls.

        Each tick also notes the GUI thread's CPU time: a long gap with little CPU
        time is the thread waiting (for the interpreter lock), not working."""

        def __init__(self, interval_ms: int = PROBE_INTERVAL_MS) -> None:
            super().__init__()
            self.ticks: list[tuple[float, float]] = []
            self._timer = QTimer(self)
            self._timer.setTimerType(Qt.TimerType.PreciseTimer)
            self._timer.setInterval(interval_ms)
            self._timer.timeout.connect(self._tick)

        def start(self) -> None:
            self.ticks.clear()
            self._timer.start()

        def stop(self) -> None:
            self._timer.stop()

        def _tick(self) -> None:
            self.ticks.append((now(), time.thread_time()))

    return {
        "Pump": Pump,
        "FrameWatch": FrameWatch,
        "ResultsWatch": ResultsWatch,
        "TickProbe": TickProbe,
        "QModelIndex": QModelIndex,
    }


@contextlib.contextmanager
def gui_window(archive: Path, settings_dir: Path) -> Iterator[tuple[Any, Any, Any]]:
    """The app's window over `archive`, set up as app.run sets it up; closed at the end."""
    from PySide6.QtCore import QSettings

    from archive_app.core.locations import sample_dir
    from archive_app.gui.app import make_application
    from archive_app.gui.main_window import ArchiveChoice, MainWindow, Places
    from archive_app.gui.settings import Settings
    from archive_app.gui.tasks import TaskRunner

    app = make_application(["archive-app"])
    ini = QSettings(str(settings_dir / "settings.ini"), QSettings.Format.IniFormat)
    settings = Settings(ini)
    tasks = TaskRunner()
    places = Places(settings_dir / "default-archive", settings_dir / "demo-archive", sample_dir())
    window = MainWindow(settings, tasks, places)
    try:
        yield app, window, lambda: window.open_initial_archive(ArchiveChoice(archive))
    finally:
        window.close()  # saves the layout, stops the tasks, closes the archive
        app.processEvents()


def message_boxes(app: Any) -> list[str]:
    """Error boxes the app showed (it shows them instead of raising)."""
    from PySide6.QtWidgets import QMessageBox

    return [
        f"{w.windowTitle()}: {w.text()}"
        for w in app.topLevelWidgets()
        if isinstance(w, QMessageBox) and w.isVisible()
    ]


# --------------------------------------------------------------------------- 1. start-up


def startup_child(archive: Path) -> dict[str, Any]:
    """In a new process: window, show, open the archive; when was it painted, and usable?"""
    marks: dict[str, float] = {"process_started": PROCESS_STARTED}
    # What `archive-app` imports before its window: the command line first.
    import archive_app.cli
    import archive_app.gui.app
    import archive_app.gui.main_window  # noqa: F401

    tools = qt_tools()
    marks["imported"] = now()  # the app's modules and Qt: what follows is building
    with (
        tempfile.TemporaryDirectory(prefix="bench-gui-settings-") as folder,
        gui_window(archive, Path(folder)) as (app, window, open_archive),
    ):
        marks["window_made"] = now()
        pump = tools["Pump"]()
        frames = tools["FrameWatch"](pump.notify)
        frames.watch(window)
        watch: list[Any] = []

        def library_shown(_index: int) -> None:
            library = window.library
            if not watch and library is not None and window.pages.currentWidget() is library:
                marks["library_shown"] = now()
                watch.append(tools["ResultsWatch"](window, pump.notify))

        window.pages.currentChanged.connect(library_shown)
        window.show()
        marks["shown"] = now()
        open_archive()
        marks["open_started"] = now()

        def usable() -> bool:
            if not watch or watch[0].rows_ready is None or not watch[0].resets:
                return False
            return watch[0].frames.frame_after(watch[0].rows_ready) is not None

        ok = pump.until(usable, 180)
        if frames.frames:
            marks["first_paint_event"] = frames.paint_events[0]
            marks["first_frame"] = frames.frames[0]
        if ok:
            results = watch[0]
            marks["results_shown"] = results.resets[0][0]
            marks["rows_loaded"] = results.rows_ready
            marks["usable"] = results.frames.frame_after(results.rows_ready)
            total = results.resets[0][1].total
        else:
            total = -1
        errors = message_boxes(app)
    return {"marks": marks, "total": total, "ok": ok, "errors": errors}


def measure_startup(plan: Plan) -> dict[str, Any]:
    runs = []
    for number in range(plan.startup_runs):
        command = [sys.executable, str(Path(__file__).resolve()), "--startup-child", str(plan.work)]
        spawned = now()
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        ended = now()
        if done.returncode != 0:
            raise RuntimeError(f"start-up run failed:\n{done.stderr}")
        data = json.loads(done.stdout.strip().splitlines()[-1])
        marks = data["marks"]
        started = marks["process_started"]
        run = {
            "ok": data["ok"],
            "total": data["total"],
            "errors": data["errors"],
            "interpreter_to_first_line_ms": ms(started - spawned),
            "process_s": round(ended - spawned, 2),
        }
        for key in (
            "imported",
            "window_made",
            "shown",
            "first_paint_event",
            "first_frame",
            "library_shown",
            "results_shown",
            "rows_loaded",
            "usable",
        ):
            if key in marks:
                run[f"{key}_ms"] = ms(marks[key] - spawned)
        runs.append(run)
        print(
            f"  start-up {number + 1}/{plan.startup_runs}: first frame "
            f"{run.get('first_frame_ms')} ms, usable {run.get('usable_ms')} ms",
            file=sys.stderr,
        )

    def summary(key: str) -> dict[str, float]:
        values = [r[key] for r in runs if key in r]
        if not values:
            return {}
        return {"median_ms": round(statistics.median(values), 1), "max_ms": max(values)}

    return {
        "runs": runs,
        "first_frame": summary("first_frame_ms"),
        "first_paint_event": summary("first_paint_event_ms"),
        "results_shown": summary("results_shown_ms"),
        "usable": summary("usable_ms"),
        "imported": summary("imported_ms"),
        "window_made": summary("window_made_ms"),
    }


# --------------------------------------------------------------------------- the GUI session


@dataclass
class Session:
    """The window under test in this process, and the recorders watching it."""

    app: Any
    window: Any
    tools: dict[str, Any]
    pump: Any
    results: Any = None
    emitted: list[tuple[float, str]] = field(default_factory=list)

    def settle(self, seconds: float = 0.15) -> None:
        """Let background work finish and its answers be shown."""
        self.window.tasks.wait(30_000)
        self.pump.wait(seconds)

    def prepare_query(self, query: TypedQuery) -> None:
        """All but the last character in the field, filters set, nothing searched."""
        from archive_app.gui.filters import Filters

        self.window.library.sidebar.set_filters(Filters(topics=query.topics, tags=query.tags))
        self.window.search_bar.set_query(query.text[:-1], search=False)

    def type_last(self, query: TypedQuery) -> float:
        from PySide6.QtTest import QTest

        pressed = now()
        QTest.keyClicks(self.window.search_bar.field, query.text[-1])
        return pressed

    def show_query(self, query: TypedQuery, timeout_s: float = 60) -> None:
        """Search at once (no measurement) and wait until the visible rows are loaded.

        The same ids as before in the same order (the empty query by relevance and
        by date, say) refresh the rows without a model reset, so this waits for the
        window's result set rather than for a reset."""
        from archive_app.gui.filters import Filters

        window = self.window
        window.library.sidebar.set_filters(Filters(topics=query.topics, tags=query.tags))
        before = window.result_ids
        window.search_bar.set_query(query.text, search=True)
        shown = self.pump.until(
            lambda: (
                window.result_ids is not before
                and window.result_ids.request.query == query.text.strip()
            ),
            timeout_s,
        )
        if not shown or not self.pump.until(self.results.visible_loaded, timeout_s):
            raise RuntimeError(f"the results of {query.text!r} were not shown in {timeout_s} s")
        self.settle(0.1)


def open_session(app: Any, window: Any, open_archive: Callable[[], None]) -> Session:
    tools = qt_tools()
    pump = tools["Pump"]()
    session = Session(app, window, tools, pump)
    window.search_bar.query_changed.connect(lambda q: session.emitted.append((now(), q)))
    window.show()
    started = now()
    open_archive()
    if not pump.until(lambda: window.library is not None and window.result_ids is not None, 300):
        raise RuntimeError(f"the archive did not open: {message_boxes(app)}")
    session.results = tools["ResultsWatch"](window, pump.notify)
    pump.until(lambda: session.results.visible_loaded(), 30)
    session.settle(0.3)
    print(f"  window open with the archive in {now() - started:.1f} s", file=sys.stderr)
    return session


# --------------------------------------------------------------------------- 2. keystrokes


def keystroke_sample(session: Session, query: TypedQuery) -> dict[str, Any]:
    """Type the query's last character; time until its results' visible rows are painted."""
    results = session.results
    session.prepare_query(query)
    session.settle(0.1)
    results.arm()
    session.emitted.clear()
    expected = query.text.strip()
    pressed = session.type_last(query)

    def painted() -> bool:
        if results.reset_for(expected, pressed) is None or results.rows_ready is None:
            return False
        return results.frames.frame_after(results.rows_ready) is not None

    if not session.pump.until(painted, 30):
        raise RuntimeError(f"no results painted for {query.text!r} within 30 s")
    emitted = next(t for t, q in session.emitted if q == expected)
    shown, result = results.reset_for(expected, pressed)
    rows = results.rows_ready
    frame = results.frames.frame_after(rows)
    return {
        "query": query.text,
        "total": result.total,
        "key_to_painted_ms": ms(frame - pressed),
        "after_debounce_ms": ms(frame - emitted),
        "debounce_ms": ms(emitted - pressed),
        "search_and_show_ms": ms(shown - emitted),  # search_ids in a task, then set_results
        "rows_ms": ms(rows - shown),  # the visible rows' batch loaded
        "paint_ms": ms(frame - rows),
    }


def measure_keystrokes(session: Session, plan: Plan) -> dict[str, Any]:
    classes = []
    every_total, every_after = [], []
    for name, first, second in QUERY_CLASSES:
        samples = []
        # Show the other query first, so the first sample is not a repeat of what is shown.
        session.show_query(second)
        for number in range(plan.keystroke_repeats):
            query = first if number % 2 == 0 else second
            samples.append(keystroke_sample(session, query))
        totals = [s["key_to_painted_ms"] for s in samples]
        after = [s["after_debounce_ms"] for s in samples]
        every_total += totals
        every_after += after
        parts = {
            key: round(statistics.median(s[key] for s in samples), 1)
            for key in ("debounce_ms", "search_and_show_ms", "rows_ms", "paint_ms")
        }
        entry = {
            "class": name,
            "queries": [first.label(), second.label()],
            "hits": sorted({s["total"] for s in samples}),
            "including_debounce": spread(totals),
            "after_debounce": spread(after),
            "median_parts": parts,
            "samples": samples,
        }
        classes.append(entry)
        print(
            f"  {name}: after the debounce p50 {entry['after_debounce']['p50_ms']} ms, "
            f"max {entry['after_debounce']['max_ms']} ms; hits {entry['hits']}",
            file=sys.stderr,
        )
    return {
        "repeats_per_class": plan.keystroke_repeats,
        "including_debounce": spread(every_total),
        "after_debounce": spread(every_after),
        "classes": classes,
    }


def profile_keystrokes(session: Session, keystrokes: dict[str, Any]) -> dict[str, Any]:
    """The slowest class again: the core calls behind it, then the GUI thread while typed."""
    from archive_app.core.models import SearchRequest

    worst = max(keystrokes["classes"], key=lambda c: c["after_debounce"]["p95_ms"])
    pair = next(c for c in QUERY_CLASSES if c[0] == worst["class"])
    queries = [pair[1], pair[2]]
    archive = session.window.archive
    sort = session.window.library.results.sort()
    session.settle()

    def core_calls() -> None:
        for _ in range(3):
            for q in queries:
                request = SearchRequest(query=q.text, topics=q.topics, tags=q.tags, sort=sort)
                ids = archive.search_ids(request).ids
                archive.hits(ids[:25], q.text)

    _, core_top = profiled("search-core", core_calls)
    session.show_query(queries[1])

    def typed() -> None:
        for number in range(4):
            keystroke_sample(session, queries[number % 2])

    _, gui_top = profiled("keystroke-gui-thread", typed)
    return {"class": worst["class"], "core": core_top, "gui_thread": gui_top}


# --------------------------------------------------------------------------- 4. scrolling


def measure_scrolling(session: Session, timeout_s: float = 600) -> dict[str, Any]:
    """Every article, newest first, a page at a time from the top to the bottom.

    Each step moves the scroll bar by a page and waits for the frame that paints
    it (rows at the end are added by the view's own fetchMore). A step's rows
    count as loaded when every batch they belong to has arrived; rows loaded
    before the step count from its frame."""
    from archive_app.gui.filters import Filters

    window = session.window
    view = window.library.results
    window.library.sidebar.set_filters(Filters())
    view.set_sort("newest")
    session.show_query(TypedQuery(""))
    session.settle(0.3)
    results = session.results
    model, listing = results.model, view.list
    bar = listing.verticalScrollBar()
    root = session.tools["QModelIndex"]()
    total = model.total
    results.arm()
    steps: list[dict[str, Any]] = []
    collections = CollectionLog()
    started = now()
    frames = results.frames

    def at_the_end() -> bool:
        # The list lays its rows out in batches: the range may still be growing.
        if bar.value() < bar.maximum() or model.canFetchMore(root):
            return False
        reached = bar.maximum()
        return not session.pump.until(lambda: bar.maximum() > reached, 1.0)

    collections.start()
    while now() - started < timeout_s:
        if at_the_end():
            break
        before = bar.value()
        stepped = now()
        bar.setValue(min(before + bar.pageStep(), bar.maximum()))
        if bar.value() == before:
            if not model.canFetchMore(root):
                continue  # the range grew since: step again
            # At the bottom already: the view fetches more only when the value changes.
            model.fetchMore(root)
        painted = session.pump.until(lambda t=stepped: frames.frame_after(t) is not None, 5)
        frame = frames.frame_after(stepped) if painted else None
        rows = results.visible_rows()
        steps.append(
            {
                "at": stepped,
                "frame": frame,
                "rows": rows,
                "shown_rows": model.rowCount(),
            }
        )
    scrolled = now()
    collections.stop()
    batch = model.batch_size
    # (-1, -1): painted before the list had laid out the rows under the viewport.
    not_laid_out = sum(1 for s in steps if s["rows"] and s["rows"][0] < 0)
    visited = {
        b
        for s in steps
        if s["rows"] and s["rows"][0] >= 0
        for b in range(s["rows"][0] // batch, s["rows"][1] // batch + 1)
    }
    all_loaded = session.pump.until(lambda: visited <= set(results.batch_loaded), 120)
    frame_ms = [ms(s["frame"] - s["at"]) for s in steps if s["frame"] is not None]
    loaded_ms = []
    late = 0
    for s in steps:
        if s["frame"] is None or not s["rows"] or s["rows"][0] < 0:
            continue
        arrivals = [
            results.batch_loaded.get(b)
            for b in range(s["rows"][0] // batch, s["rows"][1] // batch + 1)
        ]
        if any(a is None for a in arrivals):
            late += 1
            continue
        # Rows loaded before this step were shown loaded in its frame.
        ready = max([s["frame"], *[a for a in arrivals if a is not None]])
        loaded_ms.append(ms(ready - s["at"]))
    last_row = max((s["rows"][1] for s in steps if s["rows"]), default=-1)
    last_arrival = max(results.batch_loaded.values(), default=started)
    within = sum(1 for v in loaded_ms if v <= ROWS_LOADED_WITHIN_MS)
    view.set_sort("relevance")
    return {
        "hits": total,
        "steps": len(steps),
        "missed_frames": sum(1 for s in steps if s["frame"] is None),
        "last_row_reached": last_row,
        "page_step_px": bar.pageStep(),
        "total_s": round(scrolled - started, 2),
        "frame": spread(frame_ms),
        "rows_loaded_after_step": spread(loaded_ms),
        "steps_loaded_within_ms": ROWS_LOADED_WITHIN_MS,
        "steps_loaded_within": within,
        "steps_never_loaded": late,
        "steps_painted_before_layout": not_laid_out,
        "every_visited_row_loaded": all_loaded,
        "all_rows_loaded_s": round(last_arrival - started, 2),
        "batches_visited": len(visited),
        "slowest_frames": slowest_steps(steps, collections),
    }


def slowest_steps(steps: list[dict[str, Any]], collections: CollectionLog) -> list[dict]:
    """The three slowest frames: which step, and the full collections that ran inside them."""
    timed = [(ms(s["frame"] - s["at"]), n, s) for n, s in enumerate(steps) if s["frame"]]
    return [
        {
            "step": n,
            "frame_ms": round(frame, 1),
            "full_collections_ms": collections.within(s["at"], s["frame"]),
        }
        for frame, n, s in sorted(timed, key=lambda t: t[0], reverse=True)[:3]
    ]


class CollectionLog:
    """Full (generation 2) garbage collections: when each ran and for how long."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []
        self._began = 0.0

    def _note(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._began = now()
        else:
            self.spans.append((self._began, now()))

    def start(self) -> None:
        gc.callbacks.append(self._note)

    def stop(self) -> None:
        if self._note in gc.callbacks:
            gc.callbacks.remove(self._note)

    def within(self, start: float, end: float) -> list[float]:
        return [round(ms(b - a), 1) for a, b in self.spans if a >= start and b <= end]


# --------------------------------------------------------------------------- 3. import stalls


def measure_import(session: Session, plan: Plan, profile: bool) -> dict[str, Any]:
    """Import the fresh articles while a 10 ms probe ticks and a search is typed every 500 ms."""
    from PySide6.QtCore import QTimer

    window, results = session.window, session.results
    session.show_query(TypedQuery(TYPED_DURING_IMPORT[-1]))
    session.settle(0.3)
    probe = session.tools["TickProbe"]()
    finished: list[tuple[float, Any]] = []
    failed: list[str] = []
    progress: list[tuple[float, int, int]] = []
    importer = window.importer
    importer.finished.connect(lambda report: finished.append((now(), report)))
    importer.failed.connect(lambda message: failed.append(message))
    importer.progress.connect(lambda done, total, _t: progress.append((now(), done, total)))
    typed: list[tuple[float, str]] = []

    def type_one() -> None:
        query = TypedQuery(TYPED_DURING_IMPORT[len(typed) % len(TYPED_DURING_IMPORT)])
        session.prepare_query(query)
        typed.append((session.type_last(query), query.text))

    typing = QTimer()
    typing.setInterval(TYPING_INTERVAL_MS)
    typing.timeout.connect(type_one)
    results.arm()
    probe.start()
    typing.start()
    started = now()

    def run() -> None:
        window.import_paths([plan.fresh / "articles"])
        session.pump.until(lambda: bool(finished or failed), 1800)

    top: list[dict[str, Any]] = []
    if profile:
        _, top = profiled("import-gui-thread", run)
    else:
        run()
    ended = finished[0][0] if finished else now()
    typing.stop()
    # The window refreshes tags and searches again once the import is done.
    session.pump.wait(2.0)
    probe.stop()
    if failed or not finished:
        raise RuntimeError(f"the import failed: {failed or 'no answer in 30 minutes'}")
    report = finished[0][1]
    during = [t for t in probe.ticks if started <= t[0] <= ended]
    after = [t for t in probe.ticks if t[0] > ended]
    # A search typed before the last one was shown replaces it (its answer is dropped):
    # only answers that came before the next key count.
    answered = []
    for (pressed, text), (following, _next) in zip(
        typed, [*typed[1:], (float("inf"), "")], strict=True
    ):
        shown = results.reset_for(text, pressed)
        if shown is not None and shown[0] < following:
            answered.append(ms(shown[0] - pressed))
    # While typing every 500 ms, the longest time the list went without a new answer.
    answers = [started] + [m for m, _r in results.resets if started <= m <= ended] + [ended]
    silent = max(b - a for a, b in itertools.pairwise(answers))
    seconds = ended - started
    return {
        "files": plan.fresh_count,
        "imported": len(report.imported),
        "duplicates": len(report.duplicates),
        "failed": len(report.failed),
        "seconds": round(seconds, 2),
        "articles_per_s": round(len(report.imported) / seconds, 1) if seconds else 0.0,
        "during": gap_summary(during, started, progress),
        "after_import_2s": gap_summary(after, ended, progress),
        "searches_typed": len(typed),
        "searches_shown": len(answered),
        "key_to_count_shown": spread(answered),
        "longest_without_an_answer_s": round(silent, 2),
        "profiled": profile,
        "gui_thread_profile": top,
    }


def gap_summary(
    ticks: list[tuple[float, float]], origin: float, progress: list[tuple[float, int, int]]
) -> dict[str, Any]:
    """The gaps between probe ticks: the longest, p99, how many over the target, and
    for the longest few, when they happened, how far the import was, and how much of
    the gap the GUI thread spent on the CPU."""
    if len(ticks) < 2:
        return {"ticks": len(ticks)}
    gaps = []
    for (t0, c0), (t1, c1) in itertools.pairwise(ticks):
        gaps.append((t1 - t0, t0, c1 - c0))
    values = [ms(g) for g, _, _ in gaps]
    worst = sorted(gaps, reverse=True)[:8]

    def done_at(moment: float) -> int:
        done = [d for t, d, _total in progress if t <= moment]
        return done[-1] if done else 0

    over = [g for g in gaps if g[0] * 1000 > TARGET_STALL_MS]
    return {
        "ticks": len(ticks),
        "longest_ms": max(values),
        "p50_ms": round(percentile(values, 50), 1),
        "p99_ms": round(percentile(values, 99), 1),
        "over_50ms": len(over),
        "time_in_gaps_over_50ms_s": round(sum(g for g, _, _ in over), 2),
        "gui_cpu_share_in_gaps_over_50ms": (
            round(sum(c for _, _, c in over) / sum(g for g, _, _ in over), 2) if over else None
        ),
        "longest": [
            {
                "gap_ms": ms(g),
                "at_s": round(t - origin, 2),
                "imported_so_far": done_at(t),
                "gui_cpu_ms": ms(c),
            }
            for g, t, c in worst
        ],
    }


# --------------------------------------------------------------------------- report


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def markdown_report(data: dict[str, Any]) -> str:
    start, keys = data["startup"], data["keystrokes"]
    scroll, imp, rss = data["scrolling"], data["import"], data["memory"]
    first = start["first_frame"]
    usable = start["usable"]
    after = keys["after_debounce"]
    including = keys["including_debounce"]
    during = imp["during"]
    rows = [
        (
            f"Start to first paint ({len(start['runs'])} runs)",
            f"median **{first['median_ms'] / 1000:.2f} s**, max {first['max_ms'] / 1000:.2f} s",
            f"< {TARGET_FIRST_PAINT_S} s: {verdict(first['max_ms'] / 1000 < TARGET_FIRST_PAINT_S)}",
        ),
        (
            "Start to usable (results shown, visible rows loaded and painted)",
            f"median {usable['median_ms'] / 1000:.2f} s, max {usable['max_ms'] / 1000:.2f} s "
            f"(results count shown at {start['results_shown']['median_ms'] / 1000:.2f} s)",
            "",
        ),
        (
            f"Keystroke to results painted, after the debounce ({after['samples']} samples)",
            f"p50 {after['p50_ms']:.0f} / **p95 {after['p95_ms']:.0f}** / "
            f"max {after['max_ms']:.0f} ms",
            f"p95 < {TARGET_RESULTS_P95_MS:.0f} ms: "
            f"{verdict(after['p95_ms'] < TARGET_RESULTS_P95_MS)}",
        ),
        (
            "Keystroke to results painted, including the 200 ms debounce",
            f"p50 {including['p50_ms']:.0f} / p95 {including['p95_ms']:.0f} / "
            f"max {including['max_ms']:.0f} ms",
            "",
        ),
        (
            f"GUI stalls while importing {imp['imported']:,} articles",
            f"longest **{during['longest_ms']:.0f} ms**, p99 {during['p99_ms']:.0f} ms, "
            f"{during['over_50ms']} gaps > 50 ms ({during['time_in_gaps_over_50ms_s']} s in all)",
            f"no stall > {TARGET_STALL_MS:.0f} ms: {verdict(during['over_50ms'] == 0)}",
        ),
        (
            "Import rate in the app (searching meanwhile)",
            f"{imp['imported']:,} in {imp['seconds']:.1f} s = {imp['articles_per_s']:.0f} "
            f"articles/s; {imp['searches_shown']} of {imp['searches_typed']} typed searches "
            f"answered before the next key, key to count p50 "
            f"{imp['key_to_count_shown'].get('p50_ms', '-')} / max "
            f"{imp['key_to_count_shown'].get('max_ms', '-')} ms; longest wait for any "
            f"answer {imp['longest_without_an_answer_s']:.1f} s",
            "",
        ),
        (
            f"Scrolling {scroll['hits']:,} hits, newest first, a page per step",
            f"{scroll['steps']} steps in {scroll['total_s']:.1f} s; frame p50 "
            f"{scroll['frame'].get('p50_ms', '-')} / p95 {scroll['frame'].get('p95_ms', '-')}"
            f" / max {scroll['frame'].get('max_ms', '-')} ms",
            "",
        ),
        (
            "Scrolling: rows shown loaded after a step",
            f"p50 {scroll['rows_loaded_after_step'].get('p50_ms', '-')} / p95 "
            f"{scroll['rows_loaded_after_step'].get('p95_ms', '-')} ms; "
            f"{scroll['steps_loaded_within']} of {scroll['steps']} steps within "
            f"{scroll['steps_loaded_within_ms']:.0f} ms; every visited row loaded "
            f"{scroll['all_rows_loaded_s']:.1f} s after the start",
            "",
        ),
        (
            "Peak RSS of the GUI process",
            f"{rss['peak_rss_mb']:.0f} MB at the end (peak after opening "
            f"{rss['peak_by_phase']['after_open_mb']:.0f}, typing "
            f"{rss['peak_by_phase']['after_keystrokes_mb']:.0f}, scrolling "
            f"{rss['peak_by_phase']['after_scrolling_mb']:.0f} MB; resident now "
            f"{rss['rss_mb']:.0f} MB)",
            "",
        ),
    ]
    lines = ["| Measure | Result | Target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += [
        "",
        "Keystroke to results by query class (ms, after the debounce; median parts: "
        "search and show / rows loaded / paint):",
        "",
        "| Class | Queries | Hits | p50 | p95 | max | Parts |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in keys["classes"]:
        a, p = c["after_debounce"], c["median_parts"]
        lines.append(
            f"| {c['class']} | {' / '.join(c['queries'])} | "
            f"{' / '.join(f'{h:,}' for h in c['hits'])} | {a['p50_ms']:.0f} | "
            f"{a['p95_ms']:.0f} | {a['max_ms']:.0f} | {p['search_and_show_ms']:.0f} / "
            f"{p['rows_ms']:.0f} / {p['paint_ms']:.0f} |"
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def run_session(plan: Plan, profile: bool) -> dict[str, Any]:
    """Keystrokes, scrolling and the import in this process's window, in that order
    (the import last: it changes the archive)."""
    data: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="bench-gui-settings-") as folder,
        gui_window(plan.work, Path(folder)) as (app, window, open_archive),
    ):
        session = open_session(app, window, open_archive)
        # Peak resident memory after each phase: which one raised it.
        peaks = {"after_open_mb": round(peak_rss_mb(), 1)}
        print("Keystroke to results ...", file=sys.stderr)
        data["keystrokes"] = measure_keystrokes(session, plan)
        if profile:
            data["keystroke_profile"] = profile_keystrokes(session, data["keystrokes"])
        peaks["after_keystrokes_mb"] = round(peak_rss_mb(), 1)
        print("Scrolling ...", file=sys.stderr)
        data["scrolling"] = measure_scrolling(session)
        if profile:

            def scroll_again() -> dict[str, Any]:
                return measure_scrolling(session)

            _, data["scroll_profile"] = profiled("scroll-gui-thread", scroll_again)
        peaks["after_scrolling_mb"] = round(peak_rss_mb(), 1)
        print("Importing while searching ...", file=sys.stderr)
        data["import"] = measure_import(session, plan, profile)
        peaks["after_import_mb"] = round(peak_rss_mb(), 1)
        data["errors_shown"] = message_boxes(app)
        data["memory"] = {
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "rss_mb": round(current_rss_mb(), 1),
            "peak_by_phase": peaks,
        }
    return data


def machine() -> dict[str, Any]:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "qt": qVersion(),
        "pyside": pyside_version,
        "qpa": os.environ.get("QT_QPA_PLATFORM", ""),
        "load_average": os.getloadavg(),
    }


def code_state() -> dict[str, Any]:
    sys.path.insert(0, str(BENCH))
    import bench_core

    return bench_core.code_state()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="500 articles, few repeats")
    parser.add_argument("--profile", action="store_true", help="add cProfile passes")
    parser.add_argument("--json", type=Path, help="where to write the figures")
    parser.add_argument(
        "--count",
        type=int,
        default=10000,
        help="the size of the bench_core.py archive to copy (bench/out/archive-COUNT)",
    )
    parser.add_argument("--prepare", choices=("full", "quick"), help=argparse.SUPPRESS)
    parser.add_argument("--startup-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.startup_child:
        print(json.dumps(startup_child(args.startup_child)))
        return 0
    if args.prepare:
        plan = quick_plan() if args.prepare == "quick" else full_plan(args.count)
        print(json.dumps(prepare(plan)))
        return 0

    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        parser.error("run with QT_QPA_PLATFORM=offscreen (the figures are for that platform)")
    lock = hold_lock("bench_gui.lock")  # noqa: F841 (held until the process ends)
    running = other_benchmark_running()
    if running is not None:
        raise SystemExit(f"another benchmark holds {OUT / running}; two at once time each other")
    plan = quick_plan() if args.quick else full_plan(args.count)
    load_at_start = os.getloadavg()
    begun = now()
    prepared = run_prepare(plan)
    prepared["work_copy_s"] = make_work_copy(plan)
    print(f"Start-up: {plan.startup_runs} new processes ...", file=sys.stderr)
    startup = measure_startup(plan)
    session = run_session(plan, args.profile)
    data: dict[str, Any] = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "plan": plan.name,
        "archive": str(plan.work),
        "articles": prepared.get("articles"),
        "machine": machine() | {"load_average_at_start": load_at_start},
        "code": code_state(),
        "prepared": prepared,
        "startup": startup,
        **session,
        "targets": {
            "first_paint_s": TARGET_FIRST_PAINT_S,
            "results_p95_after_debounce_ms": TARGET_RESULTS_P95_MS,
            "stall_ms": TARGET_STALL_MS,
        },
        "seconds": round(now() - begun, 1),
    }
    target = args.json or plan.json
    target.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    print(markdown_report(data))
    if data["errors_shown"]:
        print(f"\nThe app showed errors: {data['errors_shown']}")
    if args.profile:
        print("\nTaken with --profile: the import's stall figures include the profiler.")
    print(f"\nFull results: {target} ({data['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
