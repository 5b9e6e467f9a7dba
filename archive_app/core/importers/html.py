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

import bisect
import copy
import html as htmllib
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import trafilatura
from trafilatura.settings import set_date_params

from archive_app.core.dates import normalize_date
from archive_app.core.importers.base import ImportFailed, ParsedArticle, ParsedImage
from archive_app.core.importers.captions import (
    derive_title,
    first_sentence,
    shorten_title,
)
from archive_app.core.importers.decoding import decode_text
from archive_app.core.importers.fragments import figure, sanitize_fragment
from archive_app.core.importers.page_images import (
    IMAGE_FILE,
    PLACEHOLDER_INDEX,
    ImageFetcher,
    PageImage,
    Resolver,
    clean_text,
    fill_empty_figures,
    mark_images,
    unwrap_noscript_images,
    web_url,
)
from archive_app.core.importers.page_metadata import read_metadata
from archive_app.core.importers.section_front import teaser_body, teaser_list

__all__ = ["parse"]

# Some tag structure: "<p>", "<!DOCTYPE", "</div>". A lone "a < b" is not markup.
_MARKUP = re.compile(r"<(?:!doctype|!--|/?[a-z][a-z0-9:-]*[\s/>])", re.IGNORECASE)
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$", re.IGNORECASE)
_SMALLEST_LEAD_SIZE = 150  # below this an image above the text is an avatar or a thumbnail
_SPACES = re.compile(r"\s+")
_INLINE_TAGS = {"#b": "strong", "#i": "em", "#t": "code", "#sub": "sub", "#sup": "sup"}
_EXTRA_FIELDS = ("description", "sitename", "hostname", "image", "categories", "tags", "license")


# Pages beyond this are data dumps or generated listings, not articles; extracting
# from them takes minutes and gigabytes.
MAX_PAGE_BYTES = 20_000_000


def parse(path: Path, data: bytes) -> list[ParsedArticle]:
    return [parse_page(data, folder=path.parent)]


def parse_page(
    data: bytes,
    *,
    folder: Path | None = None,
    page_url: str = "",
    fetch: ImageFetcher | None = None,
) -> ParsedArticle:
    """One page's article. `folder` resolves relative image paths on disk (a saved
    page); `page_url` is where the page was captured (used when the page names no
    canonical URL, and to resolve relative sources); `fetch` supplies captured
    image bytes by URL. Nothing is ever fetched from the network."""
    if len(data) > MAX_PAGE_BYTES:
        raise ImportFailed(
            f"page too large to extract an article from ({len(data) / 1e6:.0f} MB; "
            f"the limit is {MAX_PAGE_BYTES // 1_000_000} MB)"
        )
    text, encoding = decode_text(data)
    if not _MARKUP.search(text):
        raise ImportFailed("not HTML: no markup found")
    root = _parse_tree(text)
    page_meta = read_metadata(root)
    _drop_invisible(root)
    unwrap_noscript_images(root)
    fill_empty_figures(root)
    page_images = mark_images(root)
    # trafilatura prunes the tree it is given; images it drops are looked for in this copy.
    marked = copy.deepcopy(root)
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
            # Reading dates out of free text (dateparser) costs about a second
            # per new language in each process; it is wasted when the page
            # states its date, which is then the one kept.
            date_extraction_params=set_date_params(extensive=not _valid_date(page_meta.published)),
        )
    except Exception as exc:  # a heuristic pipeline: a crash on one page fails that page only
        raise ImportFailed(f"the page could not be analysed: {exc}") from None
    if doc is None or getattr(doc, "body", None) is None:
        raise ImportFailed("no article text found in the page" + _too_deep_note(root))

    meta = {name: _meta_text(getattr(doc, name, None)) for name in ("title", *_EXTRA_FIELDS)}
    # The page's own metadata first; trafilatura's guesses fill the gaps.
    meta["title"] = page_meta.title or meta["title"]
    captured_url = web_url(page_url)
    page_url = web_url(_meta_text(getattr(doc, "url", None))) or captured_url
    base_url = _base_href(root)
    resolver = Resolver(folder, base_url, captured_url or page_url, fetch)
    renderer = _Renderer(page_images, resolver, title=meta["title"])
    renderer.render(doc.body)
    if not renderer.text_blocks:
        raise ImportFailed("no article text found in the page" + _too_deep_note(root))
    kept = _page_blocks(marked, renderer)
    kept_chars = sum(len(block) for block in renderer.text_blocks)
    teasers = teaser_list(marked, page_images, kept, kept_chars)
    if teasers is not None:
        # A section front: its article is the list of teasers, pictures and all.
        listed = _Renderer(page_images, resolver, title=meta["title"])
        listed.render(teaser_body(teasers, page_images, resolver.web_base))
    if teasers is not None and listed.text_blocks:
        renderer = listed
    else:
        _trim_link_lists(kept, renderer)
        if not renderer.image_before_text:
            kept = _page_blocks(marked, renderer)
            renderer.add_lead(_lead_image(marked, page_images, meta["image"], kept))
        renderer.add_dropped(_dropped_images(marked, page_images, renderer))

    warnings: list[str] = []
    published = ""
    for candidate in (page_meta.published, _meta_text(getattr(doc, "date", None))):
        try:
            # The day as the page states it: converting to UTC can move it by one.
            published = normalize_date(candidate)[:10]
        except ValueError as exc:
            warnings.append(f"published date ignored: {exc}")
        if published:
            break

    body_text = "\n\n".join(renderer.text_blocks)
    extra = {name: meta[name] for name in _EXTRA_FIELDS if meta[name]}
    extra["encoding"] = encoding
    return ParsedArticle(
        title=meta["title"] or _fallback_title(root, renderer.text_blocks),
        text=body_text,
        html=sanitize_fragment("".join(renderer.html_parts)),
        author=page_meta.byline or _meta_text(getattr(doc, "author", None)),
        source=meta["sitename"],
        url=page_url,
        published=published,
        language=_language(root),
        images=tuple(renderer.images),
        tags=_page_tags(getattr(doc, "tags", None)),
        warnings=tuple(warnings),
        extra=extra,
    )


_MAX_PAGE_TAGS = 30  # keyword lists written for search engines can run to hundreds


def _page_tags(values: object) -> tuple[str, ...]:
    """The page's own keywords (article:tag, keywords), as a reference manager keeps them."""
    if not isinstance(values, (list, tuple)):
        return ()
    tags = (clean_text(part) for value in values for part in str(value).split(","))
    return tuple(dict.fromkeys(t for t in tags if t and len(t) <= 80))[:_MAX_PAGE_TAGS]


_TOO_DEEP = "Excessive depth"  # libxml2 stops reading a document nested deeper than 256 tags
_PARSED_TOO_DEEP = "too_deep"


def _too_deep_note(root: lxml.html.HtmlElement) -> str:
    if root.get(_PARSED_TOO_DEEP) is None:
        return ""
    return " (its tags nest more than 256 deep; what lies deeper cannot be read)"


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
    if any(_TOO_DEEP in entry.message for entry in parser.error_log):
        root.set(_PARSED_TOO_DEEP, "")  # a mark on the tree, read when no text is found
    return root


class _Renderer:
    """trafilatura's XML body → sanitised-ready HTML parts, text blocks and images."""

    def __init__(self, page_images: list[PageImage], resolver: Resolver, title: str) -> None:
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
        # Per text block: (its text, html part and text block positions after it).
        self.anchors: list[tuple[str, int, int]] = []

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
        shift = 0
        if caption := " ".join(p for p in (image.caption, image.credit) if p):
            self.text_blocks.insert(0, caption)
            shift = 1
        self.anchors = [(key, html + 1, text + shift) for key, html, text in self.anchors]

    def add_dropped(self, dropped: list[tuple[int, int]]) -> None:
        """Images of the article's container that trafilatura left out, each placed
        after the text block it follows on the page (-1: before the first)."""
        html_after: dict[int, list[str]] = {}
        text_after: dict[int, list[str]] = {}
        for page_index, anchor in dropped:
            page_image = self.page_images[page_index]
            if page_image.src in self._index_of_source:
                continue
            image = self.resolver.image(page_image, role="inline")
            if image is None:
                continue
            self.images.append(image)
            index = len(self.images) - 1
            self._index_of_source[page_image.src] = index
            html_at, text_at = (0, 0) if anchor < 0 else self.anchors[anchor][1:]
            markup = figure(index, image.caption, image.credit, image.alt)
            html_after.setdefault(html_at, []).append(markup)
            if caption := " ".join(p for p in (image.caption, image.credit) if p):
                text_after.setdefault(text_at, []).append(caption)
        self.html_parts = _insert_at(self.html_parts, html_after)
        self.text_blocks = _insert_at(self.text_blocks, text_after)

    def _block(self, element: lxml.etree._Element) -> None:
        tag = element.tag
        if tag == "graphic":
            self._figure(element)
            return
        if tag == "head":
            text = clean_text(_text_of(element))
            # The title is stored apart; repeating it at the top of the body is noise.
            if not text or (not self.text_blocks and _key(text) == self.title_key):
                return
            rend = re.fullmatch(r"h([1-6])", element.get("rend") or "")
            level = max(int(rend[1]), 2) if rend else 2  # h1 belongs to the title
            self._emit(f"<h{level}>{self._inline(element)}</h{level}>", text)
        elif tag == "list":
            name = "ol" if element.get("rend") == "ol" else "ul"
            items = [item for item in element if item.tag == "item"]
            lines = [clean_text(_text_of(item)) for item in items]
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
        if text := clean_text(text):
            self._emit(f"<p>{_escape(text)}</p>", text)

    def _emit(self, markup: str, text: str) -> None:
        text = "\n".join(clean_text(line) for line in text.split("\n") if line.strip())
        if text or "<img " in markup:  # a paragraph holding only an image still shows it
            self.html_parts.append(markup)
            self._last_caption = ""
        if text:
            self.text_blocks.append(text)
            self.anchors.append((_key(text), len(self.html_parts), len(self.text_blocks)))

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
        match = PLACEHOLDER_INDEX.search(element.get("src") or "")
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
        if tag == "ref" and web_url(child.get("target") or ""):
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
            rows_text.append(" ".join(clean_text(_text_of(cell)) for cell in cells))
        self._emit(f"<table><tbody>{''.join(rows_html)}</tbody></table>", "\n".join(rows_text))


def _insert_at(items: list[str], additions: dict[int, list[str]]) -> list[str]:
    out = list(additions.get(0, []))
    for position, item in enumerate(items, start=1):
        out.append(item)
        out.extend(additions.get(position, []))
    return out


_OPENING_CHARS = 40
_MIN_OPENING = 15
_BLOCK_TAGS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "td")
_MIN_ANCHORS = 3  # fewer matched blocks say too little about where the article is
_CONTAINER_SHARE = 0.8


def _opening(text: str) -> str:
    return _key(text)[:_OPENING_CHARS]


def _page_blocks(
    tree: lxml.html.HtmlElement, renderer: _Renderer
) -> dict[lxml.etree._Element, int]:
    """The page's block elements found again in the kept text, with the block holding each."""
    # A kept block may join several of the page's (a step's heading and its text).
    starts, keys, offset = [], [], 0
    for block_key, _, _ in renderer.anchors:
        starts.append(offset)
        keys.append(block_key)
        offset += len(block_key) + 1
    joined = "\n".join(keys)
    kept: dict[lxml.etree._Element, int] = {}
    for element in tree.iter(*_BLOCK_TAGS):
        opening = _opening(element.text_content())
        if len(opening) < _MIN_OPENING or (at := joined.find(opening)) < 0:
            continue
        kept[element] = bisect.bisect_right(starts, at) - 1
    return kept


_LINKED_SHARE = 0.5
_SHORT_BLOCK_CHARS = 40  # characters, not words: CJK text has no spaces


def _trim_link_lists(kept: dict[lxml.etree._Element, int], renderer: _Renderer) -> None:
    """Cut what follows the article when it is lists of links to other pages
    ("More stories", "You might also like") and their short headings.

    `kept` holds the page's blocks found in the renderer's text (`_page_blocks`).
    """
    text_chars: Counter[int] = Counter()
    link_chars: Counter[int] = Counter()
    for element, block in kept.items():
        if any(ancestor in kept for ancestor in element.iterancestors()):
            continue  # counted with its enclosing block
        text_chars[block] += len(clean_text(element.text_content()))
        link_chars[block] += sum(len(clean_text(a.text_content())) for a in element.iter("a"))
    blocks = renderer.anchors
    # A long list of links to other pages ends the article: whatever follows it
    # (slideshows, more teasers) belongs to the page around the article.
    cut = next(
        (
            i
            for i in range(len(blocks) // 2 + 1, len(blocks))
            if renderer.html_parts[blocks[i][1] - 1].startswith(("<ul>", "<ol>"))
            and _link_list(renderer.text_blocks[blocks[i][2] - 1], text_chars[i], link_chars[i])
        ),
        len(blocks),
    )
    while cut > len(blocks) // 2 + 1:
        index = cut - 1
        short = len(blocks[index][0]) < _SHORT_BLOCK_CHARS
        linked = text_chars[index] and link_chars[index] / text_chars[index] >= _LINKED_SHARE
        if linked or short:
            cut = index
            continue
        # A teaser of another page: its linked headline, then its summary.
        headline = index - 1
        if headline > len(blocks) // 2 and _teaser_headline(
            blocks, headline, text_chars, link_chars
        ):
            cut = headline
            continue
        break
    # Keep a short closing block that is not a link (a sign-off, a date line).
    while cut < len(blocks) and not link_chars[cut] and cut == len(blocks) - 1:
        cut += 1
    if cut >= len(blocks) or not any(link_chars[i] for i in range(cut, len(blocks))):
        return
    _, html_at, text_at = blocks[cut - 1]
    renderer.html_parts = renderer.html_parts[:html_at]
    renderer.text_blocks = renderer.text_blocks[:text_at]
    renderer.anchors = blocks[:cut]


_TEASER_HEADLINE_CHARS = 120
_LINK_LIST_ITEMS = 5
_LINK_LIST_SHARE = 0.8


def _link_list(text: str, text_chars: int, link_chars: int) -> bool:
    """A list of links to other pages: several lines, nearly all of them link text."""
    lines = [line for line in text.split("\n") if line.strip()]
    # The page's own elements must account for the list, or the counts say nothing.
    counted = text_chars >= 0.5 * sum(len(line) for line in lines)
    return (
        len(lines) >= _LINK_LIST_ITEMS and counted and link_chars / text_chars >= _LINK_LIST_SHARE
    )


def _teaser_headline(
    blocks: list[tuple[str, int, int]],
    index: int,
    text_chars: Counter[int],
    link_chars: Counter[int],
) -> bool:
    """A short block that is mostly one link: a headline leading to another page."""
    return (
        len(blocks[index][0]) < _TEASER_HEADLINE_CHARS
        and bool(text_chars[index])
        and link_chars[index] / text_chars[index] >= _LINKED_SHARE
    )


def _article_container(kept: dict[lxml.etree._Element, int]) -> lxml.etree._Element | None:
    """The deepest element holding most of the kept blocks; None when that is the whole page."""
    if len(kept) < _MIN_ANCHORS:
        return None
    counts: Counter[lxml.etree._Element] = Counter()
    for element in kept:
        counts.update(element.iterancestors())
    holding_most = [a for a, n in counts.items() if n >= _CONTAINER_SHARE * len(kept)]
    if not holding_most:
        return None
    container = max(holding_most, key=lambda a: sum(1 for _ in a.iterancestors()))
    return None if container.tag in ("html", "body") else container


def _dropped_images(
    tree: lxml.html.HtmlElement, page_images: list[PageImage], renderer: _Renderer
) -> list[tuple[int, int]]:
    """Images inside the article's container that trafilatura did not keep.

    The container is the deepest element holding most of the blocks trafilatura
    kept (found again in the page by their opening words). Returns (page image
    index, index of the kept block it follows, or -1) in page order.
    """
    kept = _page_blocks(tree, renderer)
    container = _article_container(kept)
    if container is None:
        return []
    found: list[tuple[int, int]] = []
    last_anchor = -1
    for element in container.iter():
        if element in kept:
            last_anchor = max(last_anchor, kept[element])
            continue
        if element.tag != "img":
            continue
        match = PLACEHOLDER_INDEX.search(element.get("src") or "")
        if match is None or int(match[1]) >= len(page_images):
            continue
        page_image = page_images[int(match[1])]
        if page_image.tracking_pixel or _hidden(element, container) or _teaser(element):
            continue
        if page_image.icon:
            continue
        found.append((int(match[1]), last_anchor))
    return found


_TEASER_TEXT = 15


def _teaser(element: lxml.html.HtmlElement) -> bool:
    """An image linking to another page next to that page's headline (related articles)."""
    link = next(element.iterancestors("a"), None)
    if link is None or IMAGE_FILE.search(link.get("href") or ""):
        return False
    holder = link.getparent() if link.getparent() is not None else link
    return len(clean_text(holder.text_content())) >= _TEASER_TEXT


def _hidden(element: lxml.html.HtmlElement, container: lxml.html.HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        if node is container:
            return False
        style = (node.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style:
            return True
        if node.get("hidden") is not None:
            return True
        # Hidden from screen readers only: an image with an alt text (a formula
        # rendered beside its markup) still shows part of the article.
        if node.get("aria-hidden") == "true" and not (node is element and node.get("alt")):
            return True
        if node.tag in ("nav", "aside", "footer", "button"):
            return True
    return False


_INVISIBLE_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _drop_invisible(root: lxml.html.HtmlElement) -> None:
    """Remove what the page never shows: hidden elements, player and dialog chrome.

    An image hidden from screen readers only but carrying an alt text (a formula
    rendered beside its markup) is shown, so it stays.
    """
    body = root.find(".//body")
    if body is None:
        return
    doomed = []
    for element in body.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "img" and element.get("alt"):
            continue
        if (
            element.get("hidden") is not None
            or element.get("aria-hidden") == "true"
            or _INVISIBLE_STYLE.search(element.get("style") or "")
        ):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None and not any(
            ancestor in doomed for ancestor in element.iterancestors()
        ):
            element.drop_tree()


def _lead_image(
    root: lxml.html.HtmlElement,
    page_images: list[PageImage],
    og_image: str,
    kept: dict[lxml.etree._Element, int],
) -> int | None:
    """The article's lead image when trafilatura left it out but the page makes it plain.

    Plain means: the first image of the <article> (or <main>) element comes
    before the article's kept text (a standfirst above it does not count) and
    is either inside a <figure> or the page's own sharing image (og:image), and
    its declared size is not that of an avatar or a thumbnail. The element is
    the one holding the kept text: menus and teasers are <article>s too.
    """
    candidates = root.xpath("//article | //main")
    wanted = set(candidates)
    # The one holding most of the text, the innermost of those: a <main> holds the
    # article's header and body, and teasers too.
    held = Counter(a for element in kept for a in element.iterancestors() if a in wanted)
    container = max(held, key=lambda c: (held[c], sum(1 for _ in c.iterancestors())), default=None)
    if container is None and not kept:
        container = next(iter(candidates), None)
    if container is None:
        return None
    for element in container.iter("img", *_BLOCK_TAGS):
        if element.tag != "img" and (
            element in kept if kept else clean_text(element.text_content())
        ):
            return None  # the article's text has begun
        if element.tag != "img":
            continue
        match = PLACEHOLDER_INDEX.search(element.get("src") or "")
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


def _valid_date(text: str) -> bool:
    try:
        return bool(text) and bool(normalize_date(text))
    except ValueError:
        return False


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
        if candidate is not None and (text := clean_text(candidate.text_content())):
            return shorten_title(text, limit=200)
    return derive_title(blocks) or shorten_title(first_sentence(blocks[0]))


def _meta_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(clean_text(str(v)) for v in value if str(v).strip())
    return clean_text(str(value))


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


def _key(text: str) -> str:
    return clean_text(text).casefold()


def _escape(text: str) -> str:
    return htmllib.escape(text, quote=True)
