"""A finished task leaves nothing behind: not its job, not its handle, not its signals."""

from __future__ import annotations

import gc
import weakref

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

pytestmark = pytest.mark.gui


def _finished_jobs_are_freed(qtbot, runner, count: int) -> None:
    jobs: list[weakref.ref] = []
    for number in range(count):
        handle = runner.run(lambda job, n=number: job.progress(1, 1) or n, on_done=lambda _r: None)
        jobs.append(weakref.ref(handle.job))
        del handle
    runner.wait(10_000)

    def freed() -> bool:
        # The signals' queued emissions, then their deferred deletion, then the cycles.
        QCoreApplication.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        gc.collect()
        return all(job() is None for job in jobs)

    qtbot.waitUntil(freed, timeout=5_000)


def test_finished_inline_tasks_are_freed(qtbot, tasks):
    _finished_jobs_are_freed(qtbot, tasks, 20)


def test_finished_threaded_tasks_are_freed(qtbot, threaded_tasks):
    _finished_jobs_are_freed(qtbot, threaded_tasks, 20)
