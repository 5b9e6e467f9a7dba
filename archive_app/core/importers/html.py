"""HTML importer: one saved web page is one article.

trafilatura finds the main content and the metadata. Images need more care
than it gives them: it keeps only sources that end in an image extension
(so no data: URIs, no extension-less CDN links) and drops the figure
captions. So before extraction every <img> of the page gets a numbered
placeholder source; the placeholders that survive in trafilatura's output
say which page images belong to the article, and their captions, sizes and
real sources are read from the page itself.

Image sources resolve to a local file next to the page when one exists (a
"Web Page, Complete" save), otherwise to a URL reference when the page says
where it came from, otherwise to the expected local path so that the archive
can report the missing file. Nothing is ever fetched.
"""

from __future__ import annotations

import base64
import binascii
import html as htmllib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urljoin, urlsplit
from urllib.request import url2pathname

import lxml.etree
import lxml.html
import trafilatura

from archive_app.core.dates import normalize_date
from archive_app.core.importers.base import ImportFailed, ParsedArticle, ParsedImage
from archive_app.core.importers.captions import (
    derive_title,
    first_sentence,
    shorten_title,
    split_credit,
)
from archive_app.core.importers.decoding import decode_text
from archive_app.core.importers.fragments import figure, sanitize_fragment

__all__ = ["parse"]

# Some tag structure: "<p>", "<!DOCTYPE", "</div>". A lone "a < b" is not markup.
_MARKUP = re.compile(r"<(?:!doctype|!--|/?[a-z][a-z0-9:-]*[\s/>])", re.IGNORECASE)
_PLACEHOLDER = "archive-page-image-{}.png"
_PLACEHOLDER_INDEX = re.compile(r"archive-page-image-(\d+)\.png$")
_LAZY_SOURCES = ("data-src", "data-lazy-src", "data-original", "data-url")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$", re.IGNORECASE)
_TRACKING_PIXEL_SIZE = 2
_SMALLEST_LEAD_SIZE = 150  # below this an image above the text is an avatar or a thumbnail
_SPACES = re.compile(r"\s+")
_INLINE_TAGS = {"#b": "strong", "#i": "em", "#t": "code", "#sub": "sub", "#sup": "sup"}
_EXTRA_FIELDS = ("description", "sitename", "hostname", "image", "categories", "tags", "license")


@dataclass
class _PageImage:
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


def parse(path: Path, data: bytes) -> list[ParsedArticle]:
    text, encoding = decode_text(data)
    if not _MARKUP.search(text):
        raise ImportFailed("not HTML: no markup found")
    root = _parse_tree(text)
    page_images = _mark_images(root)
    try:
        doc = trafilatura.bare_extraction(
            root,
            with_metadata=True,
            include_images=True,
            include_formatting=True,
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            output_format="python",
        )
    except Exception as exc:  # a heuristic pipeline: a crash on one page fails that page only
        raise ImportFailed(f"the page could not be analysed: {exc}") from None
    if doc is None or getattr(doc, "body", None) is None:
        raise ImportFailed("no article text found in the page")

    meta = {name: _meta_text(getattr(doc, name, None)) for name in ("title", *_EXTRA_FIELDS)}
    page_url = _web_url(_meta_text(getattr(doc, "url", None)))
    base_url = _base_href(root)
    resolver = _Resolver(path.parent, base_url, page_url)
    renderer = _Renderer(page_images, resolver, title=meta["title"])
    renderer.render(doc.body)
    if not renderer.text_blocks:
        raise ImportFailed("no article text found in the page")
    if not renderer.image_before_text:
        renderer.add_lead(_lead_image(root, page_images, meta["image"]))

    warnings: list[str] = []
    published = ""
    try:
        published = normalize_date(_meta_text(getattr(doc, "date", None)))
    except ValueError as exc:
        warnings.append(f"published date ignored: {exc}")

    body_text = "\n\n".join(renderer.text_blocks)
    extra = {name: meta[name] for name in _EXTRA_FIELDS if meta[name]}
    extra["encoding"] = encoding
    return [
        ParsedArticle(
            title=meta["title"] or _fallback_title(root, renderer.text_blocks),
            text=body_text,
            html=sanitize_fragment("".join(renderer.html_parts)),
            author=_meta_text(getattr(doc, "author", None)),
            source=meta["sitename"],
            url=page_url,
            published=published,
            language=_language(root),
            images=tuple(renderer.images),
            tags=_page_tags(getattr(doc, "tags", None)),
            warnings=tuple(warnings),
            extra=extra,
        )
    ]


_MAX_PAGE_TAGS = 30  # keyword lists written for search engines can run to hundreds


def _page_tags(values: object) -> tuple[str, ...]:
    """The page's own keywords (article:tag, keywords), as a reference manager keeps them."""
    if not isinstance(values, (list, tuple)):
        return ()
    tags = (_clean(part) for value in values for part in str(value).split(","))
    return tuple(dict.fromkeys(t for t in tags if t and len(t) <= 80))[:_MAX_PAGE_TAGS]


def _parse_tree(text: str) -> lxml.html.HtmlElement:
    # Bytes with an explicit encoding: lxml rejects str carrying an XML
    # encoding declaration, and the page's own <meta charset> may be wrong.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ImportFailed(f"not HTML: {exc}") from None
    if root is None:
        raise ImportFailed("not HTML: no document found")
    return root


def _mark_images(root: lxml.html.HtmlElement) -> list[_PageImage]:
    """Record every <img> and give it a placeholder source trafilatura will keep."""
    images: list[_PageImage] = []
    for img in root.iter("img"):
        src = _image_source(img)
        if not src:
            continue
        caption, credit = _figure_caption(img)
        images.append(
            _PageImage(
                src=src,
                alt=_clean(img.get("alt")),
                title=_clean(img.get("title")),
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
        lazy = _first_srcset_url(img.get("data-srcset") or img.get("srcset") or "")
    # Lazy-loading pages put a tiny data: placeholder in src and the real image elsewhere.
    if lazy and (not src or src.startswith("data:")):
        return lazy
    return src


def _first_srcset_url(srcset: str) -> str:
    first = srcset.strip().split(",", 1)[0].strip()
    return first.split()[0] if first else ""


def _figure_caption(img: lxml.html.HtmlElement) -> tuple[str, str]:
    enclosing = next(img.iterancestors("figure"), None)
    caption = enclosing.find(".//figcaption") if enclosing is not None else None
    if caption is None:
        return "", ""
    return split_credit(_clean(caption.text_content()))


def _smallest_side(img: lxml.html.HtmlElement) -> int | None:
    sides = []
    for attribute in ("width", "height"):
        if match := re.match(r"\s*(\d{1,6})", img.get(attribute) or ""):
            sides.append(int(match[1]))
    return min(sides, default=None)


class _Resolver:
    """Turns an image source of the page into a ParsedImage (nothing is fetched)."""

    def __init__(self, folder: Path, base_href: str, page_url: str) -> None:
        self.folder = folder
        web_base = _web_url(base_href)
        self.web_base = urljoin(page_url, base_href) if page_url else web_base
        # A relative <base href> still moves where the page's relative sources point.
        self.local_base = base_href if base_href and not web_base else ""

    def image(self, page_image: _PageImage, role: str) -> ParsedImage | None:
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
            data = _data_uri_bytes(src)
            return ParsedImage(data=data, **common) if data else None
        if scheme in ("http", "https"):
            return ParsedImage(url=src, **common)
        if src.startswith("//"):
            scheme = urlsplit(self.web_base).scheme or "https"
            return ParsedImage(url=f"{scheme}:{src}", **common)
        if scheme == "file":
            return ParsedImage(path=Path(url2pathname(urlsplit(src).path)), **common)
        if scheme:  # javascript:, blob:, about: and the like show nothing storable
            return None
        local = self._local_path(src)
        if local.is_file() or not self.web_base:
            return ParsedImage(path=local, **common)
        return ParsedImage(url=urljoin(self.web_base, src), **common)

    def _local_path(self, src: str) -> Path:
        relative = urljoin(self.local_base, src) if self.local_base else src
        return (self.folder / unquote(urlsplit(relative).path).lstrip("/")).resolve()


def _data_uri_bytes(uri: str) -> bytes | None:
    header, _, payload = uri.partition(",")
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(unquote(payload), validate=False) or None
        return unquote_to_bytes(payload) or None
    except (binascii.Error, ValueError):
        return None


class _Renderer:
    """trafilatura's XML body → sanitised-ready HTML parts, text blocks and images."""

    def __init__(self, page_images: list[_PageImage], resolver: _Resolver, title: str) -> None:
        self.page_images = page_images
        self.resolver = resolver
        self.title_key = _key(title)
        self.images: list[ParsedImage] = []
        self.html_parts: list[str] = []
        self.text_blocks: list[str] = []
        self.image_before_text = False
        # By source: a page shows the same icon or photo several times, the archive stores it once.
        self._index_of_source: dict[str, int] = {}
        self._last_caption = ""

    def render(self, body: lxml.etree._Element) -> None:
        # trafilatura leaves some text loose between blocks (around inline
        # math, after a heading); it is still the article's text.
        self._loose_text(body.text)
        for element in body:
            self._block(element)
            self._loose_text(element.tail)

    def add_lead(self, page_index: int | None) -> None:
        if page_index is None or self.page_images[page_index].src in self._index_of_source:
            return
        image = self.resolver.image(self.page_images[page_index], role="lead")
        if image is None:
            return
        # The lead goes first; the body's image:N references shift by one.
        self.images.insert(0, image)
        self._index_of_source = {src: i + 1 for src, i in self._index_of_source.items()}
        self._index_of_source[self.page_images[page_index].src] = 0
        self.html_parts = [
            re.sub(r'src="image:(\d+)"', lambda m: f'src="image:{int(m[1]) + 1}"', part)
            for part in self.html_parts
        ]
        self.html_parts.insert(0, figure(0, image.caption, image.credit, image.alt))
        if caption := " ".join(p for p in (image.caption, image.credit) if p):
            self.text_blocks.insert(0, caption)

    def _block(self, element: lxml.etree._Element) -> None:
        tag = element.tag
        if tag == "graphic":
            self._figure(element)
            return
        if tag == "head":
            text = _clean(_text_of(element))
            # The title is stored apart; repeating it at the top of the body is noise.
            if not text or (not self.text_blocks and _key(text) == self.title_key):
                return
            rend = re.fullmatch(r"h([1-6])", element.get("rend") or "")
            level = max(int(rend[1]), 2) if rend else 2  # h1 belongs to the title
            self._emit(f"<h{level}>{self._inline(element)}</h{level}>", text)
        elif tag == "list":
            name = "ol" if element.get("rend") == "ol" else "ul"
            items = [item for item in element if item.tag == "item"]
            lines = [_clean(_text_of(item)) for item in items]
            markup = "".join(f"<li>{self._inline(item)}</li>" for item in items)
            self._emit(f"<{name}>{markup}</{name}>", "\n".join(line for line in lines if line))
        elif tag == "quote":
            self._emit(f"<blockquote>{self._inline(element)}</blockquote>", _text_of(element))
        elif tag == "code":
            code = "".join(element.itertext()).strip("\n")
            self._emit(f"<pre><code>{_escape(code)}</code></pre>", code)
        elif tag == "table":
            self._table(element)
        else:  # p, and anything unexpected is kept as a paragraph
            text = _text_of(element)
            if self._last_caption and _key(text) == self._last_caption:
                return  # trafilatura sometimes keeps the figcaption as a paragraph too
            self._emit(f"<p>{self._inline(element)}</p>", text)

    def _loose_text(self, text: str | None) -> None:
        if text := _clean(text):
            self._emit(f"<p>{_escape(text)}</p>", text)

    def _emit(self, markup: str, text: str) -> None:
        text = "\n".join(_clean(line) for line in text.split("\n") if line.strip())
        if text or "<img " in markup:  # a paragraph holding only an image still shows it
            self.html_parts.append(markup)
            self._last_caption = ""
        if text:
            self.text_blocks.append(text)

    def _figure(self, element: lxml.etree._Element) -> None:
        index = self._image_index(element)
        if index is None:
            return
        image = self.images[index]
        self.html_parts.append(figure(index, image.caption, image.credit, image.alt))
        caption = " ".join(p for p in (image.caption, image.credit) if p)
        if caption:
            # Captions are part of what the article says, so they are searchable too.
            self.text_blocks.append(caption)
        self._last_caption = _key(caption)

    def _image_index(self, element: lxml.etree._Element) -> int | None:
        match = _PLACEHOLDER_INDEX.search(element.get("src") or "")
        if match is None:
            return None
        page_index = int(match[1])
        if page_index >= len(self.page_images) or self.page_images[page_index].tracking_pixel:
            return None
        page_image = self.page_images[page_index]
        if page_image.src in self._index_of_source:
            return self._index_of_source[page_image.src]
        first = not self.text_blocks and not self.images
        image = self.resolver.image(page_image, "lead" if first else "inline")
        if image is None:
            return None
        self.image_before_text = self.image_before_text or first
        self.images.append(image)
        self._index_of_source[page_image.src] = len(self.images) - 1
        return len(self.images) - 1

    def _inline(self, element: lxml.etree._Element) -> str:
        parts = [_escape(_SPACES.sub(" ", element.text or ""))]
        for child in element:
            parts.append(self._inline_child(child))
            parts.append(_escape(_SPACES.sub(" ", child.tail or "")))
        return "".join(parts).strip()

    def _inline_child(self, child: lxml.etree._Element) -> str:
        tag = child.tag
        if tag == "lb":
            return "<br>"
        if tag == "graphic":
            index = self._image_index(child)
            return "" if index is None else f'<img src="image:{index}" alt="">'
        if tag == "hi" and child.get("rend") in _INLINE_TAGS:
            name = _INLINE_TAGS[child.get("rend") or ""]
            return f"<{name}>{self._inline(child)}</{name}>"
        if tag == "ref" and _web_url(child.get("target") or ""):
            return f'<a href="{_escape(child.get("target") or "")}">{self._inline(child)}</a>'
        if tag in ("p", "list", "item", "quote"):
            return f"<p>{self._inline(child)}</p>"
        return self._inline(child)

    def _table(self, element: lxml.etree._Element) -> None:
        rows_html, rows_text = [], []
        for row in element.iter("row"):
            cells = [cell for cell in row if cell.tag == "cell"]
            markup = "".join(
                f"<{c}>{self._inline(cell)}</{c}>"
                for cell in cells
                for c in ["th" if cell.get("role") == "head" else "td"]
            )
            rows_html.append(f"<tr>{markup}</tr>")
            rows_text.append(" ".join(_clean(_text_of(cell)) for cell in cells))
        self._emit(f"<table><tbody>{''.join(rows_html)}</tbody></table>", "\n".join(rows_text))


def _lead_image(
    root: lxml.html.HtmlElement, page_images: list[_PageImage], og_image: str
) -> int | None:
    """The article's lead image when trafilatura left it out but the page makes it plain.

    Plain means: the first image of the <article> (or <main>) element comes
    before its first paragraph and is either inside a <figure> or the page's
    own sharing image (og:image), and its declared size is not that of an
    avatar or a thumbnail.
    """
    container = next(iter(root.xpath("//article | //main")), None)
    if container is None:
        return None
    for element in container.iter("img", "p"):
        if element.tag == "p" and _clean(element.text_content()):
            return None
        if element.tag != "img":
            continue
        match = _PLACEHOLDER_INDEX.search(element.get("src") or "")
        if match is None:
            continue
        index = int(match[1])
        if index >= len(page_images):
            continue
        page_image = page_images[index]
        if page_image.tracking_pixel:
            continue
        if page_image.smallest_side is not None and page_image.smallest_side < _SMALLEST_LEAD_SIZE:
            return None
        in_figure = next(element.iterancestors("figure", "picture"), None) is not None
        shared = bool(og_image) and _same_file(page_image.src, og_image)
        return index if in_figure or shared else None
    return None


def _same_file(a: str, b: str) -> bool:
    """The same image file, maybe from another host or folder (CDNs and sizes vary)."""
    if a == b:
        return True
    name = urlsplit(a).path.rsplit("/", 1)[-1]
    # Only a real file name counts: endpoints like ".../images/dims" serve every image.
    return "." in name and len(name) > 8 and name == urlsplit(b).path.rsplit("/", 1)[-1]


def _base_href(root: lxml.html.HtmlElement) -> str:
    base = root.find(".//base[@href]")
    return (base.get("href") or "").strip() if base is not None else ""


def _language(root: lxml.html.HtmlElement) -> str:
    candidates = [root.get("lang"), root.get("xml:lang")]
    for selector in (
        '//meta[@http-equiv="content-language" or @http-equiv="Content-Language"]',
        '//meta[@property="og:locale"]',
        '//meta[@name="language" or @name="dc.language" or @name="DC.language"]',
    ):
        candidates.extend(meta.get("content") for meta in root.xpath(selector))
    for candidate in candidates:
        value = (candidate or "").strip().replace("_", "-").split(",")[0].strip()
        if _LANGUAGE_TAG.match(value):
            return value
    return ""


def _fallback_title(root: lxml.html.HtmlElement, blocks: list[str]) -> str:
    heading = next(iter(root.xpath("//h1")), None)
    for candidate in (heading, root.find(".//title")):
        if candidate is not None and (text := _clean(candidate.text_content())):
            return shorten_title(text, limit=200)
    return derive_title(blocks) or shorten_title(first_sentence(blocks[0]))


def _web_url(value: str) -> str:
    value = value.strip()
    return value if urlsplit(value).scheme.lower() in ("http", "https") else ""


def _meta_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_clean(str(v)) for v in value if str(v).strip())
    return _clean(str(value))


def _text_of(element: lxml.etree._Element) -> str:
    """Text with line breaks (<lb/>) kept as newlines; everything else collapsed."""
    parts = [_SPACES.sub(" ", element.text or "")]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag in ("p", "item", "list"):
            parts.append("\n" + _text_of(child) + "\n")
        else:
            parts.append(_text_of(child))
        parts.append(_SPACES.sub(" ", child.tail or ""))
    return "".join(parts)


def _clean(value: str | None) -> str:
    return _SPACES.sub(" ", value or "").strip()


def _key(text: str) -> str:
    return _clean(text).casefold()


def _escape(text: str) -> str:
    return htmllib.escape(text, quote=True)
