"""Telling the person that something went wrong, in plain words.

Every part of the app shows problems the same way: a short sentence that says
what happened and what to do, with the technical text (the exception and its
traceback) one click away under "Show Details…" for a bug report.
"""

from __future__ import annotations

import errno
import re
import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from archive_app.core.archive import ArchiveError, ArchiveReadOnly, ArticleNotFound, InvalidValue
from archive_app.core.catalog import CatalogDamaged, CatalogError
from archive_app.core.index import QuerySyntaxError
from archive_app.core.locking import ArchiveLocked

_WRITER = re.compile(r"open for changes in (?P<holder>.+?);")
_HOLDER = re.compile(r"the archive at (?P<folder>.+) is open in (?P<holder>.+?); close it there")


def friendly_message(exc: BaseException) -> str:
    """One or two plain sentences for an exception from the archive or the system."""
    if isinstance(exc, ArchiveLocked):
        return _locked(exc)
    if isinstance(exc, QuerySyntaxError):
        return (
            f"The search could not be understood ({_clause(exc)}). Check quotes and "
            "brackets, or search for plain words."
        )
    if isinstance(exc, ArchiveReadOnly):
        return _read_only(exc)
    if isinstance(exc, CatalogDamaged):
        return (
            f"The archive's catalog is damaged: SQLite says “{_clause_of(exc.reason)}”. "
            "Nothing has been written to it. Restore its last good backup to go on; the "
            f"damaged file is kept beside it.\n\nCatalog: {exc.path}"
        )
    if isinstance(exc, CatalogError):
        return (
            f"The archive's catalog cannot be used: {_clause(exc)}. It may be damaged, "
            "or it was made by a newer version of archive-app."
        )
    if isinstance(exc, sqlite3.DatabaseError):
        return (
            f"The archive's catalog could not be read or written ({_clause(exc)}). It may be "
            "damaged: close the archive and restore its last good backup "
            "(archive-app backups restore)."
        )
    if isinstance(exc, ArticleNotFound | InvalidValue | ArchiveError):
        return _sentence(str(exc))
    if isinstance(exc, OSError):
        return _os_message(exc)
    return (
        "Something unexpected went wrong. Your archive is safe; the details below "
        "can help to find the cause."
    )


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> QMessageBox:
    """Show the message with its details; returns the box (already shown).

    With a parent the box opens window-modal without blocking the caller, so a
    background task's callback never runs a nested event loop; without one
    it blocks until closed, as there is no window to attach it to.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(message)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if details:
        box.setDetailedText(details)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    if parent is None:
        box.exec()
    else:
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
    return box


def _locked(exc: ArchiveLocked) -> str:
    found = _HOLDER.search(str(exc))
    if found is None:
        return "This archive is open in another window or program. Close it there, then try again."
    return (
        f"This archive is already open in {found['holder']}. Close it there, then try "
        f"again.\n\nArchive: {found['folder']}"
    )


def _read_only(exc: ArchiveReadOnly) -> str:
    found = _WRITER.search(str(exc))
    if found is None:
        return (
            f"This archive is open for reading only here, so nothing was changed ({_clause(exc)})."
        )
    return (
        f"Nothing was changed: this archive is open for changes in {found['holder']}. "
        "Here you can search and read; close it there, then open it again here to make changes."
    )


def _os_message(exc: OSError) -> str:
    name = exc.filename or exc.filename2
    where = f"“{name}”" if name else "a file"
    if isinstance(exc, FileNotFoundError):
        return f"{_sentence(where)} could not be found. It may have been moved or deleted."
    if isinstance(exc, PermissionError):
        return f"archive-app is not allowed to use {where}. Check the file's permissions."
    if isinstance(exc, IsADirectoryError):
        return f"{_sentence(where)} is a folder, where a file was expected."
    if exc.errno == errno.ENOSPC:
        return f"There is no space left on the disk to write {where}. Free some space and retry."
    reason = exc.strerror or str(exc) or "an unknown system error"
    return f"Could not use {where}: {reason[0].lower()}{reason[1:]}."


def _clause(exc: BaseException) -> str:
    """The exception's text as a clause inside a sentence: no final full stop."""
    return _clause_of(str(exc)) or type(exc).__name__


def _clause_of(text: str) -> str:
    return text.strip().rstrip(".")


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return "The archive could not do this."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", "”")) else text + "."
