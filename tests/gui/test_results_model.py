"""The results model: ids in pages, rows loaded in background batches, thumbnails."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QPixmap

from archive_app.core.models import Facets, ResultIds, SearchRequest
from archive_app.gui.results_model import (
    HIT_ROLE,
    ID_ROLE,
    LOADING,
    MISSING,
    READY,
    STATE_ROLE,
    THUMBNAIL_ROLE,
    PixmapCache,
    ResultsModel,
)

pytestmark = pytest.mark.gui

ROOT = QModelIndex()


class DeferredTasks:
    """A task runner that keeps tasks until the test finishes them, in any order."""

    def __init__(self) -> None:
        self.pending: list[tuple] = []

    def run(self, fn, *, on_done=None, on_error=None, **_options):
        self.pending.append((fn, on_done, on_error))

        class Handle:
            def cancel(self) -> None:
                pass

        return Handle()

    def finish(self, position: int = 0) -> None:
        from archive_app.gui.tasks import Job

        fn, on_done, _on_error = self.pending.pop(position)
        result = fn(Job())
        if on_done is not None:
            on_done(result)


def touch(model: ResultsModel, rows) -> None:
    """What painting does: ask for the rows' data, then let the loads start."""
    for row in rows:
        model.data(model.index(row), HIT_ROLE)
    model.start_loads()


def fake_results(count: int, real: tuple[str, ...] = ()) -> ResultIds:
    ids = real + tuple(f"f{n:011d}" for n in range(count - len(real)))
    return ResultIds(SearchRequest(), count, ids, Facets(), None)


def test_rows_grow_a_page_at_a_time(sample_archive, tasks):
    result = sample_archive.search_ids(SearchRequest())
    assert result.total >= 20
    model = ResultsModel(sample_archive, tasks, page_size=10, batch_size=5)
    model.set_results(result)
    assert model.total == result.total
    assert model.rowCount() == 10
    assert model.canFetchMore(ROOT)
    model.fetchMore(ROOT)
    assert model.rowCount() == 20
    while model.canFetchMore(ROOT):
        model.fetchMore(ROOT)
    assert model.rowCount() == result.total
    assert model.id_at(3) == result.ids[3]
    assert model.row_of(result.ids[-1]) == result.total - 1
    assert model.row_of("no-such-id") is None
    assert model.data(model.index(4), ID_ROLE) == result.ids[4]


def test_rows_load_in_the_background_and_repaint(sample_archive, tasks, qtbot):
    result = sample_archive.search_ids(SearchRequest(query="children"))
    model = ResultsModel(sample_archive, tasks, page_size=10, batch_size=5)
    model.set_results(result)
    assert model.data(model.index(0), HIT_ROLE) is None
    assert model.data(model.index(0), STATE_ROLE) == LOADING
    with (
        qtbot.waitSignal(model.rows_loaded) as loaded,
        qtbot.waitSignal(model.dataChanged) as changed,
    ):
        pass  # the zero-delay timer starts the load asked for above
    assert loaded.args == [0, 4]
    assert changed.args[0].row() == 0 and changed.args[1].row() == 4
    hit = model.data(model.index(0), HIT_ROLE)
    assert hit is not None and hit.id == result.ids[0]
    assert model.data(model.index(0), STATE_ROLE) == READY
    assert "<mark" in hit.snippet  # marked with the result set's query
    assert model.hit(0) == hit
    assert model.hit(5) is None  # another batch, not asked for yet
    assert model.data(model.index(0)) == hit.title


def test_a_batch_of_an_older_result_set_is_dropped(sample_archive):
    deferred = DeferredTasks()
    model = ResultsModel(sample_archive, deferred, page_size=10, batch_size=5)
    older = sample_archive.search_ids(SearchRequest(sort="oldest"))
    newer = sample_archive.search_ids(SearchRequest(sort="newest"))
    assert older.ids[0] != newer.ids[0]
    model.set_results(older)
    touch(model, [0])
    model.set_results(newer)
    touch(model, [0])
    assert len(deferred.pending) == 2
    changed = []
    model.dataChanged.connect(lambda *args: changed.append(args))
    deferred.finish(0)  # the older set's batch arrives late
    assert model.hit(0) is None
    assert changed == []
    deferred.finish(0)
    assert model.hit(0).id == newer.ids[0]
    assert changed


def test_fifty_thousand_ids_load_only_what_was_fetched(sample_archive, tasks, monkeypatch):
    real = sample_archive.search_ids(SearchRequest()).ids[:3]
    result = fake_results(50_000, real)
    asked: list[str] = []
    hits = sample_archive.hits

    def counting_hits(ids, query="", **options):
        asked.extend(ids)
        return hits(ids, query, **options)

    monkeypatch.setattr(sample_archive, "hits", counting_hits)
    model = ResultsModel(sample_archive, tasks)
    model.set_results(result)
    assert model.rowCount() == 100
    assert model.total == 50_000
    touch(model, range(0, 100))
    assert len(asked) == 100
    assert set(asked) <= set(result.ids[:100])
    assert model.hit(0).id == real[0]
    # Fake ids are dropped by the archive: their rows are "missing", not asked again.
    assert model.data(model.index(50), STATE_ROLE) == MISSING
    touch(model, range(0, 100))
    assert len(asked) == 100
    model.fetchMore(ROOT)
    assert model.rowCount() == 200
    touch(model, [150])
    assert set(asked) <= set(result.ids[:200])
    assert len(asked) == 100 + model.batch_size
    assert model.ensure_shown(1_234)
    assert model.rowCount() == 1_300
    assert not model.ensure_shown(60_000)


def test_loaded_rows_are_bounded(sample_archive, tasks):
    result = sample_archive.search_ids(SearchRequest())
    model = ResultsModel(sample_archive, tasks, page_size=10, batch_size=5, kept_batches=2)
    model.set_results(result)
    model.fetchMore(ROOT)
    touch(model, range(20))
    assert model.loaded_rows() == 10
    assert model.hit(19) is not None and model.hit(0) is None
    touch(model, [0])  # scrolled back: the evicted batch loads again
    assert model.hit(0) is not None


def test_the_same_ids_again_reload_rows_in_place(sample_archive, tasks, qtbot):
    result = sample_archive.search_ids(SearchRequest())
    model = ResultsModel(sample_archive, tasks, page_size=10, batch_size=5)
    model.set_results(result)
    touch(model, [0])
    first = result.ids[0]
    sample_archive.tag_many([first], ["project/checked"])
    resets = []
    model.modelReset.connect(lambda: resets.append(True))
    model.set_results(sample_archive.search_ids(SearchRequest()))
    assert resets == []  # the view keeps its selection and scroll position
    assert "project/checked" in model.hit(0).tags


def test_thumbnails_load_in_a_task_and_are_cached(sample_archive, tasks, qtbot):
    result = sample_archive.search_ids(SearchRequest())
    model = ResultsModel(sample_archive, tasks, page_size=100, batch_size=25)
    model.set_results(result)
    touch(model, range(model.rowCount()))
    row = next(r for r in range(model.rowCount()) if model.hit(r).lead_image)
    sha = model.hit(row).lead_image
    assert model.data(model.index(row), THUMBNAIL_ROLE) is None
    with qtbot.waitSignal(model.dataChanged) as changed:
        pass
    assert changed.args[0].row() == row
    pixmap = model.data(model.index(row), THUMBNAIL_ROLE)
    assert isinstance(pixmap, QPixmap) and not pixmap.isNull()
    assert sha in model.thumbnails


def test_pixmap_cache_keeps_the_most_recent(qapp):
    cache = PixmapCache(limit=2)
    pixmaps = {name: QPixmap(4, 4) for name in "abc"}
    cache.put("a", pixmaps["a"])
    cache.put("b", pixmaps["b"])
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("c", pixmaps["c"])
    assert "b" not in cache and "a" in cache and "c" in cache
    assert len(cache) == 2


def test_rows_and_thumbnails_load_on_real_threads(sample_archive, threaded_tasks, qtbot):
    result = sample_archive.search_ids(SearchRequest())
    model = ResultsModel(sample_archive, threaded_tasks)
    model.set_results(result)
    touch(model, range(model.rowCount()))
    qtbot.waitUntil(lambda: all(model.hit(r) is not None for r in range(model.rowCount())))
    row = next(r for r in range(model.rowCount()) if model.hit(r).lead_image)
    model.data(model.index(row), THUMBNAIL_ROLE)
    qtbot.waitUntil(lambda: model.data(model.index(row), THUMBNAIL_ROLE) is not None)
