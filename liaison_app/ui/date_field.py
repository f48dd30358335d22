"""A date typed the way people write it, or picked on a calendar, checked before it is used.

``QDateEdit`` edits one section at a time: selecting the whole date and typing ``2019-09-28``
changed only the section under the cursor and saved 2026-09-28. This field takes the whole text,
understands ``2019-09-28``, ``2019/9/28``, ``2019.9.28``, ``20190928`` and ``2019年9月28日``, and
refuses an impossible or a future date with a sentence instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

_SEPARATED = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class DateTextError(ValueError):
    """``str(error)`` says in Chinese what is wrong with the typed date."""


def parse_date_text(text: str, latest: dt.date | None = None) -> dt.date | None:
    """The date in ``text`` (None when empty); :class:`DateTextError` when it is not a real
    date, or is after ``latest``."""
    cleaned = unicodedata.normalize("NFKC", text).strip()  # full-width digits from an IME
    if not cleaned:
        return None
    match = _SEPARATED.match(cleaned) or _COMPACT.match(cleaned)
    if match is None:
        raise DateTextError(f"看不懂「{text.strip()}」:请按 2019-09-28 或 2019年9月28日 的样子填写")
    year, month, day = (int(part) for part in match.groups())
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise DateTextError(f"没有 {year}年{month}月{day}日 这一天，请检查后重填") from None
    if latest is not None and value > latest:
        raise DateTextError(f"{value.isoformat()} 还没到(今天是 {latest.isoformat()}):完成日期不能晚于今天")
    return value


class DateField(QWidget):
    """A line for the typed date, a calendar button, and a red line when the text is refused.

    ``date_entered`` carries the new date (or None when emptied) when the user finishes typing
    (Enter or leaving the field) or picks a day on the calendar, only if it changed.
    """

    date_entered = Signal(object)  # dt.date | None

    def __init__(self, latest: Callable[[], dt.date] = dt.date.today, parent: Any = None) -> None:
        super().__init__(parent)
        self.latest = latest
        self._value: dt.date | None = None
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("未填(如 2019-09-28)")
        self.edit.setToolTip("可输入 2019-09-28、2019/9/28、20190928 或 2019年9月28日，或点日历选择")
        self.edit.editingFinished.connect(self._on_finished)
        self.edit.installEventFilter(self)
        self.calendar_button = QToolButton()
        self.calendar_button.setText("日历…")
        self.calendar_button.setToolTip("在日历上选择")
        self.calendar_button.clicked.connect(self.show_calendar)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color:#b3261e")
        self.error.hide()
        self.calendar = QCalendarWidget()
        self.calendar.setWindowFlags(Qt.WindowType.Popup)
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._on_calendar)
        self.calendar.activated.connect(self._on_calendar)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.calendar_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)

    def date(self) -> dt.date | None:
        return self._value

    def set_date(self, day: dt.date | None) -> None:
        """Show a stored value (not an edit: nothing is emitted)."""
        self._value = day
        self.edit.setText(day.isoformat() if day else "")
        self.error.hide()

    def show_calendar(self) -> None:
        latest = self.latest()
        self.calendar.setMaximumDate(QDate(latest.year, latest.month, latest.day))
        shown = self._value or latest
        self.calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        self.calendar.move(self.edit.mapToGlobal(QPoint(0, self.edit.height())))
        self.calendar.show()
        self.calendar.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape and self.error.isVisible():
                self.set_date(self._value)  # give up the refused text
                return True
            if event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier:
                self.show_calendar()
                return True
        return super().eventFilter(watched, event)

    def _on_finished(self) -> None:
        try:
            day = parse_date_text(self.edit.text(), self.latest())
        except DateTextError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.error.hide()
        self._commit(day)

    def _on_calendar(self, picked: QDate) -> None:
        self.calendar.hide()
        self.error.hide()
        self._commit(dt.date(picked.year(), picked.month(), picked.day()))

    def _commit(self, day: dt.date | None) -> None:
        self.edit.setText(day.isoformat() if day else "")
        if day != self._value:
            self._value = day
            self.date_entered.emit(day)
