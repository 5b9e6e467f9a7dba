"""The results list's model: every hit's id, and rows loaded only as they are seen.

A search hands over a `ResultIds` (every hit id, in order). The model shows
them a page at a time (`canFetchMore`/`fetchMore`, as the view scrolls to the
end) and loads the rows' data (`Hit`s) in the background in small batches,
asked for by the rows the view actually paints. Until its batch arrives a row
is a placeholder; then `dataChanged` repaints it. Loaded batches are kept in a
bounded LRU, so 50,000 hits cost their ids and a few thousand rows, and the GUI
thread does nothing per row but paint.

Every batch load carries the generation of the result set it was asked for;
the answer to an older search is dropped when it arrives.

Thumbnails of the lead images are read and scaled in the background too, and
kept as `QPixmap`s in a small LRU keyed by the image's SHA-256.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage, QPixmap

from archive_app.core.archive import Archive
from archive_app.core.models import Facets, Hit, ResultIds, SearchRequest
from archive_app.gui.tasks import Job, TaskHandle, TaskRunner

HIT_ROLE = Qt.ItemDataRole.UserRole + 1  # the row's Hit, or None while it loads
ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the article id (always known)
THUMBNAIL_ROLE = Qt.ItemDataRole.UserRole + 3  # a QPixmap of the lead image, or None
STATE_ROLE = Qt.ItemDataRole.UserRole + 4  # one of the row states below

LOADING, READY, MISSING, FAILED = "loading", "ready", "missing", "failed"

PAGE_SIZE = 100  # rows added to the view per fetchMore (more, deep in a long list)
BATCH_SIZE = 25  # rows loaded per background task: a screenful and a bit
KEPT_BATCHES = 80  # loaded batches kept (2,000 rows); older ones reload when seen again
RELOADED_BATCHES = 4  # read again at once after an edit: the rows in view
KEPT_THUMBNAILS = 300
THUMBNAIL_PIXELS = 128  # square, cropped: twice the painted size, sharp on high-DPI screens

AnyIndex = QModelIndex | QPersistentModelIndex


class PixmapCache:
    """A bounded least-recently-used map of image SHA-256 to a ready-to-paint pixmap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: OrderedDict[str, QPixmap] = OrderedDict()

    def get(self, sha256: str) -> QPixmap | None:
        pixmap = self._items.get(sha256)
        if pixmap is not None:
            self._items.move_to_end(sha256)
        return pixmap

    def put(self, sha256: str, pixmap: QPixmap) -> None:
        self._items[sha256] = pixmap
        self._items.move_to_end(sha256)
        while len(self._items) > self.limit:
            self._items.popitem(last=False)

    def __contains__(self, sha256: object) -> bool:
        return sha256 in self._items

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()


def read_thumbnail(archive: Archive, sha256: str, side: int = THUMBNAIL_PIXELS) -> QImage:
    """The lead image as a square, centre-cropped image (runs in a background task)."""
    image = QImage(str(archive.thumbnail(sha256)))
    if image.isNull():
        raise ValueError(f"the thumbnail of image {sha256[:12]} could not be read")
    scaled = image.scaled(
        side,
        side,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    x, y = (scaled.width() - side) // 2, (scaled.height() - side) // 2
    return scaled.copy(x, y, side, side)


class ResultsModel(QAbstractListModel):
    rows_loaded = Signal(int, int)  # first and last row of a batch that arrived
    load_failed = Signal(object, str)  # the exception and its details, once per result set

    def __init__(
        self,
        archive: Archive,
        tasks: TaskRunner,
        parent=None,
        *,
        page_size: int = PAGE_SIZE,
        batch_size: int = BATCH_SIZE,
        kept_batches: int = KEPT_BATCHES,
        kept_thumbnails: int = KEPT_THUMBNAILS,
    ) -> None:
        super().__init__(parent)
        if page_size % batch_size:
            # A batch never reaches past the rows shown, so loads stay within what was fetched.
            raise ValueError("page_size must be a multiple of batch_size")
        self._archive = archive
        self._tasks = tasks
        self.page_size = page_size
        self.batch_size = batch_size
        self.kept_batches = kept_batches
        self._result: ResultIds | None = None
        self._ids: tuple[str, ...] = ()
        self._query = ""
        self._shown = 0
        self._generation = 0
        self._row_index: dict[str, int] | None = None  # built on the first row_of()
        self._batches: OrderedDict[int, dict[int, Hit | None]] = OrderedDict()
        self._requested: set[int] = set()  # batches loading or loaded
        self._failed: set[int] = set()
        self._handles: dict[int, TaskHandle] = {}
        self._failure_reported = False
        self._wanted: set[int] = set()  # asked for while painting; started together
        self.thumbnails = PixmapCache(kept_thumbnails)
        self._thumbnails_wanted: set[str] = set()
        self._thumbnails_pending: set[str] = set()
        self._thumbnails_failed: set[str] = set()
        self._thumbnail_rows: dict[str, set[int]] = {}
        # Loads start from a zero-delay timer, never from inside data(): the view is
        # painting then, and an inline task would change the model under its feet.
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self.start_loads)

    # -- the result set ----------------------------------------------------------------

    def set_results(self, result_ids: ResultIds) -> None:
        """Show a new result set; the same ids again (after an edit) keep the view's place."""
        same = (
            self._result is not None
            and result_ids.request.query == self._query
            and result_ids.ids == self._ids
        )
        self._result = result_ids
        if same:
            self.reload_rows()
            return
        self.beginResetModel()
        self._cancel_loads()
        self._generation += 1
        self._ids = tuple(result_ids.ids)
        self._query = result_ids.request.query
        self._shown = min(self.page_size, len(self._ids))
        self._row_index = None
        self._batches.clear()
        self._requested.clear()
        self._failed.clear()
        self._wanted.clear()
        self._thumbnail_rows.clear()
        self._failure_reported = False
        self.endResetModel()

    def clear(self) -> None:
        """Show nothing (no archive, or before the first search)."""
        self.set_results(ResultIds(SearchRequest(), 0, (), Facets(), None))
        self._result = None

    def reload_rows(self) -> None:
        """Read the loaded rows again (their tags or titles changed); they stay shown meanwhile."""
        self._cancel_loads()
        self._generation += 1
        self._requested.clear()
        self._failed.clear()
        self._failure_reported = False
        # The most recently painted batches hold the rows in view: read those again
        # now; the others are dropped and read when they are painted again.
        batches = list(self._batches)
        for batch in batches[:-RELOADED_BATCHES]:
            del self._batches[batch]
        for batch in batches[-RELOADED_BATCHES:]:
            self._load(batch)

    @property
    def result_ids(self) -> ResultIds | None:
        return self._result

    @property
    def total(self) -> int:
        return self._result.total if self._result is not None else 0

    @property
    def query(self) -> str:
        return self._query

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, article_id: str) -> int | None:
        """The row of an id in the whole result set (it may not be fetched into view yet)."""
        if self._row_index is None:
            self._row_index = {value: row for row, value in enumerate(self._ids)}
        return self._row_index.get(article_id)

    def hit(self, row: int) -> Hit | None:
        """The row's data if it is loaded (this never starts a load)."""
        rows = self._batches.get(row // self.batch_size)
        return rows.get(row) if rows is not None else None

    def loaded_rows(self) -> int:
        return sum(1 for rows in self._batches.values() for hit in rows.values() if hit)

    def ensure_shown(self, row: int) -> bool:
        """Fetch the pages up to `row` (at once); False when the result set is shorter."""
        if row >= self._shown:
            pages = row // self.page_size + 1
            self._show_up_to(min(pages * self.page_size, len(self._ids)))
        return 0 <= row < self._shown

    # -- Qt's model interface ------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def canFetchMore(self, parent: AnyIndex) -> bool:
        return not parent.isValid() and self._shown < len(self._ids)

    def fetchMore(self, parent: AnyIndex) -> None:
        if parent.isValid():
            return
        # Pages grow with the rows shown: each insert makes the view lay out all its
        # rows again, so deep in a long list it adds several pages at once. Rows
        # still load only when painted.
        pages = max(1, self._shown // (2 * self.page_size))
        self._show_up_to(min(self._shown + pages * self.page_size, len(self._ids)))

    def _show_up_to(self, count: int) -> None:
        if count <= self._shown:
            return
        self.beginInsertRows(QModelIndex(), self._shown, count - 1)
        self._shown = count
        self.endInsertRows()

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row = index.row()
        if not index.isValid() or not 0 <= row < self._shown:
            return None
        if role == ID_ROLE:
            return self._ids[row]
        batch = row // self.batch_size
        rows = self._batches.get(batch)
        if rows is None:
            if batch not in self._requested:
                self._want(batch)
            hit = None
        else:
            self._batches.move_to_end(batch)  # seen: the last to be evicted
            hit = rows.get(row)
        if role == HIT_ROLE:
            return hit
        if role == STATE_ROLE:
            if hit is not None:
                return READY
            if batch in self._failed:
                return FAILED
            return LOADING if rows is None else MISSING
        if role == THUMBNAIL_ROLE:
            if hit is None or not hit.lead_image:
                return None
            return self._thumbnail(hit.lead_image, row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return hit.title if hit is not None else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if hit is None:
                return "Loading…"
            parts = [hit.title, hit.source, hit.published]
            if hit.versions:
                parts.append(f"{hit.versions + 1} versions")  # as the row's link says
            return ", ".join(p for p in parts if p)
        return None

    # -- loading rows -----------------------------------------------------------------------

    def _want(self, batch: int) -> None:
        self._wanted.add(batch)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def start_loads(self) -> None:
        """Start the batch and thumbnail loads the painted rows asked for."""
        wanted, self._wanted = sorted(self._wanted), set()
        for batch in wanted:
            if batch not in self._requested and batch * self.batch_size < self._shown:
                self._load(batch)
        shas, self._thumbnails_wanted = list(self._thumbnails_wanted), set()
        for sha in shas:
            self._load_thumbnail(sha)

    def _load(self, batch: int) -> None:
        start = batch * self.batch_size
        ids = self._ids[start : start + self.batch_size]
        generation, query, archive = self._generation, self._query, self._archive
        self._requested.add(batch)

        def load(job: Job) -> tuple[Hit, ...]:
            job.check()
            return archive.hits(ids, query)

        self._handles[batch] = self._tasks.run(
            load,
            on_done=lambda hits: self._loaded(generation, batch, hits),
            on_error=lambda exc, details: self._load_error(generation, batch, exc, details),
            label="Loading results",
        )

    def _cancel_loads(self) -> None:
        for handle in self._handles.values():
            handle.cancel()
        self._handles.clear()

    def _loaded(self, generation: int, batch: int, hits: Sequence[Hit]) -> None:
        if generation != self._generation:
            return  # the answer for a result set no longer shown
        self._handles.pop(batch, None)
        start = batch * self.batch_size
        end = min(start + self.batch_size, len(self._ids))
        by_id = {hit.id: hit for hit in hits}
        # Ids the archive no longer has (deleted meanwhile) stay as "missing" rows:
        # they are loaded, so painting them never asks for them again.
        self._batches[batch] = {row: by_id.get(self._ids[row]) for row in range(start, end)}
        self._batches.move_to_end(batch)
        self._evict()
        last = min(end, self._shown) - 1
        if start <= last:
            self.dataChanged.emit(self.index(start), self.index(last))
            self.rows_loaded.emit(start, last)

    def _load_error(self, generation: int, batch: int, exc: Exception, details: str) -> None:
        if generation != self._generation:
            return
        self._handles.pop(batch, None)
        self._failed.add(batch)  # stays requested: no retry loop while painting
        start = batch * self.batch_size
        last = min(start + self.batch_size, self._shown) - 1
        if start <= last:
            self.dataChanged.emit(self.index(start), self.index(last))
        if not self._failure_reported:
            self._failure_reported = True
            self.load_failed.emit(exc, details)

    def _evict(self) -> None:
        while len(self._batches) > self.kept_batches:
            batch, _rows = self._batches.popitem(last=False)
            self._requested.discard(batch)

    # -- thumbnails -----------------------------------------------------------------------------

    def _thumbnail(self, sha256: str, row: int) -> QPixmap | None:
        pixmap = self.thumbnails.get(sha256)
        if pixmap is not None or sha256 in self._thumbnails_failed:
            return pixmap
        self._thumbnail_rows.setdefault(sha256, set()).add(row)
        if sha256 not in self._thumbnails_pending:
            self._thumbnails_pending.add(sha256)
            self._thumbnails_wanted.add(sha256)
            if not self._flush_timer.isActive():
                self._flush_timer.start()
        return None

    def _load_thumbnail(self, sha256: str) -> None:
        archive = self._archive
        self._tasks.run(
            lambda job: read_thumbnail(archive, sha256),
            on_done=lambda image: self._thumbnail_ready(sha256, image),
            on_error=lambda _exc, _details: self._thumbnail_ready(sha256, None),
            label="Loading thumbnails",
        )

    def _thumbnail_ready(self, sha256: str, image: QImage | None) -> None:
        self._thumbnails_pending.discard(sha256)
        if image is None or image.isNull():
            # An unreadable image gets no thumbnail, and is not asked for again.
            self._thumbnails_failed.add(sha256)
        else:
            self.thumbnails.put(sha256, QPixmap.fromImage(image))
        for row in sorted(self._thumbnail_rows.pop(sha256, ())):
            if row < self._shown:
                index = self.index(row)
                self.dataChanged.emit(index, index, [THUMBNAIL_ROLE])
