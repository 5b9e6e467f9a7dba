"""Why an article has a topic or not: the explanation, the menu of topics, the popup to decide."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from archive_app.core.classification import TopicExplanation
from archive_app.core.models import Topic
from archive_app.gui.article_loading import LoadedArticle
from archive_app.gui.popups import show_popup


class TopicPopup(QFrame):
    """Why an article has (or lacks) a topic, and the person's say over it."""

    decided = Signal(str, object)  # topic id, True (set) / False (removed) / None (the rules)

    def __init__(
        self,
        topic: Topic,
        explanation: TopicExplanation | None,
        muted: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.topic = topic
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(380)
        self.setMaximumWidth(520)
        self.text = QLabel(explanation_html(topic, explanation, muted))
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text.setContentsMargins(0, 0, 10, 0)  # clear of the scroll bar
        scroll = QScrollArea()
        scroll.setWidget(self.text)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMaximumHeight(380)
        scroll.setMinimumHeight(min(380, self.text.sizeHint().height() + 8))
        manual = explanation.manual if explanation is not None else None
        self.set_button = QPushButton("Set by hand")
        self.set_button.setToolTip("This article has the topic, whatever the rules say")
        self.remove_button = QPushButton("Remove by hand")
        self.remove_button.setToolTip(
            "This article does not have the topic, whatever the rules say"
        )
        self.rules_button = QPushButton("Let the rules decide")
        self.set_button.setEnabled(manual is not True)
        self.remove_button.setEnabled(manual is not False)
        self.rules_button.setEnabled(manual is not None)
        self.set_button.clicked.connect(lambda: self._decide(True))
        self.remove_button.clicked.connect(lambda: self._decide(False))
        self.rules_button.clicked.connect(lambda: self._decide(None))
        buttons = QHBoxLayout()
        buttons.addWidget(self.set_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.rules_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addWidget(scroll)
        layout.addLayout(buttons)

    def show_at(self, anchor: QWidget) -> None:
        show_popup(self, anchor)

    def _decide(self, value: bool | None) -> None:
        self.decided.emit(self.topic.id, value)
        self.close()


def explanation_html(topic: Topic, explanation: TopicExplanation | None, muted: str) -> str:
    """The topic's score against its threshold, and the words and rules that counted."""
    out = [f"<p style='margin:0'><b>{html.escape(topic.label)}</b></p>"]
    if topic.description:
        out.append(f"<p style='color:{muted}; margin-top:2px'>{html.escape(topic.description)}</p>")
    if explanation is None:
        out.append("<p>No rule of this archive's topics.toml scores this topic.</p>")
        return "".join(out)
    score = explanation.score
    reach = "reaches" if score.assigned else "stays below"
    numbers = f"score {score.score:.1f}, which {reach} the threshold of {score.threshold:.1f}"
    if explanation.manual is True:
        state = f"<b>Set by hand.</b> The rules alone give a {numbers}."
    elif explanation.manual is False:
        state = f"<b>Removed by hand.</b> The rules alone give a {numbers}."
    elif explanation.assigned:
        state = f"<b>Assigned by the rules:</b> {numbers}."
    else:
        state = f"<b>Not assigned:</b> the rules give a {numbers}."
    out.append(f"<p>{state}</p>")
    if score.contributions:
        out.append("<p style='margin-bottom:2px'>What counted:</p><ul style='margin-top:0'>")
        for c in score.contributions[:10]:
            times = "once" if c.count == 1 else f"{c.count} times"
            out.append(
                f"<li><b>{html.escape(c.term)}</b> — {times}, {c.points:.1f} points"
                + (
                    f"<br><span style='color:{muted}'>“{html.escape(c.sentences[0])}”</span>"
                    if c.sentences
                    else ""
                )
                + "</li>"
            )
        if len(score.contributions) > 10:
            out.append(f"<li>and {len(score.contributions) - 10} more</li>")
        out.append("</ul>")
    else:
        out.append("<p>None of the topic's words or rules occur in this article.</p>")
    if score.cancellations:
        out.append("<p style='margin-bottom:2px'>Not counted (another meaning):</p><ul>")
        for x in score.cancellations:
            out.append(
                f"<li><b>{html.escape(x.term)}</b> beside “{html.escape(x.context)}” "
                f"({x.count}×)</li>"
            )
        out.append("</ul>")
    return "".join(out)


def topic_summary(label: str, explanation: TopicExplanation | None, manual: bool) -> str:
    """A topic chip's tooltip: how the article got the topic, in one line."""
    if manual:
        return f"{label}: set by hand. Click for details."
    if explanation is None:
        return f"{label}. Click for details."
    s = explanation.score
    return (
        f"{label}: assigned by the rules (score {s.score:.1f}, threshold {s.threshold:.1f}). "
        "Click to see why."
    )


def how_assigned(source: str | None, explanation: TopicExplanation | None) -> str:
    """How an article came to have a topic (its assignment's source) or not to have it."""
    if source is not None:
        return "by hand" if source == "manual" else "by the rules"
    if explanation is not None and explanation.manual is False:
        return "removed by hand"
    return "not assigned"


def fill_topics_menu(
    menu: QMenu, loaded: LoadedArticle | None, choose: Callable[[str], object]
) -> None:
    """Every topic, checked where the article has it and saying how; choosing one explains it."""
    menu.clear()
    if loaded is None:
        return
    assigned = {t.topic: t.source for t in loaded.article.topics}
    for topic in loaded.topics:
        how = how_assigned(assigned.get(topic.id), loaded.explanation(topic.id))
        action = menu.addAction(f"{topic.label} — {how}")
        action.setCheckable(True)
        action.setChecked(topic.id in assigned)
        action.triggered.connect(lambda _=False, t=topic.id: choose(t))
