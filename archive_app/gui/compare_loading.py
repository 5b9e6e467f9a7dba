"""Reading what a comparison shows, in one background task.

The articles, their thumbnails and their comparisons with the first are read
here, and the panes' documents are built here too, so showing them costs the
GUI thread only the layout of their text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from archive_app.core.archive import Archive, ArticleNotFound
from archive_app.core.models import Article, Comparison
from archive_app.gui.compare_document import PaneDocument, build_document
from archive_app.gui.tasks import Job

MAX_PANES = 4
THUMBNAIL_PIXELS = 112  # decoded height of the strip's thumbnails: sharp at twice the size


class NothingToCompare(Exception):
    """Fewer than two of the articles asked for could be read."""


@dataclass(frozen=True)
class PaneData:
    """One article as its pane shows it, read and built off the GUI thread."""

    article: Article
    document: PaneDocument
    thumbnails: dict[str, QImage]


@dataclass(frozen=True)
class LoadedComparison:
    panes: tuple[PaneData, ...]
    comparisons: tuple[Comparison, ...]  # the first pane against each other one
    topic_labels: dict[str, str]
    missing: tuple[str, ...]  # ids asked for that the archive no longer has


def load_comparison(
    archive: Archive, ids: Sequence[str], *, with_versions: bool = False, job: Job | None = None
) -> LoadedComparison:
    """Read the articles and compare them with the first; runs in a read task."""
    wanted = list(dict.fromkeys(ids))
    if with_versions and wanted:
        related = archive.related(wanted[0])
        wanted += [d.id for d in related.near_duplicates if d.id not in wanted]
    wanted = wanted[:MAX_PANES]
    panes: list[PaneData] = []
    missing: list[str] = []
    for done, article_id in enumerate(wanted):
        if job is not None:
            job.check()
            job.progress(done, len(wanted) * 2, "Reading the articles")
        try:
            article = archive.get(article_id)
        except ArticleNotFound:
            missing.append(article_id)
            continue
        panes.append(
            PaneData(
                article, build_document(article.text, article.html), _thumbnails(archive, article)
            )
        )
    if len(panes) < 2:
        if with_versions and not missing:
            raise NothingToCompare("No other version of this article is in the archive.")
        raise NothingToCompare(
            "There is nothing to compare: fewer than two of these articles are in the archive."
        )
    comparisons = compare_with_first(archive, [p.article.id for p in panes], job)
    labels = {topic.id: topic.label for topic in archive.topics()}
    return LoadedComparison(tuple(panes), comparisons, labels, tuple(missing))


def compare_with_first(
    archive: Archive, ids: Sequence[str], job: Job | None = None
) -> tuple[Comparison, ...]:
    comparisons = []
    for done, other in enumerate(ids[1:], start=1):
        if job is not None:
            job.check()
            job.progress(len(ids) + done, len(ids) * 2, "Comparing")
        comparisons.append(archive.compare(ids[0], other))
    return tuple(comparisons)


def _thumbnails(archive: Archive, article: Article) -> dict[str, QImage]:
    images: dict[str, QImage] = {}
    for ref in article.images:
        if not ref.sha256 or ref.sha256 in images:
            continue
        try:
            image = QImage(str(archive.thumbnail(ref.sha256)))
        except OSError:
            continue  # no thumbnail: the strip shows a plain tile
        if not image.isNull():
            images[ref.sha256] = image.scaledToHeight(
                THUMBNAIL_PIXELS, Qt.TransformationMode.SmoothTransformation
            )
    return images
