"""Importers, one module per format, chosen by file extension.

Each importer module exposes `parse(path, data) -> list[ParsedArticle]`, raising `ImportFailed` or
`NotAnArticle` with a message a person can act on.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from archive_app.core.importers.base import ImportFailed, NotAnArticle, ParsedArticle, ParsedImage

__all__ = [
    "IMAGE_EXTENSIONS",
    "ImportFailed",
    "NotAnArticle",
    "ParsedArticle",
    "ParsedImage",
    "importer_for",
    "importer_name",
    "is_supported",
]

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"})

# Modules are imported on first use: some (trafilatura) take a while to load.
_MODULE_FOR_EXTENSION = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".json": "jsonbulk",
    ".jsonl": "jsonbulk",
    ".ndjson": "jsonbulk",
    ".warc": "warc",
    ".warc.gz": "warc",
    ".mhtml": "mhtml",
    ".mht": "mhtml",
    ".pdf": "pdf",
}


def _extension(path: Path) -> str:
    """The file's format extension, two parts for compressed ones (".warc.gz")."""
    name = path.name.lower()
    for extension in (".warc.gz",):
        if name.endswith(extension):
            return extension
    return path.suffix.lower()


Parser = Callable[[Path, bytes], list[ParsedArticle]]


def is_supported(path: Path) -> bool:
    return _extension(path) in _MODULE_FOR_EXTENSION


def importer_for(path: Path) -> Parser | None:
    """The parse function for this file's format, or None when no importer takes it."""
    name = _MODULE_FOR_EXTENSION.get(_extension(path))
    if name is None:
        return None
    module = importlib.import_module(f"{__name__}.{name}")
    return module.parse


def importer_name(parse: Callable[..., object]) -> str:
    """The short name recorded in provenance ("text", "markdown", ...)."""
    return parse.__module__.rsplit(".", 1)[-1]
