"""A web page's own metadata: title, byline and publication date.

No single source is reliable across sites, so the page is read the way reader
views read it, in order of trust:

- JSON-LD (schema.org Article, NewsArticle, BlogPosting …): headline or name,
  author names, datePublished;
- <meta> tags: Dublin Core, OpenGraph (og:title, article:published_time,
  article:author), Twitter, Parse.ly and plain name="author";
- the document: the <title> with the site name cut off when what remains
  still reads as a headline (cross-checked against the page's headings), an
  element marked as the byline (rel=author, itemprop=author, a "byline" or
  "author" class) and a <time datetime> inside the article.

Each field is "" when the page does not say; the caller falls back on what the
text extractor found.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import lxml.html

__all__ = ["PageMetadata", "read_metadata"]

_SPACES = re.compile(r"\s+")
_ARTICLE_TYPES = re.compile(
    r"^(?:Article|AdvertiserContentArticle|NewsArticle|AnalysisNewsArticle|AskPublicNewsArticle"
    r"|BackgroundNewsArticle|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|Report"
    r"|SatiricalArticle|ScholarlyArticle|MedicalScholarlyArticle|SocialMediaPosting"
    r"|BlogPosting|LiveBlogPosting|DiscussionForumPosting|TechArticle|APIReference)$"
)
_SCHEMA_CONTEXT = re.compile(r"^https?://schema\.org/?$")
_META_PROPERTY = re.compile(
    r"\s*(article|dc|dcterm|og|twitter)\s*:\s*(author|creator|description|published_time"
    r"|title|site_name)\s*",
    re.IGNORECASE,
)
_META_NAME = re.compile(
    r"^\s*(?:(dc|dcterm|og|twitter|parsely|weibo:(?:article|webpage))\s*[-.:]\s*)?"
    r"(author|creator|pub-date|description|title|site_name)\s*$",
    re.IGNORECASE,
)
_TITLE_SEPARATORS = r"\|\-–—\\/>»"
_HIERARCHY_SEPARATORS = re.compile(r" [\\/>»] ")
_ANY_SEPARATOR = re.compile(rf" [{_TITLE_SEPARATORS}] ")
_BYLINE_HINT = re.compile(r"byline|author|dateline|writtenby|p-author", re.IGNORECASE)
_UNLIKELY = re.compile(
    r"-ad-|banner|breadcrumbs|combx|comment|community|disqus|extra|footer|gdpr|header|legends"
    r"|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental"
    r"|popup|tweet|twitter",
    re.IGNORECASE,
)
_MAX_BYLINE = 100
_BY = re.compile(r"^by\s+", re.IGNORECASE)


@dataclass(frozen=True)
class PageMetadata:
    title: str = ""
    byline: str = ""
    published: str = ""  # as the page writes it; the caller normalises


def read_metadata(root: lxml.html.HtmlElement) -> PageMetadata:
    """The page's title, byline and publication date from its markup.

    Call before anything strips <script> elements (JSON-LD lives in them).
    """
    ld = _json_ld(root)
    values = _meta_values(root)
    page_title = _document_title(root)
    title = ld.get("title") or _first(
        values,
        "dc:title",
        "dcterm:title",
        "og:title",
        "weibo:article:title",
        "weibo:webpage:title",
        "title",
        "twitter:title",
        "parsely-title",
    )
    if not title:
        title = _headline_from_title(root, page_title)
    article_author = values.get("article:author", "")
    byline = (
        ld.get("byline")
        or _first(values, "dc:creator", "dcterm:creator", "author", "parsely-author")
        or ("" if _is_url(article_author) else article_author)
        or _byline_element(root)
    )
    published = (
        ld.get("published")
        or _first(values, "article:published_time", "parsely-pub-date")
        or _time_element(root)
    )
    byline = _BY.sub("", _clean(byline))  # "By Jane Doe": the name is what is stored
    return PageMetadata(title=_clean(title), byline=byline, published=_clean(published))


def _clean(value: str | None) -> str:
    return _SPACES.sub(" ", value or "").strip()


def _first(values: dict[str, str], *keys: str) -> str:
    return next((values[k] for k in keys if values.get(k)), "")


def _is_url(value: str) -> bool:
    return bool(re.match(r"^https?://", value.strip(), re.IGNORECASE))


def _meta_values(root: lxml.html.HtmlElement) -> dict[str, str]:
    values: dict[str, str] = {}
    for meta in root.iter("meta"):
        content = _clean(meta.get("content"))
        if not content:
            continue
        name = meta.get("name") or ""
        # A property may list several names: "dc:title og:title".
        matches = list(_META_PROPERTY.finditer(meta.get("property") or ""))
        for match in matches:
            values[f"{match[1]}:{match[2]}".lower()] = content
        if not matches and _META_NAME.match(name):
            values[re.sub(r"\s+", "", name.lower()).replace(".", ":")] = content
    return values


def _json_ld(root: lxml.html.HtmlElement) -> dict[str, str]:
    """Title, byline and date of the first schema.org article described in JSON-LD."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = re.sub(r"^\s*<!\[CDATA\[|\]\]>\s*$", "", script.text or "")
        try:
            parsed = json.loads(raw)
        except ValueError:
            continue
        article = _find_article(parsed)
        if article is None:
            continue
        found: dict[str, str] = {}
        name, headline = article.get("name"), article.get("headline")
        if isinstance(name, str) and isinstance(headline, str) and _clean(name) != _clean(headline):
            title = _document_title(root)
            name_matches = _similarity(name, title) > 0.75
            headline_matches = _similarity(headline, title) > 0.75
            found["title"] = headline if headline_matches and not name_matches else name
        elif isinstance(name, str) and name.strip():
            found["title"] = name
        elif isinstance(headline, str):
            found["title"] = headline
        found["byline"] = _author_names(article.get("author"))
        if isinstance(article.get("datePublished"), str):
            found["published"] = article["datePublished"]
        return {k: _clean(v) for k, v in found.items() if v and _clean(v)}
    return {}


def _find_article(parsed: object) -> dict | None:
    candidates: list[object] = parsed if isinstance(parsed, list) else [parsed]
    for candidate in candidates:
        if not isinstance(candidate, dict):
            continue
        context = candidate.get("@context")
        if isinstance(context, dict):
            context = context.get("@vocab")
        if not isinstance(context, str) or not _SCHEMA_CONTEXT.match(context):
            continue
        if "@type" not in candidate and isinstance(candidate.get("@graph"), list):
            graph = candidate["@graph"]
            candidate = next((item for item in graph if _is_article(item)), None)
            if candidate is None:
                continue
        if _is_article(candidate):
            return candidate  # type: ignore[return-value]
    return None


def _is_article(item: object) -> bool:
    if not isinstance(item, dict):
        return False
    kinds = item.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and _ARTICLE_TYPES.match(k) for k in kinds)


def _author_names(author: object) -> str:
    if isinstance(author, dict):
        name = author.get("name")
        return name if isinstance(name, str) else ""
    if isinstance(author, list):
        names = [a.get("name") for a in author if isinstance(a, dict)]
        return ", ".join(_clean(n) for n in names if isinstance(n, str) and n.strip())
    return author if isinstance(author, str) else ""


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"\W+", text.lower()) if t]


def _similarity(a: str, b: str) -> float:
    """Share of b's words not found in a, turned into a similarity (as reader views do)."""
    tokens_a, tokens_b = _tokens(a), _tokens(b)
    if not tokens_a or not tokens_b:
        return 0.0
    unique_b = [t for t in tokens_b if t not in tokens_a]
    return 1 - len(" ".join(unique_b)) / len(" ".join(tokens_b))


def _document_title(root: lxml.html.HtmlElement) -> str:
    for title in root.iter("title"):  # an empty one, or one inside an <svg>, says nothing
        if next(title.iterancestors("svg"), None) is None and (
            text := _clean(title.text_content())
        ):
            return text
    return ""


def _word_count(text: str) -> int:
    return len(text.split())


def _headline_from_title(root: lxml.html.HtmlElement, original: str) -> str:
    """The <title> without the site's name, when what remains still reads as a headline."""
    title = original
    hierarchical = False
    if _ANY_SEPARATOR.search(title):
        hierarchical = bool(_HIERARCHY_SEPARATORS.search(title))
        title = re.sub(rf"(.*)[{_TITLE_SEPARATORS}] .*", r"\1", original)  # drop the last part
        if _word_count(title) < 3:  # "Site | Headline": drop the first part instead
            title = re.sub(rf"^[^{_TITLE_SEPARATORS}]*[{_TITLE_SEPARATORS}](.*)", r"\1", original)
    elif ": " in title:
        headings = [_clean(h.text_content()) for h in root.iter("h1", "h2")]
        if not any(h == title.strip() for h in headings):
            title = original[original.rfind(":") + 1 :]
            if _word_count(title) < 3:
                title = original[original.find(":") + 1 :]
            elif _word_count(original[: original.find(":")]) > 5:
                title = original
    elif len(title) > 150 or len(title) < 15:
        headings = list(root.iter("h1"))
        if len(headings) == 1:
            title = _clean(headings[0].text_content())
    title = _clean(title)
    words = _word_count(title)
    stripped_words = _word_count(re.sub(rf"[{_TITLE_SEPARATORS}]+", "", original)) - 1
    if words <= 4 and (not hierarchical or words != stripped_words):
        title = original
    return title


def _byline_element(root: lxml.html.HtmlElement) -> str:
    """The text of the first element the page marks as the byline."""
    body = root.find(".//body")
    if body is None:
        return ""
    for element in body.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "meta", "link"):
            continue
        hint = f"{element.get('class') or ''} {element.get('id') or ''}"
        marked = (
            element.get("rel") == "author"
            or "author" in (element.get("itemprop") or "")
            or _BYLINE_HINT.search(hint)
        )
        if not marked or _hidden_or_unlikely(element):
            continue
        text = _clean(element.text_content())
        if 0 < len(text) < _MAX_BYLINE:
            name = element.find(".//*[@itemprop='name']")
            if name is not None and (name_text := _clean(name.text_content())):
                return name_text
            return text
    return ""


def _hidden_or_unlikely(element: lxml.html.HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        style = (node.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or node.get("hidden") is not None:
            return True
        if node.get("aria-hidden") == "true":
            return True
        hint = f"{node.get('class') or ''} {node.get('id') or ''}"
        if _UNLIKELY.search(hint) and not re.search(
            r"and|article|body|column|content|main|shadow", hint, re.IGNORECASE
        ):
            return True
    return False


def _time_element(root: lxml.html.HtmlElement) -> str:
    """A <time datetime> near the article's headline, marked as the publication date."""
    for time in root.xpath("//article//time[@datetime] | //*[@itemprop='datePublished']"):
        value = time.get("datetime") or time.get("content") or ""
        if re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()):
            return value
    return ""
