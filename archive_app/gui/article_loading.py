"""Reading one article for the reader, with its images decoded, off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QImageReader

from archive_app.core.archive import Archive
from archive_app.core.classification import TopicExplanation
from archive_app.core.images import blurred_preview
from archive_app.core.models import Article, Topic
from archive_app.gui.tasks import Job

DOCUMENT_SIDE_LIMIT = 2400  # images are decoded no larger than this for the page
PREVIEW_CACHE_LIMIT = 4000


@dataclass(frozen=True)
class LoadedArticle:
    """What the reader shows for one article, read and decoded off the GUI thread."""

    requested: str
    article: Article
    explanations: tuple[TopicExplanation, ...]
    topics: tuple[Topic, ...]
    extracted: dict[str, str]
    images: dict[str, QImage] = field(default_factory=dict)  # sha256 → decoded for the page
    previews: dict[str, QImage] = field(default_factory=dict)  # sha256 → blurred preview

    def explanation(self, topic: str) -> TopicExplanation | None:
        return next((e for e in self.explanations if e.score.topic == topic), None)

    def label(self, topic: str) -> str:
        return next((t.label for t in self.topics if t.id == topic), topic)


def load_article(
    archive: Archive,
    article_id: str,
    *,
    blur: Callable[[Article], bool],
    preview_cache: dict[str, bytes],
    job: Job | None = None,
) -> LoadedArticle:
    """Read an article with everything the reader shows; runs in a read task."""
    article = archive.get(article_id)
    explanations = archive.explain_topics(article.id)
    topics = tuple(archive.topics())
    images: dict[str, QImage] = {}
    previews: dict[str, QImage] = {}
    wants_blur = blur(article)
    for ref in article.images:
        if job is not None:
            job.check()
        if not ref.sha256 or ref.sha256 in images:
            continue
        path = archive.image_path(ref.sha256)
        image = _decode_for_page(path)
        if image is not None:
            images[ref.sha256] = image
        if wants_blur:
            preview = preview_cache.get(ref.sha256)
            if preview is None:
                try:
                    preview = blurred_preview(path.read_bytes())
                except Exception:  # no preview: the image is covered by a plain panel instead
                    preview = b""
                if len(preview_cache) < PREVIEW_CACHE_LIMIT:
                    preview_cache[ref.sha256] = preview
            decoded = QImage.fromData(preview) if preview else QImage()
            previews[ref.sha256] = decoded
    return LoadedArticle(
        requested=article_id,
        article=article,
        explanations=explanations,
        topics=topics,
        extracted=archive.extracted_values(article.id),
        images=images,
        previews=previews,
    )


def _decode_for_page(path: Path) -> QImage | None:
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > DOCUMENT_SIDE_LIMIT:
        # JPEG decodes straight to a smaller size: big photographs stay cheap.
        reader.setScaledSize(
            size.scaled(
                DOCUMENT_SIDE_LIMIT, DOCUMENT_SIDE_LIMIT, Qt.AspectRatioMode.KeepAspectRatio
            )
        )
    image = reader.read()
    return None if image.isNull() else image
