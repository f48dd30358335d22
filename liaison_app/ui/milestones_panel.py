"""An item's milestones (时间节点) in the detail pane: tick boxes with dates.

The next open milestone is in bold on a yellow ground (the light follows it), an open milestone
whose date has passed is red, a ticked one shows the date it was done. Ticking a box asks for
that milestone to be ticked off on the date in 完成日期 (today by default); unticking opens it
again. The panel only asks (``tick_requested``); :mod:`liaison_app.ui.promises_actions` saves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from liaison_app.store.records import MilestoneState, UnitTask
from liaison_app.ui.rows_model import HeadedRowsModel, fit_to_rows, table_view

OVERDUE_TEXT = QColor("#b3261e")
DONE_TEXT = QColor("#2e7d32")
NEXT_GROUND = QColor("#fff1cc")


class MilestonesModel(HeadedRowsModel[MilestoneState]):
    """One row per milestone. Column 0 is checkable: checked = ticked off."""

    DONE, DATE, TEXT, DONE_ON = range(4)
    HEADERS = ("完成", "时限", "时间节点", "完成日期")
    toggled = Signal(int, bool)  # milestone number, ticked

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._next: int | None = None
        self._as_of = dt.date.today()

    def set_task(self, task: UnitTask | None, as_of: dt.date) -> None:
        """The single reset: another task, or the same one changed."""
        self.beginResetModel()
        self._rows = list(task.milestones) if task else []
        upcoming = task.next_milestone if task else None
        self._next = upcoming.number if upcoming else None
        self._as_of = as_of
        self.endResetModel()

    def milestone(self, row: int) -> MilestoneState:
        return self._rows[row]

    def is_overdue(self, state: MilestoneState) -> bool:
        return not state.done and state.date < self._as_of

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.DONE:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def cell(self, state: MilestoneState, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.CheckStateRole and column == self.DONE:
            return Qt.CheckState.Checked if state.done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.DONE:
                return f"{state.number}"
            if column == self.DATE:
                return state.date.isoformat()
            if column == self.TEXT:
                return state.text
            if column == self.DONE_ON:
                if state.done_on:
                    return state.done_on.isoformat()
                return "逾期未完成" if self.is_overdue(state) else "未完成"
        if role == Qt.ItemDataRole.ToolTipRole:
            return state.text
        if role == Qt.ItemDataRole.ForegroundRole:
            if self.is_overdue(state):
                return QBrush(OVERDUE_TEXT)
            if state.done:
                return QBrush(DONE_TEXT)
        if role == Qt.ItemDataRole.BackgroundRole and state.number == self._next:
            return QBrush(NEXT_GROUND)
        if role == Qt.ItemDataRole.FontRole and state.number == self._next:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if not index.isValid() or index.column() != self.DONE or role != Qt.ItemDataRole.CheckStateRole:
            return False
        ticked = Qt.CheckState(value) == Qt.CheckState.Checked
        state = self._rows[index.row()]
        if ticked != state.done:
            self.toggled.emit(state.number, ticked)  # saved, then the task comes back via set_task
        return False  # the model changes only when the saved task is shown


class MilestonesPanel(QGroupBox):
    tick_requested = Signal(int, object)  # milestone number, date | None (open again)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("时间节点", parent)
        self._item_id: str | None = None
        self.model = MilestonesModel(self)
        self.model.toggled.connect(self._on_toggled)
        self.view = table_view(self.model, MilestonesModel.TEXT)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setWordWrap(True)
        self.done_date = QDateEdit()
        self.done_date.setCalendarPopup(True)
        self.done_date.setDisplayFormat("yyyy-MM-dd")
        self.done_date.setToolTip("勾选时间节点时记为这一天完成")
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addWidget(QLabel("勾选时的完成日期"))
        row.addWidget(self.done_date)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addLayout(row)

    def show_task(self, task: UnitTask, as_of: dt.date, today: dt.date) -> None:
        self.model.set_task(task, as_of)
        self.setVisible(bool(task.milestones))
        self.done_date.setMaximumDate(QDate(today.year, today.month, today.day))
        if task.item.id != self._item_id:  # another item: the date starts at today again
            self._item_id = task.item.id
            self.done_date.setDate(QDate(today.year, today.month, today.day))
        done = sum(m.done for m in task.milestones)
        upcoming = task.next_milestone
        if upcoming is None:
            text = f"全部 {len(task.milestones)} 个时间节点已完成"
        else:
            late = upcoming.date < as_of
            colour = OVERDUE_TEXT.name() if late else "#8a5a00"
            text = (
                f"已完成 {done}/{len(task.milestones)};下一个:"
                f"<b style='color:{colour}'>第 {upcoming.number} 个，{upcoming.date.isoformat()}"
                f"{'(已逾期)' if late else ''}</b>"
            )
        self.summary.setText(text)
        fit_to_rows(self.view)

    def _on_toggled(self, number: int, ticked: bool) -> None:
        day = self.done_date.date()
        self.tick_requested.emit(number, dt.date(day.year(), day.month(), day.day()) if ticked else None)
