"""The office window's 报送登记 tab: the register of one period (who reported on time, late, not
at all) and the ranking of units with small painted bars for 序时进度 and 完成率.

QtCharts is not in the Essentials wheel, so the bars are painted by a delegate. The figures
come from :class:`OfficeLedger` (the service layer); nothing here talks SQL.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from liaison_app.store.ledger import OfficeLedger, RankLine, RegisterLine, RegisterState
from liaison_app.ui.rows_model import RECORD_ROLE, Column, RowsModel, table_view
from liaison_app.vocabulary import period_label

REGISTER_COLUMNS: list[Column[RegisterLine]] = [
    Column("单位", lambda r: r.unit),
    Column("报送情况", lambda r: r.state, highlight=lambda r: r.state != RegisterState.ON_TIME),
    Column("迟报天数", lambda r: r.days_late or ""),
    Column("收到时间", lambda r: f"{r.received_at:%Y-%m-%d %H:%M}" if r.received_at else ""),
    Column("报表导出时间", lambda r: f"{r.exported_at:%Y-%m-%d %H:%M}" if r.exported_at else ""),
    Column("文件", lambda r: r.file_name),
]
RANK_COLUMNS: list[Column[RankLine]] = [
    Column("名次", lambda r: r.rank),
    Column("单位", lambda r: r.unit),
    Column("序时进度", lambda r: f"{r.figures.schedule * 100:.1f}%"),
    Column("完成率", lambda r: f"{r.figures.completion * 100:.1f}%"),
    Column("逾期", lambda r: r.figures.overdue, highlight=lambda r: r.figures.overdue > 0),
    Column("事项", lambda r: r.figures.items),
]
BAR_COLUMNS = {2: lambda r: r.figures.schedule, 3: lambda r: r.figures.completion}


class BarDelegate(QStyledItemDelegate):
    """Paints a share (0–1) of a ranking line as a bar under its percentage."""

    COLOR = QColor("#8fb8e0")

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        record = index.data(RECORD_ROLE)
        share = BAR_COLUMNS[index.column()](record) if record is not None else 0.0
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        rect: QRect = option.rect.adjusted(2, 3, -2, -3)
        bar = QRect(rect.left(), rect.top(), round(rect.width() * max(0.0, min(1.0, share))), rect.height())
        painter.fillRect(bar, self.COLOR)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), str(index.data()))
        painter.restore()


class LedgerPanel(QWidget):
    """Choose a period; see its register and the ranking. ``record`` receives files first."""

    def __init__(self, ledger: OfficeLedger, parent: Any = None) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.period = QComboBox()
        self.period.currentIndexChanged.connect(lambda _i: self.show_period())
        self.record_button = QPushButton("把收到的文件记入台账")
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.register = RowsModel(REGISTER_COLUMNS, self)
        self.ranking = RowsModel(RANK_COLUMNS, self)
        self.register_view = table_view(self.register, 5)
        self.ranking_view = table_view(self.ranking, 1)
        self.bars = BarDelegate(self.ranking_view)
        for column in BAR_COLUMNS:
            self.ranking_view.setItemDelegateForColumn(column, self.bars)
            self.ranking_view.setColumnWidth(column, 120)
        top = QHBoxLayout()
        top.addWidget(QLabel("报送期"))
        top.addWidget(self.period)
        top.addStretch(1)
        top.addWidget(self.record_button)
        body = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(QLabel("报送登记"))
        left.addWidget(self.register_view)
        right.addWidget(QLabel("单位排名(按序时进度，再按逾期数)"))
        right.addWidget(self.ranking_view)
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)
        self.reload()

    def reload(self, show: str | None = None) -> None:
        """Re-read the periods (after receiving) and show ``show``, else the one chosen, else
        the latest."""
        chosen = show or self.period.currentData()
        periods = self.ledger.periods()
        self.period.blockSignals(True)
        self.period.clear()
        for period in reversed(periods):
            self.period.addItem(period_label(period), period)
        found = self.period.findData(chosen) if chosen else -1
        self.period.setCurrentIndex(found if found >= 0 else 0)
        self.period.blockSignals(False)
        self.show_period()

    def current_period(self) -> str | None:
        data = self.period.currentData()
        return str(data) if data else None

    def show_period(self) -> None:
        period = self.current_period()
        if period is None:
            self.register.set_rows([])
            self.ranking.set_rows([])
            self.summary.setText("台账中还没有接收过报表:在上方添加报表后，点“把收到的文件记入台账”。")
            return
        lines = self.ledger.register(period)
        self.register.set_rows(lines)
        self.ranking.set_rows(self.ledger.ranking(period))
        counts = {state: sum(line.state == state for line in lines) for state in _STATES}
        self.summary.setText(
            f"{period_label(period)}(截止 {self.ledger.due_on(period):%Y-%m-%d}):应报 {len(lines)} 个单位，"
            + "，".join(f"{state} {count}" for state, count in counts.items())
            + "。"
        )


_STATES = (
    RegisterState.ON_TIME,
    RegisterState.LATE,
    RegisterState.MISSING,
    RegisterState.MODIFIED,
    RegisterState.REJECTED,
)
