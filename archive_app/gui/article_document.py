"""The reader's document: an article's body as the HTML the reader shows.

The stored body is sanitised at import; it is treated as untrusted all the
same and cleaned again with the importers' own rules before anything else
reads it. Its `<img src="image:N">` become images served by the reader from
the archive (or, for images that were never stored, a quiet box naming where
they were linked from): no URL from the article ever reaches the document.

Nothing here imports Qt: the reader passes in how an image is sized and named,
and the colours of the system palette.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from archive_app.core.importers.fragments import sanitize_fragment
from archive_app.core.models import Article, ImageRef
from archive_app.gui.wording import readable_date

IMAGE_LINK = "reader:image/"  # anchors around images: clicking one is the reader's business
_IMAGE_SRC = re.compile(r"^image:(\d+)$")
_LINK_SCHEMES = ("http", "https", "mailto")


@dataclass(frozen=True)
class DocumentStyle:
    """Colours taken from the system palette, as #rrggbb."""

    muted: str  # captions, credits, placeholders
    frame: str  # the dashed border of a placeholder
    panel: str  # the placeholder's background
    caption_pt: float = 9.0  # captions and credits: a little smaller than the text


@dataclass(frozen=True)
class ImageTag:
    """How one stored image appears in the document: its resource name and size on screen."""

    src: str
    width: int
    height: int


ImageTagFor = Callable[[ImageRef], ImageTag]


# -- the body --------------------------------------------------------------------------


def body_html(article: Article, style: DocumentStyle, image_tag: ImageTagFor) -> str:
    """The article's body as HTML for the reader, with every image laid out."""
    writer = _BodyWriter(article, style, image_tag)
    writer.feed(sanitize_fragment(article.html))
    writer.close()
    # Images the body never placed (a container's loose pictures) still belong to the article.
    for ref in article.images:
        if ref.position not in writer.placed:
            writer.out.append(image_block(ref, style, image_tag))
    return "".join(writer.out)


def image_block(ref: ImageRef, style: DocumentStyle, image_tag: ImageTagFor) -> str:
    """One image with its caption and credit under it, or a box for an image never stored."""
    if not ref.sha256:
        return reference_block(ref, style)
    tag = image_tag(ref)
    alt = html.escape(ref.alt or ref.caption or "image", quote=True)
    parts = [
        '<p align="center" style="margin-top:14px; margin-bottom:6px; line-height:100%;">'
        f'<a href="{IMAGE_LINK}{ref.position}">'
        f'<img src="{html.escape(tag.src, quote=True)}" width="{tag.width}" '
        f'height="{tag.height}" alt="{alt}"></a></p>'
    ]
    parts.append(caption_block(ref.caption, ref.credit, style))
    return "".join(parts)


def caption_block(caption: str, credit: str, style: DocumentStyle) -> str:
    if not caption and not credit:
        return '<p style="margin-top:0; margin-bottom:10px;"></p>'
    lines = []
    if caption:
        lines.append(html.escape(caption, quote=False))
    if credit:
        lines.append(
            f'<span style="color:{style.muted};">{html.escape(credit, quote=False)}</span>'
        )
    return (
        '<p align="center" style="margin-top:0; margin-bottom:16px; line-height:120%; '
        f'font-size:{style.caption_pt:.1f}pt;">' + "<br>".join(lines) + "</p>"
    )


def reference_block(ref: ImageRef, style: DocumentStyle) -> str:
    """A quiet box in place of an image that was only linked: its URL is named, never loaded."""
    detail = ref.alt or ref.caption
    lines = [html.escape(reference_label(ref), quote=False)]
    if detail:
        lines.append(f"<i>{html.escape(detail, quote=False)}</i>")
    if ref.url:
        lines.append(f'<span style="font-size:small;">{html.escape(ref.url, quote=False)}</span>')
    return (
        '<table width="100%" cellspacing="0" cellpadding="12" border="1" '
        f'style="border-style:dashed; border-color:{style.frame}; '
        f'background-color:{style.panel}; margin-top:12px; margin-bottom:12px;">'
        f'<tr><td align="center" style="color:{style.muted};">'
        + "<br>".join(lines)
        + "</td></tr></table>"
    )


def reference_label(ref: ImageRef) -> str:
    parts = urlsplit(ref.url)
    if parts.scheme in ("http", "https", "ftp") and parts.hostname:
        return f"Image not stored — linked from {parts.hostname}"
    if ref.url:
        return "Image not stored — it could not be read when the article was imported"
    return "Image not stored"


class _BodyWriter(HTMLParser):
    """Re-emits the sanitised body, placing images and keeping only safe links."""

    def __init__(self, article: Article, style: DocumentStyle, image_tag: ImageTagFor) -> None:
        super().__init__(convert_charrefs=True)
        self.images = {ref.position: ref for ref in article.images}
        self.style = style
        self.image_tag = image_tag
        self.out: list[str] = []
        self.placed: set[int] = set()
        self._figures: list[bool] = []  # per open <figure>: did its image bring a caption?
        self._skipping = 0  # inside a figcaption already shown under its image

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "figure":
            self._figures.append(False)
        elif tag == "figcaption":
            if self._skipping or (self._figures and self._figures[-1]):
                self._skipping += 1
            else:
                self.out.append(
                    '<p align="center" style="margin-top:0; margin-bottom:16px; font-size:small;">'
                )
        elif self._skipping:
            return
        elif tag == "img":
            self._image(values.get("src", ""))
        elif tag == "a":
            href = values.get("href", "")
            if urlsplit(href).scheme.lower() in _LINK_SCHEMES:
                self.out.append(f'<a href="{html.escape(href, quote=True)}">')
            else:
                self.out.append("<a>")
        else:
            self.out.append(f"<{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            if self._figures:
                self._figures.pop()
        elif tag == "figcaption":
            if self._skipping:
                self._skipping -= 1
            else:
                self.out.append("</p>")
        elif not self._skipping and tag not in ("img", "br", "hr"):
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.out.append(html.escape(data, quote=False))

    def _image(self, src: str) -> None:
        found = _IMAGE_SRC.match(src)
        ref = self.images.get(int(found[1])) if found else None
        if ref is None or ref.position in self.placed:
            return
        self.placed.add(ref.position)
        self.out.append(image_block(ref, self.style, self.image_tag))
        if self._figures and (ref.caption or ref.credit or not ref.sha256):
            self._figures[-1] = True


# -- values shown around the body --------------------------------------------------------


def readable_time(iso: str) -> str:
    """A stored UTC time stamp in the person's own time zone: "26 November 2026, 07:49"."""
    try:
        value = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    if value.tzinfo is not None:
        value = value.astimezone()
    return f"{readable_date(value.date().isoformat())}, {value:%H:%M}"


def readable_size(size: int) -> str:
    """1536 as "1.5 KB"; exact bytes are shown beside it where they matter."""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def listed(items: Iterable[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
