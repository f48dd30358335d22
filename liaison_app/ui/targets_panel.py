"""An item's quantitative targets (指标) in the detail pane: 目标 against 实际, and the trend.

Each row says what is measured, the promise (``≤ 3 个工作日``), the baseline, the latest actual
figure and its 报送期, 达标 / 未达标 / 未填报 in colour, and the figures of earlier periods. A lead
unit enters a figure below the table (target, value, source); a cooperating unit only sees the
lead unit's figures. A refused figure is explained in red under the entry; nothing is saved.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from liaison_app.store.records import TargetState, UnitTask, describe_target, format_decimal
from liaison_app.ui.rows_model import HeadedRowsModel, fit_to_rows, table_view
from liaison_app.vocabulary import Attainment, Role

ATTAINMENT_COLOURS = {
    Attainment.MET: (QColor("#e6f4ea"), QColor("#2e7d32")),
    Attainment.NOT_MET: (QColor("#fde2e1"), QColor("#b3261e")),
    Attainment.MISSING: (None, QColor("#6b6b6b")),
}


def trend_text(state: TargetState) -> str:
    """``2019-10: 99.95 → 2019-11: 99.97 ↑``: every figure, oldest first, and the direction."""
    if not state.actuals:
        return "—"
    parts = [f"{a.period}: {format_decimal(a.value)}" for a in state.actuals]
    arrow = ""
    if len(state.actuals) >= 2:
        before, last = state.actuals[-2].value, state.actuals[-1].value
        arrow = " ↑" if last > before else " ↓" if last < before else " →"
    return " → ".join(parts[-4:]) + arrow


class TargetsModel(HeadedRowsModel[TargetState]):
    """One row per target of the shown item."""

    TEXT, GOAL, BASELINE, ACTUAL, PERIOD, VERDICT, TREND = range(7)
    HEADERS = ("指标", "目标", "基线", "实际", "报送期", "达标", "趋势")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)

    def set_task(self, task: UnitTask | None) -> None:
        """The single reset."""
        self.beginResetModel()
        self._rows = list(task.targets) if task else []
        self.endResetModel()

    def state(self, row: int) -> TargetState:
        return self._rows[row]

    def cell(self, state: TargetState, column: int, role: int) -> Any:
        target, latest = state.target, state.latest
        verdict = state.attainment()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.TEXT:
                return target.text
            if column == self.GOAL:
                return describe_target(target)
            if column == self.BASELINE:
                if target.baseline is None:
                    return "—"
                return f"{format_decimal(target.baseline)} {target.baseline_unit or target.unit}"
            if column == self.ACTUAL:
                return f"{format_decimal(latest.value)} {target.unit}" if latest else "—"
            if column == self.PERIOD:
                return latest.period if latest else "—"
            if column == self.VERDICT:
                return verdict.label
            if column == self.TREND:
                return trend_text(state)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.TEXT:
                return f"{target.id}:{target.text}"
            if column in (self.ACTUAL, self.TREND) and latest is not None:
                source = f",来源:{latest.source}" if latest.source else ""
                return f"{latest.unit} 于 {latest.measured_on.isoformat()} 填报{source}"
        if column == self.VERDICT:
            ground, text = ATTAINMENT_COLOURS[verdict]
            if role == Qt.ItemDataRole.BackgroundRole and ground is not None:
                return QBrush(ground)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(text)
        return None


class TargetsPanel(QGroupBox):
    actual_requested = Signal(str, str, str)  # target id, value as typed, source note

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("量化指标", parent)
        self.model = TargetsModel(self)
        self.view = table_view(self.model, TargetsModel.TEXT)
        self.view.setWordWrap(True)
        self.view.clicked.connect(self._on_row_clicked)

        self.target = QComboBox()
        self.target.setToolTip("要填报实际值的指标")
        self.target.currentIndexChanged.connect(self._on_target_changed)
        self.value = QLineEdit()
        self.value.setPlaceholderText("实际值")
        self.value.setToolTip("只填数值，单位与指标相同")
        self.value.returnPressed.connect(self._on_save)
        self.unit_label = QLabel()
        self.source = QLineEdit()
        self.source.setPlaceholderText("数据来源(可选)")
        self.source.returnPressed.connect(self._on_save)
        self.save = QPushButton("保存实际值")
        self.save.clicked.connect(self._on_save)
        self.period_label = QLabel()
        entry = QHBoxLayout()
        entry.addWidget(self.target, 2)
        entry.addWidget(self.value, 1)
        entry.addWidget(self.unit_label)
        entry.addWidget(self.source, 2)
        entry.addWidget(self.period_label)
        entry.addWidget(self.save)
        self.entry = QWidget()
        self.entry.setLayout(entry)
        entry.setContentsMargins(0, 0, 0, 0)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.coop_note = QLabel("指标实际值由牵头单位填报，这里显示牵头单位填报的数值。")
        self.coop_note.setStyleSheet("color:#6b6b6b")

        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(self.entry)
        layout.addWidget(self.coop_note)
        layout.addWidget(self.message)

    def show_task(self, task: UnitTask, period: str) -> None:
        self.model.set_task(task)
        self.setVisible(bool(task.targets))
        lead = task.role == Role.LEAD.value
        self.entry.setVisible(lead)
        self.coop_note.setVisible(not lead)
        self.period_label.setText(f"报送期 {period}")
        chosen = self.target.currentData()
        self.target.blockSignals(True)
        self.target.clear()
        for state in task.targets:
            self.target.addItem(f"{state.target.id} {state.target.text}", state.target.id)
        found = self.target.findData(chosen) if chosen else -1
        self.target.setCurrentIndex(max(found, 0))
        self.target.blockSignals(False)
        self._on_target_changed()
        fit_to_rows(self.view)

    def show_result(self, ok: bool, text: str) -> None:
        """After a save: the outcome in green, or the refusal's reason in red."""
        self.message.setStyleSheet(f"color:{'#2e7d32' if ok else '#b3261e'}")
        self.message.setText(text)
        if ok:
            self.value.clear()

    def _on_target_changed(self, _index: int = 0) -> None:
        row = self.target.currentIndex()
        if 0 <= row < self.model.rowCount():
            self.unit_label.setText(self.model.state(row).target.unit)

    def _on_row_clicked(self, index: QModelIndex) -> None:
        if self.entry.isVisible():
            self.target.setCurrentIndex(index.row())
            self.value.setFocus()

    def _on_save(self) -> None:
        target_id = self.target.currentData()
        if target_id:
            self.actual_requested.emit(str(target_id), self.value.text(), self.source.text())
