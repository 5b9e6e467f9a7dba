"""The reader's History list: an article's audit-log entries under its provenance."""

from __future__ import annotations

import pytest

from archive_app.core.models import SearchRequest
from archive_app.gui.reader_panels import ProvenancePanel

pytestmark = pytest.mark.gui


def _first_id(archive) -> str:
    return archive.search_ids(SearchRequest(sort="oldest")).ids[0]


def test_the_history_lists_the_articles_changes_newest_first(sample_archive, tasks, qtbot):
    article_id = _first_id(sample_archive)
    sample_archive.tag(article_id, ["history/checked"])
    sample_archive.set_note(article_id, "Called the source.")
    panel = ProvenancePanel(archive=sample_archive, tasks=tasks)
    qtbot.addWidget(panel)
    panel.set_article(sample_archive.get(article_id))
    texts = [panel.history.list.item(i).text() for i in range(panel.history.list.count())]
    assert len(texts) == 3
    assert "Note: note added: “Called the source.”" in texts[0]
    assert "Tagged: history/checked" in texts[1]
    assert "Imported: " in texts[2]
    assert sample_archive.get(article_id).provenance.filename in texts[2]
    assert panel.history.list.item(2).toolTip().startswith("Log entry ")
    assert panel.history.status.isHidden()


def test_another_article_replaces_the_list(sample_archive, tasks, qtbot):
    first, second = sample_archive.search_ids(SearchRequest(sort="oldest")).ids[:2]
    sample_archive.tag(first, ["only-first"])
    panel = ProvenancePanel(archive=sample_archive, tasks=tasks)
    qtbot.addWidget(panel)
    panel.set_article(sample_archive.get(first))
    assert panel.history.list.count() == 2
    panel.set_article(sample_archive.get(second))
    assert panel.history.list.count() == 1
    assert "only-first" not in panel.history.list.item(0).text()


def test_without_the_archive_the_panel_has_no_history(qtbot):
    panel = ProvenancePanel()
    qtbot.addWidget(panel)
    assert panel.history is None
