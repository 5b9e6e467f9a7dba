"""Typing tags: the one parser of a typed list, and the completer and field that help type it.

Tags are typed as "region/kherson, type/news": commas separate tags, "/" makes
levels, and a tag may hold spaces. The archive stores each tag normalised
(`storing.normalize_tag`) and matches names without regard to case, so the
parser does the same: what it returns is what the archive will hold.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from archive_app.core.storing import normalize_tag


def parse_tags(text: str) -> list[str]:
    """The tags in a typed list: normalised, blanks dropped, each once (first spelling kept)."""
    tags: dict[str, str] = {}
    for part in text.replace("\n", ",").split(","):
        tag = normalize_tag(part)
        if tag:
            tags.setdefault(tag.lower(), tag)
    return list(tags.values())


class TagCompleter(QCompleter):
    """Completes the tag being typed from `names`, keeping the tags typed before it.

    Set on a line edit with `setCompleter`, Qt offers it as the person types;
    `TagField` offers it itself, for the tag under the cursor.
    """

    def __init__(self, parent: QWidget, known: Sequence[str] = ()) -> None:
        self.names = QStringListModel(list(known), parent)
        super().__init__(self.names, parent)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def set_known(self, names: Sequence[str]) -> None:
        self.names.setStringList(list(names))

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex) -> str:
        name = str(index.data())
        widget = self.widget()
        if not isinstance(widget, QLineEdit) or widget.completer() is not self:
            return name  # the field puts the name in place itself
        typed = widget.text()
        head = typed.rsplit(",", 1)[0] + ", " if "," in typed else ""
        return head + name


class TagField(QLineEdit):
    """A line of comma-separated tags that completes the tag under the cursor."""

    def __init__(self, known: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("region/kherson, type/report")
        self.completer_ = TagCompleter(self, known)
        self.completer_.setWidget(self)
        self.completer_.activated.connect(self._complete)
        self.textEdited.connect(self._offer)

    def set_known(self, names: Sequence[str]) -> None:
        self.completer_.set_known(names)

    def tags(self) -> list[str]:
        return parse_tags(self.text())

    def current_word(self) -> str:
        return self.text()[: self.cursorPosition()].rsplit(",", 1)[-1].strip()

    def _offer(self, _text: str) -> None:
        word = self.current_word()
        if not word:
            self.completer_.popup().hide()
            return
        self.completer_.setCompletionPrefix(word)
        if self.completer_.completionCount():
            self.completer_.complete()
        else:
            self.completer_.popup().hide()

    def _complete(self, name: str) -> None:
        before = self.text()[: self.cursorPosition()]
        after = self.text()[self.cursorPosition() :]
        head = before.rsplit(",", 1)[0] + ", " if "," in before else ""
        rest = after.split(",", 1)[1].lstrip() if "," in after else ""
        self.setText(f"{head}{name}, {rest}")
        self.setCursorPosition(len(head) + len(name) + 2)
