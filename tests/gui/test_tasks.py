"""The background-task primitive: results on the GUI thread, one writer, latest wins."""

from __future__ import annotations

import threading
import time

import pytest

from archive_app.gui.tasks import TaskCancelled

pytestmark = pytest.mark.gui


def test_inline_runs_at_once_with_progress(tasks):
    seen = []

    def work(job):
        job.progress(1, 2, "a")
        job.progress(2, 2, "b")
        return 42

    tasks.run(work, on_done=seen.append, on_progress=lambda d, t, s: seen.append((d, t, s)))
    assert seen[-1] == 42
    assert (2, 2, "b") in seen


def test_errors_reach_the_error_callback(tasks):
    errors = []
    tasks.run(lambda job: 1 / 0, on_error=lambda exc, details: errors.append((exc, details)))
    assert isinstance(errors[0][0], ZeroDivisionError)
    assert "ZeroDivisionError" in errors[0][1]


def test_results_arrive_on_the_gui_thread(threaded_tasks, qtbot):
    gui_thread = threading.current_thread()
    where = []
    worker = []

    def work(job):
        worker.append(threading.current_thread())
        return "done"

    threaded_tasks.run(work, on_done=lambda r: where.append((r, threading.current_thread())))
    qtbot.waitUntil(lambda: bool(where), timeout=5000)
    assert where == [("done", gui_thread)]
    assert worker[0] is not gui_thread


def test_a_newer_task_with_the_same_key_drops_the_older(threaded_tasks, qtbot):
    results = []
    started = threading.Event()

    def slow(job):
        started.set()
        while not job.cancelled:
            time.sleep(0.005)
        raise TaskCancelled

    first = threaded_tasks.run(slow, on_done=results.append, key="search")
    started.wait(5)
    threaded_tasks.run(lambda job: "second", on_done=results.append, key="search")
    qtbot.waitUntil(lambda: results == ["second"], timeout=5000)
    assert first.dropped and first.job.cancelled


def test_writes_run_one_at_a_time_in_order(threaded_tasks, qtbot):
    order = []
    running = []
    overlap = []

    def write(n):
        def work(job):
            running.append(n)
            if len(running) > 1:
                overlap.append(n)
            time.sleep(0.01)
            order.append(n)
            running.remove(n)

        return work

    for n in range(5):
        threaded_tasks.run(write(n), write=True)
    assert threaded_tasks.wait(5000)
    assert order == [0, 1, 2, 3, 4]
    assert overlap == []
