"""Every article of the hostile corpus, shown in the reader and the comparison view:
only `archive:` resources are requested, nothing remote or local is loaded, no script shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_corpus import write_corpus

from archive_app.gui.archive_browser import ArchiveBrowser
from archive_app.gui.compare_view import CompareView
from archive_app.gui.reader import ArticleReader

pytestmark = pytest.mark.gui

SCRIPT_TEXT = ("alert(", "document.title", "steal()", "evil.example/x.js", "msgbox")
PANES = 4  # articles per comparison view


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-gui").resolve() / "hostile"
    write_corpus(folder)
    return folder


@pytest.fixture
def hostile_ids(archive, hostile_folder: Path) -> list[str]:
    report = archive.import_paths([hostile_folder])
    ids = [item.id for item in report.imported]
    assert len(ids) >= 20
    return ids


def check_requests(browser: ArchiveBrowser, label: str) -> None:
    for url, allowed in browser.requests:
        assert url.startswith("archive:"), f"{label} requested {url!r}"
        assert not allowed or url.startswith("archive:"), f"{label} loaded {url!r}"
    shown = browser.toPlainText()
    for marker in SCRIPT_TEXT:
        assert marker not in shown, f"{label} shows script text {marker!r}"


def test_the_reader_requests_only_archive_resources(archive, tasks, qtbot, hostile_ids) -> None:
    reader = ArticleReader(archive, tasks)
    qtbot.addWidget(reader)
    reader.resize(800, 700)
    reader.show()
    qtbot.waitExposed(reader)
    requested = 0
    for article_id in hostile_ids:
        reader.browser.requests.clear()
        reader.show_article(article_id)
        assert reader.current_id == article_id
        qtbot.wait(1)  # let the layout ask for its images
        title = archive.get(article_id).provenance.filename
        check_requests(reader.browser, f"the reader showing {title}")
        requested += len(reader.browser.requests)
    assert requested, "no article asked for any image: the check would prove nothing"


def test_the_comparison_view_requests_only_archive_resources(
    archive, tasks, qtbot, hostile_ids
) -> None:
    for start in range(0, len(hostile_ids), PANES):
        ids = hostile_ids[start : start + PANES]
        if len(ids) < 2:
            ids = [hostile_ids[0], *ids]
        view = CompareView(archive, tasks, ids, "bridge")
        qtbot.addWidget(view)
        view.resize(1000, 560)
        view.show()
        qtbot.waitExposed(view)
        qtbot.waitUntil(lambda view=view, ids=ids: len(view.panes) == len(ids))
        qtbot.wait(1)
        for pane in view.panes:
            check_requests(pane.browser, f"the comparison pane of {pane.article.title!r}")
        view.stop()
        view.close()
