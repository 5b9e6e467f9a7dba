"""The images of a source page: finding them (lazy loading, srcset, noscript),
their captions and credits, and resolving each source to a file, captured
bytes or a URL reference. Nothing is fetched from the network."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urljoin, urlsplit
from urllib.request import url2pathname

import lxml.etree
import lxml.html

from archive_app.core.importers.base import ParsedImage
from archive_app.core.importers.captions import split_credit

# Given an absolute image URL, the bytes captured with the page (a web archive's
# record, an MHTML part), or None when they were not captured.
ImageFetcher = Callable[[str], bytes | None]

_PLACEHOLDER = "archive-page-image-{}.png"
PLACEHOLDER_INDEX = re.compile(r"archive-page-image-(\d+)\.png$")
_LAZY_SOURCES = ("data-src", "data-lazy-src", "data-original", "data-url")
_TRACKING_PIXEL_SIZE = 2
_ICON_SIZE = 32  # a declared side below this: feeds, flags, logos, not a photo
# A link to a picture file rather than to a page.
IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg)(?:[?#]|$)", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str:
    return _SPACES.sub(" ", value or "").strip()


def web_url(value: str) -> str:
    """The value when it is an http(s) URL, else ""."""
    value = value.strip()
    return value if urlsplit(value).scheme.lower() in ("http", "https") else ""


@dataclass
class PageImage:
    """An <img> of the source page, before trafilatura has judged it."""

    src: str
    alt: str
    title: str
    caption: str
    credit: str
    smallest_side: int | None  # from the width/height attributes, None when not given

    @property
    def tracking_pixel(self) -> bool:
        return self.smallest_side is not None and self.smallest_side <= _TRACKING_PIXEL_SIZE

    @property
    def icon(self) -> bool:
        return self.smallest_side is not None and self.smallest_side < _ICON_SIZE


def mark_images(root: lxml.html.HtmlElement) -> list[PageImage]:
    """Record every <img> and give it a placeholder source trafilatura will keep."""
    images: list[PageImage] = []
    for img in root.iter("img"):
        src = _image_source(img)
        if not src:
            continue
        caption, credit = figure_caption(img)
        images.append(
            PageImage(
                src=src,
                alt=clean_text(img.get("alt")),
                title=clean_text(img.get("title")),
                caption=caption,
                credit=credit,
                smallest_side=_smallest_side(img),
            )
        )
        # trafilatura prefers data-src* over src; leave it only the placeholder.
        for attribute in [a for a in img.attrib if a.startswith("data-src") or a == "srcset"]:
            del img.attrib[attribute]
        img.set("src", _PLACEHOLDER.format(len(images) - 1))
    return images


def _image_source(img: lxml.html.HtmlElement) -> str:
    src = (img.get("src") or "").strip()
    lazy = next((img.get(a).strip() for a in _LAZY_SOURCES if (img.get(a) or "").strip()), "")
    if not lazy:
        lazy = largest_srcset_url(img.get("data-srcset") or img.get("srcset") or "")
    if not lazy and (picture := img.getparent()) is not None and picture.tag == "picture":
        for source in picture.iter("source"):
            if lazy := largest_srcset_url(source.get("srcset") or source.get("data-srcset") or ""):
                break
    # Lazy-loading pages put a tiny data: placeholder in src and the real image elsewhere.
    if lazy and (not src or src.startswith("data:")):
        return lazy
    return src


# Candidates end at a comma followed by a space or right after a descriptor
# ("a.jpg 1x,b.jpg 2x"); commas inside URLs (image CDNs' parameters) stay.
_SRCSET_SPLIT = re.compile(r",\s+|(?<=\d[wx]),")
_SRCSET_DESCRIPTOR = re.compile(r"^([\d.]+)[wx]$")


def largest_srcset_url(srcset: str) -> str:
    """The widest (or densest) candidate of a srcset; the first when none says."""
    best, best_size = "", -1.0
    for candidate in _SRCSET_SPLIT.split(srcset.strip()):
        parts = candidate.strip().rstrip(",").split()
        if not parts:
            continue
        size = 0.0
        if len(parts) > 1 and (match := _SRCSET_DESCRIPTOR.match(parts[-1])):
            try:
                size = float(match[1])
            except ValueError:
                size = 0.0
        if size > best_size:
            best, best_size = parts[0], size
    return best


def figure_caption(img: lxml.html.HtmlElement) -> tuple[str, str]:
    enclosing = next(img.iterancestors("figure"), None)
    if enclosing is None:
        return "", ""
    caption = enclosing.find(".//figcaption")
    if caption is None:
        # Browsers show a <figcaption> written just after its <figure> (invalid
        # but common in templates) beneath the picture, so it still captions it.
        following = enclosing.getnext()
        while following is not None and not isinstance(following.tag, str):
            following = following.getnext()
        if following is not None and following.tag == "figcaption":
            caption = following
    if caption is None:
        return "", ""
    return split_credit(clean_text(caption.text_content()))


def _smallest_side(img: lxml.html.HtmlElement) -> int | None:
    sides = []
    for attribute in ("width", "height"):
        match = re.match(r"\s*(\d{1,6})", img.get(attribute) or "")
        if match and int(match[1]) > 0:  # 0 means "set by the stylesheet", not invisible
            sides.append(int(match[1]))
    return min(sides, default=None)


class Resolver:
    """Turns an image source of the page into a ParsedImage (nothing is fetched)."""

    def __init__(
        self, folder: Path | None, base_href: str, page_url: str, fetch: ImageFetcher | None
    ) -> None:
        self.folder = folder
        self.fetch = fetch
        web_base = web_url(base_href)
        self.web_base = urljoin(page_url, base_href) if page_url else web_base
        # A relative <base href> still moves where the page's relative sources point.
        self.local_base = base_href if base_href and not web_base else ""

    def image(self, page_image: PageImage, role: str) -> ParsedImage | None:
        src = page_image.src
        common = {
            "alt": page_image.alt,
            "title": page_image.title,
            "caption": page_image.caption,
            "credit": page_image.credit,
            "role": role,
        }
        scheme = urlsplit(src).scheme.lower() if ":" in src else ""
        if scheme == "data":
            data = data_uri_bytes(src)
            return ParsedImage(data=data, **common) if data else None
        if scheme in ("http", "https"):
            return self._remote(src, common)
        if src.startswith("//"):
            scheme = urlsplit(self.web_base).scheme or "https"
            return self._remote(f"{scheme}:{src}", common)
        if scheme == "file":
            if self.folder is None:
                return None  # a captured page never reaches into this computer's files
            return ParsedImage(path=Path(url2pathname(urlsplit(src).path)), **common)
        if scheme:  # javascript:, blob:, about: and the like show nothing storable
            return None
        if self.folder is not None:
            local = self._local_path(src)
            if local.is_file() or not self.web_base:
                return ParsedImage(path=local, **common)
        if not self.web_base:
            return None
        return self._remote(urljoin(self.web_base, src), common)

    def _remote(self, url: str, common: dict[str, str]) -> ParsedImage:
        """A captured image when the capture holds it, else a reference to its URL."""
        data = self.fetch(url) if self.fetch is not None else None
        return ParsedImage(url=url, data=data, **common)

    def _local_path(self, src: str) -> Path:
        assert self.folder is not None
        relative = urljoin(self.local_base, src) if self.local_base else src
        return (self.folder / unquote(urlsplit(relative).path).lstrip("/")).resolve()


def data_uri_bytes(uri: str) -> bytes | None:
    header, _, payload = uri.partition(",")
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(unquote(payload), validate=False) or None
        return unquote_to_bytes(payload) or None
    except (binascii.Error, ValueError):
        return None


_IMAGE_URL = re.compile(r"^\S+\.(?:jpe?g|png|webp|gif)(?:[?#]\S*)?$", re.IGNORECASE)


def fill_empty_figures(root: lxml.html.HtmlElement) -> None:
    """A <figure> whose image a script loads names it only in an attribute (a
    schema.org itemid, a data-* URL): give it the <img> it would show."""
    for fig in list(root.iter("figure")):
        if fig.find(".//img") is not None or fig.find(".//picture") is not None:
            continue
        url = next((v.strip() for v in fig.attrib.values() if _IMAGE_URL.match(v.strip())), "")
        if url:
            img = lxml.html.Element("img", src=url)
            fig.insert(0, img)


def unwrap_noscript_images(root: lxml.html.HtmlElement) -> None:
    """Put the image a <noscript> holds in place of the script-loaded placeholder before it."""
    for noscript in list(root.iter("noscript")):
        images = noscript.findall(".//img")
        if len(images) != 1 or clean_text(noscript.text_content()) or not _image_source(images[0]):
            continue
        previous = noscript.getprevious()
        if previous is None:
            continue
        placeholder = previous if previous.tag == "img" else None
        if placeholder is None and not clean_text(previous.text_content()):
            inner = previous.findall(".//img")
            placeholder = inner[0] if len(inner) == 1 else None
        if placeholder is None:
            continue
        real = images[0]
        for name, value in placeholder.attrib.items():
            if name not in real.attrib and name not in ("src", "srcset", "class"):
                real.set(name, value)
        real.getparent().remove(real)
        real.tail = placeholder.tail
        placeholder.getparent().replace(placeholder, real)
        noscript.drop_tree()
