"""Body HTML fragments for the reader: built from text, or sanitised with nh3.

The stored fragment holds only structural markup. Images are written
`<img src="image:N">`, N indexing the article's image list, so the reader
resolves them from the archive and nothing remote is ever referenced.
"""

from __future__ import annotations

import html as htmllib
import re

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li",
        "figure", "figcaption", "em", "strong", "b", "i", "a", "br", "img",
        "table", "thead", "tbody", "tr", "th", "td", "pre", "code", "hr", "sub", "sup",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}

_IMAGE_SRC = re.compile(r"^image:\d+$")


def sanitize_fragment(fragment: str) -> str:
    """Only structural tags survive; scripts, styles, handlers and remote images go."""

    def keep_attribute(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src" and not _IMAGE_SRC.match(value):
            return None
        return value

    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto", "image"},
        attribute_filter=keep_attribute,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def paragraph(text: str) -> str:
    return f"<p>{htmllib.escape(text, quote=False)}</p>"


def heading(text: str, level: int = 2) -> str:
    return f"<h{level}>{htmllib.escape(text, quote=False)}</h{level}>"


def figure(index: int, caption: str = "", credit: str = "", alt: str = "") -> str:
    parts = [f'<img src="image:{index}" alt="{htmllib.escape(alt)}">']
    text = " ".join(p for p in (caption, credit) if p)
    if text:
        parts.append(f"<figcaption>{htmllib.escape(text, quote=False)}</figcaption>")
    return "<figure>" + "".join(parts) + "</figure>"
