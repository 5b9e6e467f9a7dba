"""The images in the reader's body: blurred until asked for, sized to the column, drawn."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QUrl
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPalette, QTextCharFormat
from PySide6.QtWidgets import QWidget

from archive_app.core.models import Article, ImageRef
from archive_app.gui.archive_browser import ARCHIVE_SCHEME, ArchiveBrowser
from archive_app.gui.article_document import IMAGE_LINK, ImageTag
from archive_app.gui.article_loading import LoadedArticle
from archive_app.gui.settings import BLUR_POLICIES

SENSITIVE_TOPIC = "child-welfare"  # under the "topic" policy, this topic's images start blurred
BLURRED_TEXT = ("Click to show", "This image may be distressing")
BROKEN_TEXT = ("Image not shown", "Its stored file could not be read")


class BodyImages:
    """Which of the article's images are blurred, how wide each is, and the pixels Qt draws.

    The body names each image `archive:image/<sha256>?w=<device width>` (or
    `archive:blurred/…`); `resolve` answers those names for the browser, and
    `fit` renames the images in place when the width or the blurring changes.
    """

    def __init__(self, browser: ArchiveBrowser, look: QWidget) -> None:
        self._browser = browser
        self._look = look  # whose palette and font the panels over images take
        self.policy = "topic"
        self.loaded: LoadedArticle | None = None
        self.shown: set[int] = set()  # image positions unblurred in this view of the article
        self.previews: dict[str, bytes] = {}  # sha256 → blurred preview PNG, for every article
        self._scaled: dict[str, QImage] = {}  # resource name → image as drawn

    def show(self, loaded: LoadedArticle, *, keep_shown: bool) -> None:
        """Images of this article from now on (`keep_shown`: the same article, read again)."""
        if not keep_shown:
            self.shown = set()
        self.loaded = loaded
        self._scaled = {}

    def clear(self) -> None:
        self.loaded = None
        self._scaled = {}
        self.shown = set()

    def blurs(self, article: Article) -> bool:
        """Whether the policy blurs this article's images (runs in the read task too)."""
        policy = self.policy
        if policy == "always":
            return True
        return policy == "topic" and any(t.topic == SENSITIVE_TOPIC for t in article.topics)

    def set_policy(self, policy: str) -> bool:
        """Blur under this policy from now on; True if the article must be read again for it."""
        if policy not in BLUR_POLICIES:
            raise ValueError(f"unknown blur policy {policy!r}")
        if policy == self.policy:
            return False
        self.policy = policy
        loaded = self.loaded
        if loaded is None:
            return False
        needs_previews = self.blurs(loaded.article) and any(
            ref.sha256 and ref.sha256 not in loaded.previews for ref in loaded.article.images
        )
        if not needs_previews:
            self.fit()
        return needs_previews

    def is_blurred(self, position: int) -> bool:
        loaded = self.loaded
        if loaded is None or position in self.shown or not self.blurs(loaded.article):
            return False
        ref = self.ref(position)
        return ref is not None and bool(ref.sha256)

    def unblur(self, position: int) -> None:
        self.shown.add(position)
        self.fit()

    def ref(self, position: int) -> ImageRef | None:
        if self.loaded is None:
            return None
        return next((r for r in self.loaded.article.images if r.position == position), None)

    def tag(self, ref: ImageRef) -> ImageTag:
        """The name and size the body gives this image, at the column's current width."""
        natural = self._natural_size(ref)
        width = min(natural[0], self._column_width())
        height = max(1, round(width * natural[1] / natural[0]))
        device_width = max(1, round(width * self._browser.devicePixelRatioF()))
        kind = "blurred" if self.is_blurred(ref.position) else "image"
        return ImageTag(f"{ARCHIVE_SCHEME}:{kind}/{ref.sha256}?w={device_width}", width, height)

    def resolve(self, url: QUrl) -> QImage | None:
        """The image for an `archive:` name of this article; None for anything else."""
        loaded = self.loaded
        if loaded is None:
            return None
        cached = self._scaled.get(url.toString())
        if cached is not None:
            return cached
        kind, _, sha = url.path().partition("/")
        query = dict(pair.split("=", 1) for pair in url.query().split("&") if "=" in pair)
        try:
            device_width = max(1, int(query.get("w", "0")))
        except ValueError:
            return None
        ref = next((r for r in loaded.article.images if r.sha256 == sha), None)
        if ref is None or kind not in ("image", "blurred"):
            return None
        source = (loaded.images if kind == "image" else loaded.previews).get(sha)
        broken = source is None or source.isNull()
        if broken:
            # Undecodable, or a preview that failed: a plain panel, never the image unasked.
            source = QImage(4, 4, QImage.Format.Format_RGB32)
            source.fill(self._look.palette().color(QPalette.ColorRole.Mid))
        natural = self._natural_size(ref)
        device_height = max(1, round(device_width * natural[1] / natural[0]))
        image = source.scaled(
            device_width,
            device_height,
            Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        ratio = self._browser.devicePixelRatioF()
        if kind == "blurred":
            image = with_overlay(image, self._look.font(), ratio, BLURRED_TEXT)
        elif broken:
            image = with_overlay(image, self._look.font(), ratio, BROKEN_TEXT)
        image.setDevicePixelRatio(self._browser.devicePixelRatioF())
        self._scaled[url.toString()] = image
        return image

    def fit(self) -> None:
        """Size (and blur or show) every image for the current width, in place."""
        if self.loaded is None:
            return

        def change(fmt: QTextCharFormat) -> QTextCharFormat | None:
            href = fmt.anchorHref()
            if not href.startswith(IMAGE_LINK):
                return None
            ref = self.ref(int(href[len(IMAGE_LINK) :]))
            if ref is None or not ref.sha256:
                return None
            tag = self.tag(ref)
            image_format = fmt.toImageFormat()
            if image_format.name() == tag.src and round(image_format.width()) == tag.width:
                return None
            image_format.setName(tag.src)
            image_format.setWidth(tag.width)
            image_format.setHeight(tag.height)
            return image_format

        self._browser.restyle_images(change)

    def _column_width(self) -> int:
        margin = self._browser.document().documentMargin()
        return max(80, self._browser.viewport().width() - int(2 * margin) - 4)

    def _natural_size(self, ref: ImageRef) -> tuple[int, int]:
        image = self.loaded.images.get(ref.sha256 or "") if self.loaded else None
        if ref.width and ref.height:
            return ref.width, ref.height
        if image is not None:
            return image.width(), image.height()
        return 320, 200  # never decoded: a modest frame for the "cannot show" image


def with_overlay(image: QImage, font: QFont, ratio: float, text: tuple[str, str]) -> QImage:
    """Two lines in a dark box over the image: why it is not shown, and what to do."""
    image = image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    strong, small = QFont(font), QFont(font)
    strong.setPixelSize(max(11, round(15 * ratio)))
    strong.setWeight(QFont.Weight.DemiBold)
    small.setPixelSize(max(10, round(12 * ratio)))
    lines = [
        (text[0], strong, QFontMetrics(strong).height()),
        (text[1], small, QFontMetrics(small).height()),
    ]
    pad = round(8 * ratio)
    box_w = min(image.width() - 8, round(260 * ratio))
    box_h = sum(height for *_, height in lines) + 2 * pad
    box = QRect((image.width() - box_w) // 2, (image.height() - box_h) // 2, box_w, box_h)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(image.rect(), QColor(0, 0, 0, 70))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(20, 20, 20, 170))
    painter.drawRoundedRect(box, pad, pad)
    painter.setPen(QColor("white"))
    y = box.top() + pad
    for text, line_font, height in lines:
        painter.setFont(line_font)
        painter.drawText(QRect(box.left(), y, box_w, height), Qt.AlignmentFlag.AlignCenter, text)
        y += height
    painter.end()
    return image
