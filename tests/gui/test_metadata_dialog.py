"""Editing an article's details: saved as the person's values, checked, restorable."""

from __future__ import annotations

import pytest

from archive_app.core.models import SearchRequest
from archive_app.gui.metadata_dialog import MetadataDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def article(sample_archive):
    for hit in sample_archive.search(SearchRequest(limit=200, snippets=False)).hits:
        found = sample_archive.get(hit.id)
        if found.provenance.filename == "abducted-children-case.html":
            return found
    raise AssertionError("sample article missing")


def open_dialog(archive, tasks, article, qtbot) -> MetadataDialog:
    dialog = MetadataDialog(archive, tasks, article, archive.extracted_values(article.id))
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def test_edits_are_saved_and_marked(sample_archive, tasks, article, qtbot):
    dialog = open_dialog(sample_archive, tasks, article, qtbot)
    assert dialog.fields["title"].text() == article.title
    dialog.fields["title"].setText("Brenn trial opens")
    dialog.fields["published"].setText("2024-03-14")
    dialog.fields["author"].setText(article.author)  # unchanged: not recorded as an edit
    assert dialog.changes() == {"title": "Brenn trial opens", "published": "2024-03-14"}
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.accept()
    edited = sample_archive.get(article.id)
    assert edited.title == "Brenn trial opens"
    assert edited.published == "2024-03-14"
    assert set(edited.edited_fields) == {"title", "published"}
    assert saved.args[0].title == "Brenn trial opens"
    assert dialog.result() == MetadataDialog.DialogCode.Accepted

    again = open_dialog(sample_archive, tasks, edited, qtbot)
    assert "original says" in again.hints["title"].text()
    assert article.title in again.hints["title"].text()


def test_an_invalid_date_is_shown_and_nothing_is_saved(sample_archive, tasks, article, qtbot):
    dialog = open_dialog(sample_archive, tasks, article, qtbot)
    dialog.fields["title"].setText("Should not be saved")
    dialog.fields["published"].setText("the 14th of Smarch")
    assert "Not a date" in dialog.hints["published"].text()
    assert dialog.hints["published"].isVisible()
    dialog.accept()
    assert dialog.isVisible() and dialog.result() == 0
    unchanged = sample_archive.get(article.id)
    assert unchanged.title == article.title and unchanged.published == article.published
    dialog.fields["published"].setText("2024-03")
    assert "1 March 2024" in dialog.hints["published"].text()


def test_emptying_a_field_restores_the_extracted_value(sample_archive, tasks, article, qtbot):
    sample_archive.edit(article.id, source="Someone else")
    edited = sample_archive.get(article.id)
    dialog = open_dialog(sample_archive, tasks, edited, qtbot)
    assert dialog.fields["source"].placeholderText() == f"From the original: {article.source}"
    dialog.fields["source"].clear()
    assert "restored" in dialog.hints["source"].text()
    assert dialog.changes() == {"source": None}
    dialog.accept()
    restored = sample_archive.get(article.id)
    assert restored.source == article.source
    assert "source" not in restored.edited_fields


def test_nothing_changed_closes_without_writing(sample_archive, tasks, article, qtbot):
    dialog = open_dialog(sample_archive, tasks, article, qtbot)
    writes = []
    tasks.busy_changed.connect(writes.append)
    dialog.accept()
    assert writes == [] and dialog.result() == MetadataDialog.DialogCode.Accepted


def test_the_language_is_corrected_and_a_bad_code_explained(sample_archive, tasks, qtbot):
    article = sample_archive.get(sample_archive.search_ids(SearchRequest()).ids[0])
    dialog = MetadataDialog(
        sample_archive, tasks, article, sample_archive.extracted_values(article.id)
    )
    qtbot.addWidget(dialog)
    dialog.language.setText("not a language")
    dialog.accept()
    assert not dialog.error_label.isHidden()
    assert "language code" in dialog.error_label.text()
    assert sample_archive.get(article.id).language == article.language
    dialog.language.setText("uk")
    dialog.accept()
    assert sample_archive.get(article.id).language == "uk"
