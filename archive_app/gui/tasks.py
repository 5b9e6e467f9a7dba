"""The one background-task primitive of the desktop app.

Every call into the archive that can take more than a few milliseconds goes
through `TaskRunner.run`: reads on a small pool, writes on a pool of one thread,
so the archive sees one writer at a time, in the order the person asked.
Results, errors and progress come back on the GUI thread through signals.

A task started with a `key` replaces any earlier task with that key: the older
one is asked to stop and its result is dropped. Typing a query therefore never
shows the results of an older query.

Tests construct `TaskRunner(inline=True)`: tasks run at once in the caller's
thread, callbacks included, so a test reads like a script.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

PROGRESS_INTERVAL = 0.05  # seconds between progress signals: the GUI repaints no faster


class TaskCancelled(Exception):
    """Raised inside a task that noticed it was cancelled; not reported as an error."""


def _no_report(_done: int, _total: int, _text: str) -> None:
    pass


@dataclass
class Job:
    """What a task function receives: where to report progress and how to see a cancel."""

    cancel_event: threading.Event = field(default_factory=threading.Event)
    _report: Callable[[int, int, str], None] = _no_report
    _last: float = 0.0

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def check(self) -> None:
        if self.cancel_event.is_set():
            raise TaskCancelled

    def progress(self, done: int, total: int, text: str = "") -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= PROGRESS_INTERVAL:
            self._last = now
            self._report(done, total, text)


class _Signals(QObject):
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object, str)  # the exception and its formatted traceback
    ended = Signal()


class TaskHandle:
    """A running task: cancel it, or ask whether it is still going."""

    def __init__(self, job: Job, label: str) -> None:
        self.job = job
        self.label = label
        self.done = False
        self.dropped = False  # replaced by a newer task with the same key

    def cancel(self) -> None:
        self.job.cancel_event.set()


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[Job], Any], job: Job, signals: _Signals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn, self._job, self._signals = fn, job, signals

    def run(self) -> None:
        try:
            _execute(self._fn, self._job, self._signals)
        finally:
            # Qt frees the runnable when it likes; the task's objects need not wait for it.
            self._fn = self._job = self._signals = None


def _execute(fn: Callable[[Job], Any], job: Job, signals: _Signals) -> None:
    try:
        result = fn(job)
    except TaskCancelled:
        pass
    except Exception as exc:  # the GUI shows it; the app goes on
        signals.failed.emit(exc, traceback.format_exc())
    else:
        signals.succeeded.emit(result)
    finally:
        signals.ended.emit()


class TaskRunner(QObject):
    """Runs task functions off the GUI thread; see the module docstring."""

    busy_changed = Signal(bool)  # True while a write task runs or waits

    def __init__(self, *, inline: bool = False, readers: int = 2, parent=None) -> None:
        super().__init__(parent)
        self.inline = inline
        self._readers = QThreadPool(self)
        self._readers.setMaxThreadCount(readers)
        self._writer = QThreadPool(self)
        self._writer.setMaxThreadCount(1)  # the archive's one writer
        self._by_key: dict[str, TaskHandle] = {}
        self._live: dict[TaskHandle, _Signals] = {}
        self._writes = 0

    def run(
        self,
        fn: Callable[[Job], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception, str], None] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        on_end: Callable[[], None] | None = None,
        write: bool = False,
        key: str | None = None,
        label: str = "",
    ) -> TaskHandle:
        """Start `fn(job)`; callbacks run on the GUI thread unless the task was replaced."""
        job = Job()
        handle = TaskHandle(job, label)
        if key is not None:
            older = self._by_key.get(key)
            if older is not None and not older.done:
                older.dropped = True
                older.cancel()
            self._by_key[key] = handle
        signals = _Signals()  # created here, so it lives in the GUI thread

        def live(callback):
            def call(*args):
                if not handle.dropped and callback is not None:
                    callback(*args)

            return call

        signals.progressed.connect(live(on_progress))
        signals.succeeded.connect(live(on_done))
        signals.failed.connect(live(on_error) if on_error else live(self._unhandled))
        signals.ended.connect(lambda: self._ended(handle, key, write, on_end))
        job._report = signals.progressed.emit
        self._live[handle] = signals
        if write:
            self._writes += 1
            if self._writes == 1:
                self.busy_changed.emit(True)
        if self.inline:
            _execute(fn, job, signals)
        else:
            pool = self._writer if write else self._readers
            pool.start(_Runnable(fn, job, signals))
        return handle

    def _ended(self, handle: TaskHandle, key: str | None, write: bool, on_end) -> None:
        handle.done = True
        signals = self._live.pop(handle, None)
        # The job refers to its signals and their connections to the job's handle, a
        # cycle through Qt that the garbage collector cannot see: unbroken, every task
        # ever run would stay in memory and lengthen each full collection.
        handle.job._report = _no_report
        if signals is not None:
            signals.deleteLater()
        if key is not None and self._by_key.get(key) is handle:
            del self._by_key[key]
        if write:
            self._writes -= 1
            if self._writes == 0:
                self.busy_changed.emit(False)
        if on_end is not None and not handle.dropped:
            on_end()

    @staticmethod
    def _unhandled(exc: Exception, details: str) -> None:
        # A task without an error handler must still not fail silently.
        import sys

        sys.stderr.write(f"archive-app: background task failed: {exc}\n{details}")

    @property
    def writing(self) -> bool:
        return self._writes > 0

    def cancel_all(self) -> None:
        for handle in list(self._live):
            handle.cancel()

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until every task has finished (for shutdown and tests)."""
        ok = self._readers.waitForDone(timeout_ms)
        return self._writer.waitForDone(timeout_ms) and ok

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        self.cancel_all()
        return self.wait(timeout_ms)
