"""The unit's duties beyond the task table, in the window's right-hand tabs:

* 典型案例: the monthly typical cases (list, new, edit, delete, files) and the reminder;
* 牵头任务和专项小组: a lead unit's 具体措施 and 调研报告 with their lights, and the special
  groups the unit leads or sits in, with their duties.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from liaison_app.store.duty_records import Deliverable, GroupInfo, TypicalCase
from liaison_app.store.records import UnitTask
from liaison_app.store.status import Light, Status
from liaison_app.ui.dialog_parts import accept_buttons, button_row
from liaison_app.ui.rows_model import Column, RowsModel, current_record, emit_with, table_view
from liaison_app.ui.task_model import LIGHT_COLOURS
from liaison_app.vocabulary import CaseKind, period_label

CODE_ROLE = Qt.ItemDataRole.UserRole + 1


# -- typical cases ---------------------------------------------------------------------------
CASE_COLUMNS: list[Column[TypicalCase]] = [
    Column("月份", lambda c: period_label(c.period)),
    Column("类型", lambda c: c.kind_label),
    Column("标题", lambda c: c.title),
    Column("关联工作措施", lambda c: "、".join(c.related)),
    Column("附件", lambda c: len(c.attachments) or ""),
]


class CaseDialog(QDialog):
    """Write or change one typical case."""

    def __init__(
        self, tasks: list[UnitTask], period: str, case: TypicalCase | None = None, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("修改典型案例" if case else "新建典型案例")
        self.resize(620, 560)
        year, month = (int(x) for x in (case.period if case else period).split("-"))
        self.month = QDateEdit(QDate(year, month, 1))
        self.month.setDisplayFormat("yyyy年MM月")
        self.month.setCalendarPopup(True)
        self.kind = QComboBox()
        for kind in CaseKind:
            self.kind.addItem(f"{kind.label}典型", kind.value)
        self.title = QLineEdit(case.title if case else "")
        self.title.setMaxLength(200)
        self.title.setPlaceholderText("一句话概括，如:用水报装“一窗办理”压缩至5个工作日")
        self.body = QPlainTextEdit(case.body if case else "")
        self.body.setPlaceholderText("做法、成效或教训、下一步")
        self.related = QStandardItemModel(self)
        chosen = set(case.related) if case else set()
        for task in tasks:
            row = QStandardItem(f"{task.item.id}  {task.item.text[:36]}")
            row.setData(task.item.id, CODE_ROLE)
            row.setCheckable(True)
            row.setCheckState(Qt.CheckState.Checked if task.item.id in chosen else Qt.CheckState.Unchecked)
            self.related.appendRow(row)
        related_view = QListView()
        related_view.setModel(self.related)
        if case:
            self.kind.setCurrentIndex(self.kind.findData(case.kind))
        self.error = QLabel()
        self.error.setStyleSheet("color:#b3261e")
        form = QFormLayout()
        form.addRow("月份", self.month)
        form.addRow("类型", self.kind)
        form.addRow("标题", self.title)
        form.addRow("内容", self.body)
        form.addRow("关联工作措施", related_view)
        buttons = accept_buttons(self, self._accept, save=True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        day = self.month.date()
        related = [
            str(self.related.item(r).data(CODE_ROLE))
            for r in range(self.related.rowCount())
            if self.related.item(r).checkState() == Qt.CheckState.Checked
        ]
        return {
            "period": f"{day.year():04d}-{day.month():02d}",
            "kind": self.kind.currentData(),
            "title": self.title.text().strip(),
            "body": self.body.toPlainText().strip(),
            "related": related,
        }

    def _accept(self) -> None:
        if not self.title.text().strip():
            self.error.setText("请填写标题。")
            return
        self.accept()


class CasesPanel(QWidget):
    new_requested = Signal()
    edit_requested = Signal(object)  # TypicalCase
    delete_requested = Signal(object)
    attach_requested = Signal(object)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.reminder = QLabel()
        self.reminder.setWordWrap(True)
        self.model = RowsModel(CASE_COLUMNS, self)
        self.table = table_view(self.model, 2)
        self.table.doubleClicked.connect(lambda _i: emit_with(self.edit_requested, self.selected()))
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        self.new_button = QPushButton("新建典型案例…")
        self.edit_button = QPushButton("修改…")
        self.delete_button = QPushButton("删除")
        self.attach_button = QPushButton("添加附件…")
        self.new_button.clicked.connect(self.new_requested)
        self.edit_button.clicked.connect(lambda: emit_with(self.edit_requested, self.selected()))
        self.delete_button.clicked.connect(lambda: emit_with(self.delete_requested, self.selected()))
        self.attach_button.clicked.connect(lambda: emit_with(self.attach_requested, self.selected()))
        buttons = button_row(self.new_button, self.edit_button, self.delete_button, self.attach_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("每月至少向领导小组办公室报送一篇典型案例(正面或反面)。"))
        layout.addWidget(self.reminder)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.body, 1)
        self._update_buttons()

    def show_cases(self, cases: list[TypicalCase], period: str) -> None:
        current = self.selected()
        self.model.set_rows(cases)
        if current is not None:
            for row, case in enumerate(cases):
                if case.id == current.id:
                    self.table.setCurrentIndex(self.model.index(row, 0))
        this_month = [c for c in cases if c.period == period]
        if this_month:
            self.reminder.setText(f"{period_label(period)}已填写 {len(this_month)} 篇。")
            self.reminder.setStyleSheet("color:#2e7d32")
        else:
            self.reminder.setText(f"{period_label(period)}还没有典型案例，请在报送前填写。")
            self.reminder.setStyleSheet("color:#8a5a00; font-weight:bold")
        self._show_selected()

    def selected(self) -> TypicalCase | None:
        return current_record(self.table, TypicalCase)

    def _show_selected(self, *_args: Any) -> None:
        case = self.selected()
        if case is None:
            self.body.setText("")
        else:
            files = "、".join(a.original_name for a in case.attachments) or "无"
            self.body.setText(f"{case.body or '(未填写内容)'}\n\n附件:{files}")
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        for button in (self.edit_button, self.delete_button, self.attach_button):
            button.setEnabled(has)


# -- deliverables and special groups -----------------------------------------------------------
def deliverable_columns(as_of: Callable[[], dt.date]) -> list[Column[Deliverable]]:
    return [
        Column("任务", lambda d: d.label),
        Column("完成时限", lambda d: d.due.isoformat()),
        Column("状态", lambda d: d.status.label),
        Column(
            "预警",
            lambda d: d.light(as_of()).label,
            highlight=lambda d: d.light(as_of()) is not Light.ON_TRACK,
        ),
        Column("说明", lambda d: d.note),
        Column("附件", lambda d: len(d.attachments) or ""),
    ]


GROUP_COLUMNS: list[Column[GroupInfo]] = [
    Column("专项小组", lambda g: g.title),
    Column("本单位角色", lambda g: g.role),
]


class DeliverableDialog(QDialog):
    def __init__(self, deliverable: Deliverable, parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(deliverable.label)
        self.status = QComboBox()
        for status in Status:
            self.status.addItem(status.label, status.value)
        self.status.setCurrentIndex(self.status.findData(deliverable.status.value))
        self.note = QPlainTextEdit(deliverable.note)
        self.note.setPlaceholderText("如:已于12月2日以区城管局文件印发")
        form = QFormLayout()
        form.addRow("完成时限", QLabel(deliverable.due.isoformat()))
        form.addRow("状态", self.status)
        form.addRow("说明", self.note)
        buttons = accept_buttons(self, self.accept, save=True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> tuple[Status, str]:
        return Status(self.status.currentData()), self.note.toPlainText().strip()


class DutiesPanel(QWidget):
    edit_requested = Signal(object)  # Deliverable
    attach_requested = Signal(object)
    issue_date_requested = Signal()

    def __init__(self, as_of: Callable[[], dt.date], parent: Any = None) -> None:
        super().__init__(parent)
        self.as_of = as_of
        self.deliverables = RowsModel(deliverable_columns(as_of), self)
        self.deliverable_view = table_view(self.deliverables, 4)
        self.deliverable_view.doubleClicked.connect(
            lambda _i: emit_with(self.edit_requested, self.selected())
        )
        self.lead_note = QLabel()
        self.lead_note.setWordWrap(True)
        self.edit_button = QPushButton("修改状态…")
        self.attach_button = QPushButton("添加附件…")
        self.issue_button = QPushButton("更正印发日期…")
        self.edit_button.clicked.connect(lambda: emit_with(self.edit_requested, self.selected()))
        self.attach_button.clicked.connect(lambda: emit_with(self.attach_requested, self.selected()))
        self.issue_button.clicked.connect(self.issue_date_requested)
        buttons = button_row(self.edit_button, self.attach_button)
        buttons.addWidget(self.issue_button)
        self.groups = RowsModel(GROUP_COLUMNS, self)
        self.group_view = table_view(self.groups, 0)
        self.group_view.selectionModel().selectionChanged.connect(self._show_group)
        self.deliverable_view.selectionModel().selectionChanged.connect(self._update_deliverable_buttons)
        self.deliverables.modelReset.connect(self._update_deliverable_buttons)
        self.group_text = QLabel()
        self.group_text.setWordWrap(True)
        self.group_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>牵头单位任务</b>(方案印发之日起 1 个月内完成具体措施和调研报告)"))
        layout.addWidget(self.lead_note)
        layout.addLayout(buttons)
        layout.addWidget(self.deliverable_view, 1)
        layout.addWidget(QLabel("<b>本单位所在的专项小组</b>"))
        layout.addWidget(self.group_view, 1)
        layout.addWidget(self.group_text, 1)

    def show_duties(
        self, deliverables: list[Deliverable], groups: list[GroupInfo], issued_on: dt.date
    ) -> None:
        self.deliverables.set_rows(deliverables)
        self.groups.set_rows(groups)
        if deliverables:
            self.lead_note.setText(f"方案印发日期按 {issued_on.isoformat()} 计。")
        else:
            self.lead_note.setText("本单位不牵头任何工作措施，无需提交具体措施和调研报告。")
        self.deliverable_view.setEnabled(bool(deliverables))
        self._update_deliverable_buttons()
        if groups:
            self.group_view.setCurrentIndex(self.groups.index(0, 0))
        self._show_group()

    def _update_deliverable_buttons(self, *_args: Any) -> None:
        """修改状态… and 添加附件… act on the selected row: without one they are off."""
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.attach_button.setEnabled(chosen)

    def selected(self) -> Deliverable | None:
        return current_record(self.deliverable_view, Deliverable)

    def _show_group(self, *_args: Any) -> None:
        group = current_record(self.group_view, GroupInfo)
        if group is None:
            self.group_text.setText("")
            return
        members = "各相关成员单位" if group.all_members else "、".join(group.members)
        self.group_text.setText(
            f"牵头单位:{'、'.join(group.lead)}\n责任单位:{members}\n\n主要职责:{group.duties}"
        )


def summary_of_duties(deliverables: list[Deliverable], has_case: bool, period: str, as_of: dt.date) -> str:
    """The duties' part of the summary strip, with the items' colours."""
    parts = []
    if not has_case:
        parts.append(f"<span style='color:#8a5a00'><b>{period_label(period)}尚无典型案例</b></span>")
    for deliverable in deliverables:
        light = deliverable.light(as_of)
        colour = LIGHT_COLOURS[light][1].name()
        parts.append(
            f"{deliverable.label} <span style='color:{colour}'><b>"
            f"{deliverable.status.label if light is Light.ON_TRACK else light.label}</b></span>"
        )
    return "　".join(parts)
