"""The search bar: a query field that searches as the person types.

Typing restarts a short debounce timer; Enter searches at once. The bar only
says *what* to search for (`query_changed`); running the search belongs to the
main window, on the background runner.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_app.gui.popups import show_popup

DEBOUNCE_MS = 200

QUERY_HELP = """
<h3 style="margin:0 0 6px 0">Search syntax</h3>
<table cellspacing="0" cellpadding="3">
<tr><td><code>children deported</code></td>
<td>both words (any form: <i>child</i>, <i>deport</i>)</td></tr>
<tr><td><code>"forced transfer"</code></td><td>the exact phrase</td></tr>
<tr><td><code>kyiv OR kiev</code></td><td>either word</td></tr>
<tr><td><code>orphanage NOT fire</code></td><td>the first without the second</td></tr>
<tr><td><code>(camp OR shelter) AND children</code></td><td>grouping</td></tr>
<tr><td><code>deport*</code>, <code>orphan?ge</code></td>
<td>wildcards: any ending, one letter</td></tr>
<tr><td><code>title:warrant</code></td><td>in a field: <code>title</code>, <code>author</code>,
<code>source</code>, <code>tag</code>, <code>topic</code>, <code>captions</code>,
<code>notes</code>, <code>language</code></td></tr>
<tr><td><code>tag:region/kherson</code></td><td>a tag and every tag below it</td></tr>
<tr><td><code>published:[2023-01-01 TO 2023-06-30]</code></td><td>a date range;
<code>published:&gt;2024</code> after a date</td></tr>
<tr><td><code>year:2022</code></td><td>published in a year</td></tr>
<tr><td><code>title:report^3 ICC</code></td><td>weigh a term more</td></tr>
</table>
<p style="margin:6px 0 0 0">The filters on the left narrow any search;
with no words at all they browse the archive.</p>
"""


class QueryHelp(QFrame):
    """The popover listing the query syntax (F1, or the ? button)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        label = QLabel(QUERY_HELP)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(label)

    def show_below(self, anchor: QWidget) -> None:
        show_popup(self, anchor, gap=4, right_aligned=True)


class QueryExplanation(QFrame):
    """How the archive understood the query: its words' spellings, forms and name keys."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        self.label.setMaximumWidth(640)
        layout.addWidget(self.label)

    def show_text(self, text: str, anchor: QWidget) -> None:
        self.label.setText(text)
        show_popup(self, anchor, right_aligned=True)


class SearchBar(QWidget):
    query_changed = Signal(str)  # after the debounce, or at once on Enter
    explain_requested = Signal(str)  # the person asks how the query was understood

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setPlaceholderText(
            'Search the archive — words, "phrases", title:…, tag:…  (Ctrl+F)'
        )
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumHeight(30)
        self.help_button = QToolButton()
        self.help_button.setText("?")
        self.help_button.setToolTip("Search syntax (F1)")
        self.help_button.setAutoRaise(True)
        self.explain_button = QToolButton()
        self.explain_button.setText("Understood as…")
        self.explain_button.setToolTip(
            "How the query was understood: spellings, word forms and transliterations searched"
        )
        self.explain_button.setAutoRaise(True)
        self.explain_button.setEnabled(False)
        self.explanation = QueryExplanation(self)
        self.count_label = QLabel()
        self.count_label.setObjectName("hitCount")
        self.count_label.setMinimumWidth(110)
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.notice = QLabel()  # "Did you mean …?" or why a query was not understood
        self.notice.setObjectName("searchNotice")
        self.notice.setTextFormat(Qt.TextFormat.RichText)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.notice.linkActivated.connect(self._use_suggestion)
        self.notice.hide()
        self.help = QueryHelp(self)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.field, 1)
        row.addWidget(self.explain_button)
        row.addWidget(self.help_button)
        row.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 4)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.notice)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._emit)
        self.field.textEdited.connect(lambda _text: self._timer.start())
        self.field.returnPressed.connect(self._emit)
        # The clear button changes the text without an edit signal.
        self.field.textChanged.connect(lambda text: text or self._timer.start())
        self.help_button.clicked.connect(self.show_help)
        self.explain_button.clicked.connect(lambda: self.explain_requested.emit(self.query))
        self.field.textChanged.connect(
            lambda text: self.explain_button.setEnabled(bool(text.strip()))
        )
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.field, self._clear_on_escape)
        self._emitted = ""

    # -- what the person typed --------------------------------------------------------

    @property
    def query(self) -> str:
        return self.field.text().strip()

    def set_query(self, text: str, *, search: bool = True) -> None:
        self.field.setText(text)
        self._timer.stop()
        if search:
            self._emit(force=True)
        else:
            self._emitted = self.query

    def focus(self) -> None:
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def _emit(self, force: bool = False) -> None:
        self._timer.stop()
        if force or self.query != self._emitted:
            self._emitted = self.query
            self.query_changed.emit(self.query)

    def _clear_on_escape(self) -> None:
        if self.field.text():
            self.field.clear()

    def show_help(self) -> None:
        self.help.show_below(self.help_button)

    # -- what the search found --------------------------------------------------------

    def show_count(self, total: int, *, browsing: bool) -> None:
        noun = "article" if total == 1 else "articles"
        self.count_label.setText(
            f"{total:,} {noun}" if not browsing else f"{total:,} {noun} in all"
        )

    def show_suggestion(self, suggestion: str | None) -> None:
        if not suggestion or suggestion == self.query:
            self.notice.hide()
            return
        self.notice.setText(f'Did you mean <a href="suggest">{html.escape(suggestion)}</a>?')
        self.notice.setProperty("suggestion", suggestion)
        self.notice.show()

    def show_explanation(self, text: str) -> None:
        self.explanation.show_text(text, self.explain_button)

    def show_error(self, message: str) -> None:
        self.notice.setText(f"<span>Not understood: {html.escape(message)}</span>")
        self.notice.setProperty("suggestion", None)
        self.notice.show()

    def _use_suggestion(self, _link: str) -> None:
        suggestion = self.notice.property("suggestion")
        if suggestion:
            self.notice.hide()
            self.set_query(suggestion)
