"""The sidebar's parts on their own: checkable count lists and the published-date filter."""

from __future__ import annotations

import pytest

from archive_app.gui.date_filter import DateRange
from archive_app.gui.facet_lists import CheckList, ElidedCheckBox

pytestmark = pytest.mark.gui


def test_a_long_label_is_elided_with_the_full_text_in_its_tooltip(qtbot):
    box = ElidedCheckBox("Harrowgate Children's Trust (sample), the long name")
    qtbot.addWidget(box)
    box.resize(120, box.sizeHint().height())
    box.show()
    assert box.text().endswith("…") and box.toolTip() == box.full_text()
    box.set_full_text("Short")
    assert box.text() == "Short" and box.toolTip() == ""


def test_a_checked_name_missing_from_the_counts_is_kept_at_the_end(qtbot):
    names = CheckList(hide_zero=True)
    qtbot.addWidget(names)
    names.set_items([("a", "A", 3), ("b", "B", 0)])
    assert names.visible_keys() == ["a"]
    names.set_checked(["c"])
    assert names.keys() == ["a", "b", "c"] and names.count("c") == 0
    assert names.visible_keys() == ["a", "c"]
    assert names.row("c").check.isChecked()
    names.set_counts(None)
    assert names.count("a") is None and names.row("a").count_label.text() == ""


def test_a_year_once_seen_stays_with_zero_and_a_whole_year_is_checked(qtbot):
    dates = DateRange()
    qtbot.addWidget(dates)
    dates.set_years({"2023": 4, "2021": 1})
    dates.set_years({"2021": 2})
    assert dates.year_button("2023").text() == "2023  0"
    assert dates.year_button("2021").text() == "2021  2"
    dates.show_dates("2021-01-01", "2021-12-31")
    assert dates.year_button("2021").isChecked() and not dates.year_button("2023").isChecked()
    dates.show_dates("2021-01-01", "2021-06-30")
    assert not dates.year_button("2021").isChecked()


def test_a_date_that_cannot_be_read_is_explained_and_not_applied(qtbot):
    dates = DateRange()
    qtbot.addWidget(dates)
    entered: list[tuple[str, str]] = []
    dates.dates_entered.connect(lambda since, until: entered.append((since, until)))
    dates.since_field.setText("May 2023")
    dates.since_field.editingFinished.emit()
    assert entered == [] and not dates.problem.isHidden()
    dates.since_field.setText("2023-05")
    dates.since_field.editingFinished.emit()
    assert entered == [("2023-05-01", "")] and dates.problem.isHidden()
