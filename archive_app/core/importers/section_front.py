"""Section fronts: pages that are a list of teasers of other pages, not one article.

A newspaper's section page or a blog's index is a column of teasers: a picture,
a kicker, a linked headline, a summary, a byline, each leading to another page.
trafilatura looks for one article in it and keeps one teaser. When that is what
happened, the page's article is the list itself, and `teaser_list` finds the
element holding it; `teaser_body` turns that element into the same XML body
trafilatura produces, so the importer renders it (images, captions, links) as it
renders any article.

What tells a section front from an article followed by related stories: what
trafilatura kept is short next to the list, and lies inside the teasers. After a
real article the article is what is kept, and it lies outside them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from archive_app.core.importers.page_images import (
    IMAGE_FILE,
    PLACEHOLDER_INDEX,
    PageImage,
    clean_text,
)

__all__ = ["teaser_body", "teaser_list"]

_MIN_TEASERS = 5  # fewer is a few related stories, not a list
_MAX_TEASER_CHARS = 1000  # longer is a section of an article that happens to hold a link
_HEADLINE_CHARS = 25  # a linked headline outside a heading: a few words at least
_HEADING_HEADLINE_CHARS = 10
# What trafilatura kept is part of the list, not an article, when it is less than
# this share of the list's teaser text (it kept a teaser or two, or the summaries
# without their headlines and pictures) ...
_MAX_KEPT_SHARE = 0.75
# ... and nearly all of it lies inside the list's teasers. After a real article
# the kept text is the article, outside the teasers (at most 61% inside on the
# test pages, on a product page of feature cards).
_KEPT_IN_TEASERS = 0.8
# The list is mostly teasers: its own headings and "more" links are the rest.
_TEASER_TEXT_SHARE = 0.5
_CONTAINER_SHARE = 0.6  # the smallest element holding most of all teaser text

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Page chrome; a <header>/<footer> inside an <article> is the teaser's own.
_CHROME = frozenset({"nav", "aside", "header", "footer"})
_SKIPPED = frozenset(
    {
        "script", "style", "noscript", "template", "button", "form", "input", "select",
        "textarea", "svg", "iframe", "video", "audio", "object", "embed", "canvas", "nav",
        "aside", "footer", "figcaption", "source", "map",
    }
)  # fmt: skip
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "li", "ul", "ol", "dl", "dt", "dd",
        "blockquote", "pre", "table", "tbody", "thead", "tr", "td", "th", "figure", "picture",
        "hr", "address", "details", "summary",
    }
) | _HEADINGS  # fmt: skip
_INLINE_FORMATS = {"b": "#b", "strong": "#b", "i": "#i", "em": "#i", "code": "#t"}


@dataclass(frozen=True)
class _Teaser:
    element: lxml.etree._Element
    chars: int


def teaser_list(
    tree: lxml.html.HtmlElement,
    page_images: list[PageImage],
    kept: Iterable[lxml.etree._Element],
    kept_chars: int,
) -> lxml.etree._Element | None:
    """The element holding the page's list of teasers when the page is a section
    front and trafilatura kept only a teaser of it; None otherwise.

    `tree` is the page with its images marked (before trafilatura pruned it),
    `kept` the page's block elements found again in the kept text, `kept_chars`
    the length of that text.
    """
    body = tree.find(".//body")
    if body is None:
        return None
    teasers = _teasers(body, page_images)
    if len(teasers) < _MIN_TEASERS:
        return None
    container = _container(teasers)
    if container is None:
        return None
    inside = [t for t in teasers if t.element is container or _within(t.element, container)]
    teaser_chars = sum(t.chars for t in inside)
    container_chars = len(clean_text(container.text_content()))
    if (
        len(inside) < _MIN_TEASERS
        or teaser_chars < _TEASER_TEXT_SHARE * container_chars
        or kept_chars > _MAX_KEPT_SHARE * teaser_chars
    ):
        return None
    elements = {t.element for t in inside}
    kept_total = kept_inside = 0
    for element in kept:
        chars = len(clean_text(element.text_content()))
        kept_total += chars
        if element in elements or any(a in elements for a in element.iterancestors()):
            kept_inside += chars
    if not kept_total or kept_inside < _KEPT_IN_TEASERS * kept_total:
        return None
    return container


def _teasers(body: lxml.etree._Element, page_images: list[PageImage]) -> list[_Teaser]:
    """Blocks each holding one linked headline and a picture, outside the page's chrome.

    A teaser is the largest element around its headline that holds no other
    headline: its picture, kicker, summary and byline come with it.
    """
    headlines: dict[lxml.etree._Element, str] = {}
    for link in body.iter("a"):
        target = _page_link(link.get("href") or "")
        if target and _headline(link) and not _in_chrome(link):
            headlines[link] = target
    # The distinct headlines under each element: a teaser's picture often links there too.
    targets_under: dict[lxml.etree._Element, set[str]] = {}
    for link, target in headlines.items():
        for ancestor in (link, *link.iterancestors()):
            targets_under.setdefault(ancestor, set()).add(target)
    pictures_under: Counter[lxml.etree._Element] = Counter()
    for img in body.iter("img"):
        if _picture(img, page_images):
            pictures_under.update(img.iterancestors())
    found: dict[lxml.etree._Element, _Teaser] = {}
    for link in headlines:
        element = link
        while (parent := element.getparent()) is not None and len(targets_under[parent]) == 1:
            element = parent
        if element in found or not pictures_under[element] or element.tag in ("body", "html"):
            continue
        chars = len(clean_text(element.text_content()))
        if chars <= _MAX_TEASER_CHARS:
            found[element] = _Teaser(element, chars)
    return list(found.values())


def _container(teasers: list[_Teaser]) -> lxml.etree._Element | None:
    """The smallest element holding most of the teaser text."""
    total = sum(t.chars for t in teasers)
    held: Counter[lxml.etree._Element] = Counter()
    for teaser in teasers:
        for ancestor in (teaser.element, *teaser.element.iterancestors()):
            held[ancestor] += teaser.chars
    holding_most = [e for e, chars in held.items() if chars >= _CONTAINER_SHARE * total]
    if not holding_most:
        return None
    container = max(holding_most, key=lambda e: sum(1 for _ in e.iterancestors()))
    return None if container.tag == "html" else container


def _within(element: lxml.etree._Element, container: lxml.etree._Element) -> bool:
    return any(a is container for a in element.iterancestors())


def _page_link(href: str) -> str:
    """The address a link leads to when it is another page (not an anchor, a
    script, a mail address or a picture), else ""."""
    href = href.strip()
    if not href or href.startswith("#") or IMAGE_FILE.search(href):
        return ""
    scheme = urlsplit(href).scheme.lower() if ":" in href.split("/")[0] else ""
    if scheme not in ("", "http", "https"):
        return ""
    return href.split("#")[0]


def _headline(link: lxml.etree._Element) -> bool:
    chars = len(clean_text(link.text_content()))
    if chars >= _HEADLINE_CHARS:
        return True
    return chars >= _HEADING_HEADLINE_CHARS and any(
        a.tag in _HEADINGS for a in link.iterancestors()
    )


def _in_chrome(element: lxml.etree._Element) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in ("nav", "aside"):
            return True
        if ancestor.tag in _CHROME and next(ancestor.iterancestors("article"), None) is None:
            return True
    return False


def _picture(img: lxml.etree._Element, page_images: list[PageImage]) -> bool:
    """A marked image of the page that shows a photo (not a pixel or an icon)."""
    match = PLACEHOLDER_INDEX.search(img.get("src") or "")
    if match is None or int(match[1]) >= len(page_images):
        return False
    image = page_images[int(match[1])]
    return not image.tracking_pixel and not image.icon


def teaser_body(
    container: lxml.etree._Element, page_images: list[PageImage], link_base: str
) -> lxml.etree._Element:
    """The list as trafilatura's XML body: <head rend="hN">, <p>, <graphic src=…>,
    with <ref target=…> links (resolved against `link_base`), <hi> and <lb/>."""
    writer = _BodyWriter(page_images, link_base)
    writer.walk(container)
    writer.flush()
    return writer.body


class _BodyWriter:
    """Walks the page's elements in order: images and headings are blocks of their
    own, runs of text and inline elements become paragraphs."""

    def __init__(self, page_images: list[PageImage], link_base: str) -> None:
        self.page_images = page_images
        self.link_base = link_base
        self.body = lxml.etree.Element("body")
        self.paragraph: lxml.etree._Element | None = None

    def walk(self, element: lxml.etree._Element) -> None:
        self.text(element.text)
        for child in element:
            if isinstance(child.tag, str) and child.tag not in _SKIPPED:
                self.child(child)
            self.text(child.tail)

    def child(self, element: lxml.etree._Element) -> None:
        tag = element.tag
        if tag == "img":
            self.image(element)
        elif tag in _HEADINGS:
            self.flush()
            for img in element.iter("img"):
                self.image(img)
            if clean_text(element.text_content()):
                head = lxml.etree.SubElement(self.body, "head", rend=tag)
                self.inline_content(element, head)
        elif tag == "br":
            if self.paragraph is not None:
                lxml.etree.SubElement(self.paragraph, "lb")
        elif tag in _BLOCKS or any(
            isinstance(d.tag, str) and (d.tag in _BLOCKS or d.tag == "img")
            for d in element.iterdescendants()
        ):
            self.flush()
            if tag in ("figure", "picture"):
                # A figure's own text is its caption, which comes with its image.
                for img in element.iter("img"):
                    self.image(img)
            else:
                self.walk(element)
            self.flush()
        else:
            self.inline(element, self.open_paragraph())

    def image(self, img: lxml.etree._Element) -> None:
        if _picture(img, self.page_images):
            self.flush()
            lxml.etree.SubElement(self.body, "graphic", src=img.get("src") or "")

    def open_paragraph(self) -> lxml.etree._Element:
        if self.paragraph is None:
            self.paragraph = lxml.etree.Element("p")
        return self.paragraph

    def flush(self) -> None:
        if self.paragraph is not None and clean_text("".join(self.paragraph.itertext())):
            self.body.append(self.paragraph)
        self.paragraph = None

    def text(self, value: str | None) -> None:
        if value and value.strip():
            _append_text(self.open_paragraph(), value)
        elif value and self.paragraph is not None:
            _append_text(self.paragraph, " ")

    def inline(self, element: lxml.etree._Element, parent: lxml.etree._Element) -> None:
        """An inline element and its children, appended to `parent`."""
        tag = element.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            pass
        elif tag == "br":
            lxml.etree.SubElement(parent, "lb")
        elif tag == "a" and (target := _page_link(element.get("href") or "")):
            ref = lxml.etree.SubElement(parent, "ref", target=urljoin(self.link_base, target))
            self.inline_content(element, ref)
        elif tag in _INLINE_FORMATS:
            hi = lxml.etree.SubElement(parent, "hi", rend=_INLINE_FORMATS[tag])
            self.inline_content(element, hi)
        else:
            self.inline_content(element, parent)

    def inline_content(self, element: lxml.etree._Element, parent: lxml.etree._Element) -> None:
        _append_text(parent, element.text)
        for child in element:
            self.inline(child, parent)
            _append_text(parent, child.tail)


def _append_text(parent: lxml.etree._Element, value: str | None) -> None:
    if not value:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + value
    else:
        parent.text = (parent.text or "") + value
