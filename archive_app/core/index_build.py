"""Building a whole index on two cores: this process and one helper each write segments.

Analysing text and sorting postings is pure Python, so one Whoosh writer uses
one core. Here the documents are read once, in catalog order, and cut into
batches; a batch goes to the helper process when it has room for it and is
written here otherwise, so both processes stay busy without either waiting;
batches still waiting when the reading ends are taken back and written here.
The helper commits its segments into an index of its own inside the new
index's folder; at the end its segment files move beside ours and one commit
lists every segment, in batch order, so document numbers follow the catalog
as they do when one process writes everything.

Nothing here touches the index in use: the caller builds into a fresh folder
and moves it into place only when this returns.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import shutil
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from whoosh import index

from archive_app.core import index_files
from archive_app.core.index import (
    IndexBuildFailed,
    IndexDocument,
    build_batches,
    build_schema,
    commit_listing,
    write_segment,
)

HELPER_FOLDER = "helper"  # inside the folder being built; gone once its segments moved
WAITING = 2  # batches queued for the helper: enough to keep it busy, little memory held
HELPER_POLL_S = 0.5  # how often a waiting build checks that the helper is alive
__all__ = ["IndexBuildFailed", "SegmentHelper", "build_on_two_cores"]


def build_on_two_cores(
    folder: Path,
    docs: Iterable[IndexDocument],
    *,
    total: int,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    batch: int = 1000,
) -> int:
    """Write a new index in `folder` from `docs`, one segment per `batch`; returns the count."""
    folder.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(folder), build_schema())
    helper_folder = folder / HELPER_FOLDER
    context = multiprocessing.get_context("spawn")
    inbox = context.Queue(WAITING)
    outbox = context.Queue()
    helper = context.Process(
        target=_write_in_helper, args=(str(helper_folder), inbox, outbox), daemon=True
    )
    helper.start()
    own: dict[int, str] = {}  # batch number -> the id of the segment written here
    count = batches = 0
    try:
        for documents in build_batches(docs, batch, cancel):
            try:
                inbox.put_nowait((batches, documents))
            except queue.Full:
                own[batches] = write_segment(ix, documents)
            batches += 1
            count += len(documents)
            if progress is not None:
                progress(count, total)
        # Batches the helper has not taken yet are written here: neither process idles
        # while the other finishes.
        with contextlib.suppress(queue.Empty):
            while True:
                number, documents = inbox.get_nowait()
                own[number] = write_segment(ix, documents)
        inbox.put(None)
        theirs = dict(_reply(helper, outbox))  # batch number -> segment id
        if sorted([*own, *theirs]) != list(range(batches)):
            raise IndexBuildFailed(
                f"{batches} batches were sent but {len(own) + len(theirs)} segments written"
            )
        _adopt_helper_segments(ix, folder, helper_folder, own, theirs)
        index_files.record_checksums(ix, folder)
    finally:
        _stop(helper, inbox)
        ix.close()
    if progress is not None:
        progress(count, total)
    return count


def _reply(helper, outbox):
    """The helper's next report; IndexBuildFailed if it reports an error or dies waiting."""
    while True:
        try:
            kind, value = outbox.get(timeout=HELPER_POLL_S)
        except queue.Empty:
            if not helper.is_alive():
                raise IndexBuildFailed(
                    f"the helper process writing the index stopped (exit code {helper.exitcode})"
                ) from None
            continue
        if kind == "error":
            raise IndexBuildFailed(f"the helper process writing the index failed: {value}")
        return value


def _adopt_helper_segments(
    ix, folder: Path, helper_folder: Path, own: dict[int, str], theirs: dict[int, str]
) -> None:
    """Move the helper's segment files here and commit every segment in batch order."""
    found = {s.segment_id(): s for s in ix._segments()}
    if theirs:
        helper_ix = index.open_dir(str(helper_folder))
        found.update((s.segment_id(), s) for s in helper_ix._segments())
        helper_ix.close()
    wanted = {**own, **theirs}
    missing = sorted(n for n, segment_id in wanted.items() if segment_id not in found)
    if missing:
        raise IndexBuildFailed(f"the segments of batches {missing[:5]} were not found")
    names = os.listdir(helper_folder) if theirs else []
    for segment_id in theirs.values():
        for name in names:
            if name.startswith(f"{segment_id}."):
                os.replace(helper_folder / name, folder / name)
    segments = [found[wanted[number]] for number in sorted(wanted)]
    commit_listing(ix, lambda _current: segments)
    shutil.rmtree(helper_folder, ignore_errors=True)


def _stop(helper, inbox) -> None:
    """No helper outlives the build, whether it ended, failed or was cancelled."""
    if helper.is_alive():
        with contextlib.suppress(Exception):
            inbox.put_nowait(None)
        helper.join(timeout=1.0)
    if helper.is_alive():
        helper.terminate()
        helper.join()
    inbox.cancel_join_thread()  # batches it never took are dropped, not waited on
    inbox.close()


def _write_in_helper(folder: str, inbox, outbox) -> None:
    """In the helper process: each batch received becomes one committed segment."""
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        ix = index.create_in(folder, build_schema())
        written: dict[int, str] = {}
        try:
            while True:
                job = inbox.get()
                if job is None:
                    break
                number, documents = job
                written[number] = write_segment(ix, documents)
        finally:
            ix.close()
        outbox.put(("done", sorted(written.items())))
    except BaseException as exc:  # reported to the build, which fails with the reason
        outbox.put(("error", f"{exc.__class__.__name__}: {exc}"))


class SegmentHelper:
    """A helper process that writes an import's large batches as segments, one at a time.

    Whoosh sorts a batch's postings with one `list.sort()` when it commits,
    which holds the interpreter for half a second per 1,000 articles: done in
    the process that shows the window, the window stops for that long. Here a
    batch is written in another process, into a folder of its own inside the
    index folder; the caller then adopts the segment (`SearchIndex.adopt`),
    which only moves files and commits a new table of contents. A batch is
    sent, the caller goes on (storing the next articles), and receives the
    segment when it next needs to. The process starts with the first batch
    (small imports never start it) and stops when the `with` block ends.
    """

    def __init__(self, index_folder: Path) -> None:
        self.folder = index_folder / HELPER_FOLDER
        self.usable = True  # until it fails once: then the import writes everything itself
        self._process = None
        self._batches = 0

    def __enter__(self) -> SegmentHelper:
        return self

    def __exit__(self, *_exc) -> None:
        if self._process is not None:
            _stop(self._process, self._inbox)
            shutil.rmtree(self.folder, ignore_errors=True)

    def send(self, documents: list[IndexDocument]) -> None:
        """Start writing one batch as one segment; `receive` waits for it. One at a time."""
        if self._process is None:
            context = multiprocessing.get_context("spawn")
            self._inbox, self._outbox = context.Queue(1), context.Queue()
            self._process = context.Process(
                target=_segments_on_request,
                args=(str(self.folder), self._inbox, self._outbox),
                daemon=True,
            )
            self._process.start()
        self._batches += 1
        self._inbox.put((self._batches, documents))

    def write_beside(self, documents: list[IndexDocument]) -> tuple[Path, str]:
        """Write one batch in a second, short-lived process, beside the helper's: the
        folder and segment id to adopt. While the helper writes the other half of
        an import's last work, both cores are busy.

        Not in this process: it shows the window, and writing a segment here kept
        the window's thread from the interpreter for 65-280 ms at a time (the
        switch interval notwithstanding). If that process fails, the batch is
        written here after all.
        """
        target = self.folder / "beside"
        try:
            with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                return target, pool.submit(write_alone, target, documents).result()
        except (BrokenProcessPool, OSError):
            return target, write_alone(target, documents)

    def receive(self) -> tuple[Path, str]:
        """The folder and segment id of the batch last sent, once written.

        Raises IndexBuildFailed when the helper failed or died.
        """
        try:
            folder, segment_id = _reply(self._process, self._outbox)
        except IndexBuildFailed:
            self.usable = False
            raise
        return Path(folder), segment_id


def write_alone(target: Path, documents: list[IndexDocument]) -> str:
    """`documents` as the one segment of a new index in `target`; the segment's id."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    ix = index.create_in(str(target), build_schema())
    try:
        return write_segment(ix, documents)
    finally:
        ix.close()


def _segments_on_request(folder: str, inbox, outbox) -> None:
    """In the helper process: each batch received, one segment in a new index of its own."""
    while True:
        job = inbox.get()
        if job is None:
            return
        number, documents = job
        try:
            target = Path(folder) / str(number)
            outbox.put(("segment", (str(target), write_alone(target, documents))))
        except BaseException as exc:  # the import writes this batch itself instead
            outbox.put(("error", f"{exc.__class__.__name__}: {exc}"))
