"""The selected item in full: text, units, status, note, completion date, history.

The pane only shows and asks: it emits ``status_requested``, ``note_committed`` and
``completed_requested``; the window turns them into undoable edits. The note is committed after a
short pause in typing, when the editor loses focus, and whenever the window asks (``flush_note``).
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from liaison_app.store.records import EvidenceRecord, HistoryEntry, UnitTask
from liaison_app.store.status import Light, Status
from liaison_app.ui.date_field import DateField
from liaison_app.ui.evidence_panel import EvidencePanel
from liaison_app.ui.history_model import HistoryModel
from liaison_app.ui.item_text import repaired
from liaison_app.ui.milestones_panel import MilestonesPanel
from liaison_app.ui.side_panels import nothing_chosen_label
from liaison_app.ui.targets_panel import TargetsPanel
from liaison_app.ui.task_model import LIGHT_COLOURS
from liaison_app.vocabulary import Role

NOTE_SAVE_DELAY_MS = 800


class _Body(QWidget):
    """The pane's content asks for no more than its minimum: in a scroll area too short for it,
    lists keep their few whole rows and the pane scrolls; with room to spare they grow."""

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()  # wrapped labels: the scroll area asks this, not sizeHint
        return layout.minimumHeightForWidth(width) if layout is not None else super().heightForWidth(width)


class DetailPane(QWidget):
    status_requested = Signal(object, object)  # UnitTask, Status
    note_committed = Signal(object, str, str)  # UnitTask, note, editing session
    completed_requested = Signal(object, object)  # UnitTask, date | None

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.task: UnitTask | None = None
        self._saved_note = ""
        self._updating = False
        self._note_session = uuid.uuid4().hex

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.original_button = QToolButton()
        self.original_button.setText("显示原文")
        self.original_button.setCheckable(True)
        self.original_button.setToolTip("方案原文中有录入错误，上面显示的是更正后的文字")
        self.original_button.toggled.connect(self._on_show_original)
        self.original = QLabel()
        self.original.setWordWrap(True)
        self.original.setStyleSheet("color:#5f6368")
        self.original.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.original.hide()
        self.units = QLabel()
        self.units.setWordWrap(True)
        self.units.setTextFormat(Qt.TextFormat.RichText)
        self.deadline = QLabel()

        self.status = QComboBox()
        for status in Status:
            self.status.addItem(status.label, status.value)  # Qt hands enums back as str
        self.status.setToolTip("进展状态(Ctrl+E 依次切换)")
        self.status.activated.connect(self._on_status)

        self.completed = DateField()
        self.completed.date_entered.connect(self._on_completed)
        self.clear_completed = QPushButton("清除")
        self.clear_completed.setToolTip("清除完成日期")
        self.clear_completed.clicked.connect(self._on_clear_completed)
        completed_row = QHBoxLayout()
        completed_row.addWidget(self.completed, 1)
        completed_row.addWidget(self.clear_completed, 0, Qt.AlignmentFlag.AlignTop)

        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("填写本单位的进展情况:做了什么、结果如何、下一步计划。输入后自动保存。")
        self.note.setTabChangesFocus(True)
        self.note.textChanged.connect(self._on_note_changed)
        self.note.installEventFilter(self)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_SAVE_DELAY_MS)
        self._note_timer.timeout.connect(self.flush_note)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("进展状态", self.status)
        form.addRow("完成日期", completed_row)
        form.addRow("进展情况", self.note)

        self.milestones = MilestonesPanel()
        self.targets = TargetsPanel()
        self.period = ""  # the window's 报送期, for figures entered here
        self.today = dt.date.today()  # the window sets the service's clock
        self.evidence = EvidencePanel()

        self.history_model = HistoryModel(self)
        self.history = QTableView()
        self.history.setModel(self.history_model)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.history.verticalHeader().hide()
        self.history.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.history.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.history.setWordWrap(False)
        history_box = QGroupBox("修改记录")
        QVBoxLayout(history_box).addWidget(self.history)

        self.placeholder = nothing_chosen_label()  # as the window's first screen shows it

        self.body = _Body()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(4)
        body.addWidget(self.heading)
        text_row = QHBoxLayout()
        text_row.addWidget(self.text, 1)
        text_row.addWidget(self.original_button, 0, Qt.AlignmentFlag.AlignTop)
        body.addLayout(text_row)
        body.addWidget(self.original)
        body.addWidget(self.units)
        body.addWidget(self.deadline)
        body.addLayout(form)
        body.addWidget(self.milestones)
        body.addWidget(self.targets)
        body.addWidget(self.evidence)
        body.addWidget(history_box, 1)
        # Readable at 1280×800 and at 150 % scaling: each list keeps a few whole rows, and the
        # pane scrolls instead of squeezing them to a row and a half.
        self.note.setMinimumHeight(self._rows_height(self.note, 3))
        self.note.setMaximumHeight(self._rows_height(self.note, 7))  # longer notes scroll inside
        self.evidence.table.setMinimumHeight(self._table_height(self.evidence.table, 2))
        self.evidence.table.setMaximumHeight(self._table_height(self.evidence.table, 5))
        self.history.setMinimumHeight(self._table_height(self.history, 3))

        self.body_scroll = QScrollArea()
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body_scroll.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.body_scroll)
        self.body_scroll.hide()

    @staticmethod
    def _rows_height(widget: QWidget, rows: int) -> int:
        return rows * widget.fontMetrics().lineSpacing() + 2 * widget.fontMetrics().descent() + 12

    @staticmethod
    def _table_height(table: QTableView, rows: int) -> int:
        header = table.horizontalHeader().sizeHint().height()
        return header + rows * table.verticalHeader().defaultSectionSize() + 2 * table.frameWidth() + 2

    # -- showing ---------------------------------------------------------------------------
    def show_task(
        self,
        task: UnitTask | None,
        history: list[HistoryEntry],
        as_of: dt.date,
        evidence: list[EvidenceRecord] | None = None,
    ) -> None:
        """Show another task (the pending note of the previous one must be flushed first)."""
        self._note_timer.stop()
        self._new_note_session()
        self.task = task
        self.placeholder.setVisible(task is None)
        self.body_scroll.setVisible(task is not None)
        if task is None:
            return
        self._saved_note = task.note
        self._updating = True
        self.note.setPlainText(task.note)
        self._updating = False
        self.refresh(task, history, as_of, evidence or [])

    def refresh(
        self,
        task: UnitTask,
        history: list[HistoryEntry],
        as_of: dt.date,
        evidence: list[EvidenceRecord] | None = None,
    ) -> None:
        """The shown task changed (saved, undone): update without disturbing typing."""
        self.task = task
        item = task.item
        self.heading.setText(
            f"<b>{html.escape(item.id)}</b>  {html.escape(item.area_name)} › "
            f"{item.measure}.{html.escape(item.measure_title)}"
        )
        shown = repaired(item.text)
        self.text.setText(shown)
        self.original.setText(f"方案原文:{item.text}")
        self.original_button.setVisible(shown != item.text)
        self.original.setVisible(shown != item.text and self.original_button.isChecked())
        self.units.setText(
            f"牵头单位:{self._names(item.lead, task.unit)}<br>"
            f"配合单位:{self._names(item.coop, task.unit) or '无'}<br>"
            f"本单位职责:<b>{Role(task.role).label}</b>"
        )
        light = task.light(as_of)
        colour = LIGHT_COLOURS[light][1].name()
        deadline = item.deadline.isoformat() if item.deadline else "无明确时限(常态推进)"
        if task.due is not None and task.due != item.deadline:  # the light follows this one (#15)
            deadline += f"    下一时间节点:{task.due.isoformat()}"
        if light is Light.DONE_LATE:
            when = f"(完成于 {task.completed_on},晚 {task.days_late(as_of)} 天)"
        elif light is Light.OVERDUE:
            when = f"(截至 {as_of.isoformat()} 已逾期 {task.days_late(as_of)} 天)"
        elif light is Light.DUE_SOON:
            when = f"(截至 {as_of.isoformat()})"
        else:
            when = ""
        self.deadline.setTextFormat(Qt.TextFormat.RichText)
        self.deadline.setText(
            f"完成时限:{deadline}    预警:<b style='color:{colour}'>{light.label}</b>{when}"
        )
        self._updating = True
        self.status.setCurrentIndex(self.status.findData(task.status.value))
        self.completed.set_date(task.completed_on)
        if self.note.toPlainText() == self._saved_note and task.note != self._saved_note:
            self.note.setPlainText(task.note)  # changed elsewhere (undo) and not being typed over
        self._updating = False
        self._saved_note = task.note
        if evidence is not None:
            self.evidence.show_records(evidence)
        self.evidence.setTitle(f"佐证材料({task.evidence} 个文件)" if task.evidence else "佐证材料")
        self.history_model.set_entries(history)
        self.milestones.show_task(task, as_of, self.today)
        self.targets.show_task(task, self.period or as_of.strftime("%Y-%m"))

    def _on_show_original(self, shown: bool) -> None:
        self.original.setVisible(shown and self.original_button.isVisible())
        self.original_button.setText("隐藏原文" if shown else "显示原文")

    @staticmethod
    def _names(names: tuple[str, ...], own: str) -> str:
        return "、".join(
            f"<b style='background:#e3f2fd'>{html.escape(n)}</b>" if n == own else html.escape(n)
            for n in names
        )

    # -- edits -----------------------------------------------------------------------------
    def note_is_dirty(self) -> bool:
        return self.task is not None and self.note.toPlainText() != self._saved_note

    def flush_note(self) -> bool:
        """Save the note if it changed. False when the save failed: the text stays in the
        editor, still marked unsaved, and is tried again at the next pause or focus change."""
        self._note_timer.stop()
        if self.task is None or not self.note_is_dirty():
            return True
        text, previous = self.note.toPlainText(), self._saved_note
        self._saved_note = text
        self.note_committed.emit(self.task, text, self._note_session)  # saved synchronously
        if self.task is not None and self.task.note != text:
            self._saved_note = previous
            return False
        return True

    def _new_note_session(self) -> None:
        self._note_session = uuid.uuid4().hex

    def _on_note_changed(self) -> None:
        if not self._updating:
            self._note_timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.note and event.type() == QEvent.Type.FocusOut:
            self.flush_note()
            self._new_note_session()  # leaving the note ends its editing session
        return super().eventFilter(watched, event)

    def _on_status(self, index: int) -> None:
        value = self.status.itemData(index)
        if self.task is None or not value:
            return
        status = Status(value)
        if status is not self.task.status:
            self.status_requested.emit(self.task, status)

    def _on_completed(self, day: dt.date | None) -> None:
        if self._updating or self.task is None:
            return
        if day != self.task.completed_on:
            self.completed_requested.emit(self.task, day)

    def _on_clear_completed(self) -> None:
        if self.task is not None and self.task.completed_on is not None:
            self.completed_requested.emit(self.task, None)
