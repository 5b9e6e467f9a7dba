"""Problems in plain words, with the technical text one click away."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from archive_app.core.archive import Archive, ArchiveError, ArticleNotFound
from archive_app.core.catalog import CatalogError
from archive_app.core.index import QuerySyntaxError
from archive_app.core.locking import ArchiveLocked
from archive_app.gui.messages import friendly_message, show_error

pytestmark = pytest.mark.gui


def test_a_locked_archive_names_who_holds_it(archive_dir):
    with Archive.open(archive_dir), pytest.raises(ArchiveLocked) as locked:
        Archive.open(archive_dir)
    message = friendly_message(locked.value)
    assert message.startswith("This archive is already open in archive-app (pid ")
    assert "Close it there, then try again." in message
    assert message.endswith(f"Archive: {archive_dir}")
    assert friendly_message(ArchiveLocked("locked")) == (
        "This archive is open in another window or program. Close it there, then try again."
    )


def test_archive_and_catalog_errors_read_as_sentences(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(ArchiveError) as not_archive:
        Archive.open(tmp_path)
    assert friendly_message(not_archive.value) == f"{tmp_path} is not empty and is not an archive."
    assert friendly_message(ArticleNotFound("no article with id 'abc123'")) == (
        "No article with id 'abc123'."
    )
    newer = CatalogError("catalog.sqlite3 was written by a newer archive-app (schema 9)")
    assert friendly_message(newer) == (
        "The archive's catalog cannot be used: catalog.sqlite3 was written by a newer "
        "archive-app (schema 9). It may be damaged, or it was made by a newer version of "
        "archive-app."
    )
    assert "catalog could not be read" in friendly_message(
        sqlite3.DatabaseError("database disk image is malformed")
    )


def test_file_problems_name_the_file(tmp_path):
    missing = tmp_path / "gone.html"
    with pytest.raises(OSError) as not_found:
        missing.read_bytes()
    assert friendly_message(not_found.value) == (
        f"“{missing}” could not be found. It may have been moved or deleted."
    )
    denied = PermissionError(13, "Permission denied", "/media/usb/a.pdf")
    assert friendly_message(denied) == (
        "archive-app is not allowed to use “/media/usb/a.pdf”. Check the file's permissions."
    )
    full = OSError(28, "No space left on device", "/data/out.csv")
    assert friendly_message(full) == (
        "There is no space left on the disk to write “/data/out.csv”. Free some space and retry."
    )
    other = OSError(5, "Input/output error", "/mnt/disk/a.txt")
    assert friendly_message(other) == "Could not use “/mnt/disk/a.txt”: input/output error."
    assert friendly_message(OSError("socket closed")) == "Could not use a file: socket closed."


def test_a_query_that_cannot_be_parsed(archive):
    with pytest.raises(QuerySyntaxError) as bad:
        archive.index.parse("published:1999-99-99")
    message = friendly_message(bad.value)
    assert message.startswith("The search could not be understood (published: ")
    assert message.endswith("Check quotes and brackets, or search for plain words.")


def test_anything_else_is_reassuring_not_technical():
    message = friendly_message(KeyError("hits"))
    assert "KeyError" not in message and "hits" not in message
    assert "Your archive is safe" in message


def test_show_error_puts_the_details_behind_a_button(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    box = show_error(window, "Import failed", "The folder could not be read.", "Traceback: …")
    assert box.isVisible() and box.windowTitle() == "Import failed"
    assert box.text() == "The folder could not be read."
    assert box.detailedText() == "Traceback: …"
    assert box.icon() == QMessageBox.Icon.Warning
    box.close()
    plain = show_error(window, "Search failed", "Nothing to add.")
    assert plain.detailedText() == ""
    plain.close()
