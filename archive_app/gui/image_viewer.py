"""One article's images, large: fit to the window or zoomed, panned, saved exactly as stored."""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, QStandardPaths, Qt
from PySide6.QtGui import (
    QFont,
    QImage,
    QImageReader,
    QKeySequence,
    QPainter,
    QPalette,
    QPixmap,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.models import ImageRef
from archive_app.gui.article_document import readable_size
from archive_app.gui.messages import friendly_message, show_error
from archive_app.gui.tasks import TaskRunner

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.05, 16.0
DECODE_LIMIT_MB = 1024  # QImageReader refuses anything that would need more memory
# Decoding more than this many pixels (or bytes) takes noticeable time: do it off the GUI thread.
LARGE_PIXELS = 12_000_000
LARGE_BYTES = 6_000_000
EXTENSIONS = {
    "JPEG": ".jpg",
    "JPG": ".jpg",
    "PNG": ".png",
    "GIF": ".gif",
    "WEBP": ".webp",
    "BMP": ".bmp",
    "TIFF": ".tif",
    "ICO": ".ico",
    "MPO": ".jpg",
}
FORMAT_NAMES = {".jpg": "JPEG image", ".png": "PNG image", ".gif": "GIF image"}


class ImageLoadError(Exception):
    pass


def decode_image(path: Path) -> QImage:
    """Decode with a memory limit and the image's own orientation; a clear error otherwise."""
    reader = QImageReader(str(path))
    reader.setAllocationLimit(DECODE_LIMIT_MB)
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        raise ImageLoadError(f"The image could not be shown: {reader.errorString()}.")
    return image


def suggested_filename(ref: ImageRef, fallback: str = "") -> str:
    """A name worth keeping: the image's own name, else its caption or the article's title."""
    ext = EXTENSIONS.get(ref.format.upper(), f".{ref.format.lower()}" if ref.format else "")
    stem = ""
    if ref.url:
        stem = Path(unquote(urlsplit(ref.url).path)).stem
    if not stem or len(stem) < 3:
        stem = _slug(ref.caption or ref.alt or ref.title or fallback)
    if not stem:
        stem = f"image-{ref.position + 1}"
    return stem + ext


def _slug(text: str, limit: int = 60) -> str:
    words = re.findall(r"\w+", text.lower())
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


class ImageCanvas(QWidget):
    """Draws the image at a scale; only the visible part is painted, so deep zoom stays cheap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap = QPixmap()
        self._scaled = QPixmap()  # a smooth copy for scales below 100 %
        self._scale = 1.0
        self._drag: QPoint | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_image(self, image: QImage) -> None:
        self._pixmap = QPixmap.fromImage(image)
        self._scaled = QPixmap()
        self.set_scale(self._scale)

    @property
    def image_size(self) -> QSize:
        return self._pixmap.size()

    def set_scale(self, scale: float) -> None:
        self._scale = scale
        self._scaled = QPixmap()
        size = self._pixmap.size()
        self.resize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
        self.update()

    def paintEvent(self, event) -> None:
        if self._pixmap.isNull():
            return
        painter = QPainter(self)
        target = QRect(QPoint(0, 0), self.size())
        if self._scale < 1:
            # Painter scaling samples pixels; a scaled copy averages them (no moiré).
            ratio = self.devicePixelRatioF()
            wanted = self.size() * ratio
            if self._scaled.isNull() or self._scaled.size() != wanted:
                self._scaled = self._pixmap.scaled(
                    wanted,
                    Qt.AspectRatioMode.IgnoreAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
                self._scaled.setDevicePixelRatio(ratio)
            painter.drawPixmap(0, 0, self._scaled)
        else:
            # Up close, show pixels as pixels; at ordinary zoom, smooth them.
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._scale < 3)
            painter.drawPixmap(target, self._pixmap)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag = event.globalPosition().toPoint()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event) -> None:
        if self._drag is None:
            return
        now = event.globalPosition().toPoint()
        delta = now - self._drag
        self._drag = now
        area = self._scroll_area()
        if area is not None:
            area.horizontalScrollBar().setValue(area.horizontalScrollBar().value() - delta.x())
            area.verticalScrollBar().setValue(area.verticalScrollBar().value() - delta.y())

    def mouseReleaseEvent(self, event) -> None:
        self._drag = None
        self.unsetCursor()

    def _scroll_area(self) -> QScrollArea | None:
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        return parent


class ImageViewer(QDialog):
    """A window over a list of stored images; opens at `start`."""

    def __init__(
        self,
        archive,
        tasks: TaskRunner,
        images: Sequence[ImageRef],
        start: int = 0,
        *,
        article_title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint)
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self._archive = archive
        self._tasks = tasks
        self.images = [ref for ref in images if ref.sha256]
        self._article_title = article_title
        self.index = -1
        self.zoom: float | None = None  # None: fit to the window
        self._loaded = False

        self.canvas = ImageCanvas()
        self.area = QScrollArea()
        self.area.setWidget(self.canvas)
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setBackgroundRole(QPalette.ColorRole.Dark)
        self.area.viewport().installEventFilter(self)
        self.message = QLabel(self.area)  # "Loading…" or what went wrong, over the image area
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)

        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.credit = QLabel()
        self.credit.setWordWrap(True)
        self.credit.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.details = QLabel()
        self.details.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        small = QFont(self.details.font())
        small.setPointSizeF(small.pointSizeF() * 0.92)
        self.credit.setFont(small)
        self.details.setFont(small)

        self.previous_button = QPushButton("◀ Previous")
        self.next_button = QPushButton("Next ▶")
        self.zoom_out_button = _tool("−", "Zoom out (−)")
        self.zoom_label = QLabel()
        self.zoom_label.setMinimumWidth(48)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_in_button = _tool("+", "Zoom in (+)")
        self.fit_button = _tool("Fit", "Fit to the window (0)")
        self.actual_button = _tool("100 %", "Actual size (1)")
        self.save_button = QPushButton("Save as…")
        close_button = QPushButton("Close")
        self.previous_button.clicked.connect(self.previous_image)
        self.next_button.clicked.connect(self.next_image)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.fit_button.clicked.connect(self.fit_to_window)
        self.actual_button.clicked.connect(self.actual_size)
        self.save_button.clicked.connect(self.save_as)
        close_button.clicked.connect(self.close)

        bar = QHBoxLayout()
        bar.addWidget(self.previous_button)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        for widget in (
            self.zoom_out_button,
            self.zoom_label,
            self.zoom_in_button,
            self.fit_button,
            self.actual_button,
        ):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.save_button)
        bar.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.area, 1)
        layout.addWidget(self.caption)
        layout.addWidget(self.credit)
        layout.addWidget(self.details)
        layout.addLayout(bar)

        for keys, slot in (
            (("+", "=", QKeySequence.StandardKey.ZoomIn), self.zoom_in),
            (("-", QKeySequence.StandardKey.ZoomOut), self.zoom_out),
            (("0",), self.fit_to_window),
            (("1",), self.actual_size),
            (("Right", "PgDown", "Space"), self.next_image),
            (("Left", "PgUp", "Backspace"), self.previous_image),
        ):
            for key in keys:
                QShortcut(QKeySequence(key), self, activated=slot)
        self.resize(960, 680)
        self.show_image(start)

    # -- moving between images ------------------------------------------------------------

    @property
    def current(self) -> ImageRef | None:
        return self.images[self.index] if 0 <= self.index < len(self.images) else None

    def show_image(self, index: int) -> None:
        if not self.images:
            self._show_message("This article has no stored images.")
            self._update_controls()
            return
        self.index = max(0, min(index, len(self.images) - 1))
        ref = self.images[self.index]
        self._loaded = False
        self.canvas.set_image(QImage())
        self.caption.setText(ref.caption or ref.alt or ref.title)
        self.caption.setVisible(bool(self.caption.text()))
        self.credit.setText(ref.credit)
        self.credit.setVisible(bool(ref.credit))
        self._describe(ref, None)
        count = len(self.images)
        where = f"Image {self.index + 1} of {count}" if count > 1 else "Image"
        self.setWindowTitle(f"{where} — {self._article_title}" if self._article_title else where)
        self._update_controls()
        path = self._archive.image_path(ref.sha256)
        pixels = (ref.width or 0) * (ref.height or 0)
        try:
            large = pixels > LARGE_PIXELS or path.stat().st_size > LARGE_BYTES
        except OSError:
            large = False  # the decode below reports the missing file
        if large:
            self._show_message("Loading…")
            self._tasks.run(
                lambda job: decode_image(path),
                on_done=lambda image, i=self.index: self._decoded(i, image),
                on_error=lambda exc, details, i=self.index: self._failed(i, exc),
                key=f"image-viewer-{id(self)}",
                label="Opening an image",
            )
            return
        try:
            image = decode_image(path)
        except (ImageLoadError, OSError) as exc:
            self._failed(self.index, exc)
        else:
            self._decoded(self.index, image)

    def next_image(self) -> None:
        if self.index + 1 < len(self.images):
            self.show_image(self.index + 1)

    def previous_image(self) -> None:
        if self.index > 0:
            self.show_image(self.index - 1)

    # -- zoom -------------------------------------------------------------------------------

    def scale(self) -> float:
        """The scale the image is drawn at now (fit or zoom)."""
        return self.zoom if self.zoom is not None else self._fit_scale()

    def zoom_in(self) -> None:
        self._set_zoom(self.scale() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self._set_zoom(self.scale() / ZOOM_STEP)

    def fit_to_window(self) -> None:
        self.zoom = None
        self._apply_scale()

    def actual_size(self) -> None:
        self._set_zoom(1.0)

    def _set_zoom(self, value: float, anchor: QPoint | None = None) -> None:
        if not self._loaded:
            return
        old = self.scale()
        new = max(MIN_ZOOM, min(MAX_ZOOM, value))
        view = self.area.viewport()
        anchor = anchor if anchor is not None else QPoint(view.width() // 2, view.height() // 2)
        bars = self.area.horizontalScrollBar(), self.area.verticalScrollBar()
        # Keep the point under the anchor (the mouse, or the centre) where it is.
        spot = (bars[0].value() + anchor.x(), bars[1].value() + anchor.y())
        self.zoom = new
        self._apply_scale()
        factor = new / old if old else 1
        bars[0].setValue(round(spot[0] * factor - anchor.x()))
        bars[1].setValue(round(spot[1] * factor - anchor.y()))

    def _fit_scale(self) -> float:
        size = self.canvas.image_size
        if size.isEmpty():
            return 1.0
        view = self.area.maximumViewportSize()
        return min(1.0, view.width() / size.width(), view.height() / size.height())

    def _apply_scale(self) -> None:
        if not self._loaded:
            return
        self.canvas.set_scale(self.scale())
        self.zoom_label.setText(f"{round(self.scale() * 100)} %")
        zoomed = self.canvas.width() > self.area.viewport().width() or (
            self.canvas.height() > self.area.viewport().height()
        )
        self.canvas.setCursor(
            Qt.CursorShape.OpenHandCursor if zoomed else Qt.CursorShape.ArrowCursor
        )
        self._update_controls()

    # -- saving -------------------------------------------------------------------------------

    def save_as(self) -> Path | None:
        """Copy the stored bytes, unchanged, to where the person chooses."""
        ref = self.current
        if ref is None:
            return None
        name = suggested_filename(ref, self._article_title)
        ext = Path(name).suffix
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        kind = FORMAT_NAMES.get(ext, f"{ref.format or 'Image'} file")
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            "Save image as",
            str(Path(folder or Path.home()) / name),
            f"{kind} (*{ext});;All files (*)" if ext else "All files (*)",
        )
        if not chosen:
            return None
        target = Path(chosen)
        if ext and not target.suffix:
            target = target.with_suffix(ext)
        try:
            shutil.copyfile(self._archive.image_path(ref.sha256), target)
        except OSError as exc:
            show_error(self, "Image not saved", friendly_message(exc), str(exc))
            return None
        return target

    # -- inside -------------------------------------------------------------------------------

    def _decoded(self, index: int, image: QImage) -> None:
        if index != self.index:
            return
        self.message.hide()
        self._loaded = True
        self.canvas.set_image(image)
        self._describe(self.images[index], image)
        self._apply_scale()

    def _failed(self, index: int, exc: Exception) -> None:
        if index != self.index:
            return
        text = str(exc) if isinstance(exc, ImageLoadError) else friendly_message(exc)
        self._show_message(text)
        self._update_controls()

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.resize(self.area.size())
        self.message.show()
        self.message.raise_()

    def _describe(self, ref: ImageRef, image: QImage | None) -> None:
        width = image.width() if image is not None else ref.width
        height = image.height() if image is not None else ref.height
        parts = []
        if width and height:
            parts.append(f"{width} × {height} pixels")
        if ref.format:
            parts.append(ref.format.upper())
        with contextlib.suppress(OSError):  # a missing file shows its error in the image area
            parts.append(readable_size(self._archive.image_path(ref.sha256).stat().st_size))
        self.details.setText(" · ".join(parts))

    def _update_controls(self) -> None:
        count = len(self.images)
        self.previous_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(0 <= self.index < count - 1)
        self.previous_button.setVisible(count > 1)
        self.next_button.setVisible(count > 1)
        for button in (
            self.zoom_in_button,
            self.zoom_out_button,
            self.fit_button,
            self.actual_button,
        ):
            button.setEnabled(self._loaded)
        self.fit_button.setChecked(self.zoom is None)
        self.save_button.setEnabled(self.current is not None)
        if not self._loaded:
            self.zoom_label.setText("")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.area.viewport():
            if (
                event.type() == QEvent.Type.Wheel
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier
            ):
                steps = event.angleDelta().y() / 120
                if steps:
                    self._set_zoom(self.scale() * ZOOM_STEP**steps, event.position().toPoint())
                return True
            if event.type() == QEvent.Type.Resize:
                self.message.resize(self.area.size())
                if self.zoom is None:
                    self._apply_scale()
        return super().eventFilter(watched, event)


def _tool(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(False)
    if text == "Fit":
        button.setCheckable(True)
    return button
