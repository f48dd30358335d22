"""The office window's 报送登记 tab: the register of one period (who reported on time, late, not
at all), the ranking of units with small painted bars for 序时进度 and 完成率, and the month's
actions: 催办 (a notice per unit to chase, and a mail to each liaison), 通报, and the units'
signing keys (see one, accept a new one after 签名不符).

QtCharts is not in the Essentials wheel, so the bars are painted by a delegate. The figures
come from :class:`OfficeLedger` (the service layer); nothing here talks SQL. Writing the
notices and the bulletin runs off the GUI thread with a progress bar and 取消.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import shiboken6
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from liaison_app.store.keys import UnitKeys
from liaison_app.store.ledger import OfficeLedger, RankLine, TrendPoint
from liaison_app.store.ledger_register import RegisterLine, RegisterState
from liaison_app.store.records import ServiceError
from liaison_app.ui.copy_dialog import CopyDialog, show_copy_dialog
from liaison_app.ui.evidence_actions import Opener, open_with_system
from liaison_app.ui.keys_dialog import KeysDialog
from liaison_app.ui.machine_settings import documents_folder
from liaison_app.ui.rows_model import RECORD_ROLE, Column, RowsModel, table_view
from liaison_app.ui.workers import BackgroundTask, PoolRunner, Runner
from liaison_app.vocabulary import Verdict, period_label

UrlOpener = Callable[[QUrl], bool]
TREND_DELAY_MS = 150  # the trend is read this long after the register is shown


def open_url(url: QUrl) -> bool:
    return bool(QDesktopServices.openUrl(url))


def reminder_mail(address: str, unit: str, period: str, notice: Path) -> QUrl:
    """A mailto: link to a unit's liaison; the notice is named in the body (a link cannot
    carry an attachment), and the folder holding it is opened beside the mail."""
    subject = f"催办通知:{unit}{period_label(period)}营商环境工作进展"
    body = (
        f"{unit}联络员:\n\n请查收{period_label(period)}营商环境工作催办通知(见附件)，"
        "并按通知要求及时办理、报送。\n附件(请从随后打开的文件夹中添加):\n"
        f"  {notice.name}\n\n领导小组办公室"
    )
    return QUrl(f"mailto:{quote(address)}?subject={quote(subject)}&body={quote(body)}")


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
    Column(
        "逾期节点",
        lambda r: r.figures.overdue_milestones,
        highlight=lambda r: r.figures.overdue_milestones > 0,
    ),
    Column("事项", lambda r: r.figures.items),
]
BAR_COLUMNS: dict[int, Callable[[Any], float]] = {
    2: lambda r: r.figures.schedule,
    3: lambda r: r.figures.completion,
}
TREND_COLUMNS: list[Column[TrendPoint]] = [
    Column("报送期", lambda p: period_label(p.figures.period)),
    Column("完成率", lambda p: f"{p.figures.completion * 100:.1f}%"),
    Column("环比", lambda p: "—" if p.change is None else f"{p.change * 100:+.1f}"),
    Column("逾期事项", lambda p: p.figures.overdue, highlight=lambda p: p.figures.overdue > 0),
    Column(
        "逾期节点",
        lambda p: p.figures.overdue_milestones,
        highlight=lambda p: p.figures.overdue_milestones > 0,
    ),
    Column("序时进度", lambda p: f"{p.figures.schedule * 100:.1f}%"),
]
TREND_BARS: dict[int, Callable[[Any], float]] = {
    1: lambda p: p.figures.completion,
    5: lambda p: p.figures.schedule,
}


class BarDelegate(QStyledItemDelegate):
    """Paints a share (0–1) of a line as a bar under its percentage; ``shares`` tells, per
    column, how to get the share from the line."""

    COLOR = QColor("#8fb8e0")

    def __init__(self, shares: dict[int, Callable[[Any], float]], parent: Any = None) -> None:
        super().__init__(parent)
        self.shares = shares

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        record = index.data(RECORD_ROLE)
        share = self.shares[index.column()](record) if record is not None else 0.0
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

    def __init__(
        self,
        ledger: OfficeLedger,
        runner: Runner | None = None,
        parent: Any = None,
        opener: Opener = open_with_system,
        url_opener: UrlOpener = open_url,
    ) -> None:
        super().__init__(parent)
        self.ledger = ledger
        self.runner: Runner = runner or PoolRunner()
        self.opener, self.url_opener = opener, url_opener
        self.task: BackgroundTask | None = None
        self.trend_task: BackgroundTask | None = None
        self.fallback: CopyDialog | None = None
        self.keys_dialog: KeysDialog | None = None
        self.written: list[Path] = []  # the last 催办 or 通报 files
        # unit → (return id, fingerprint) of its latest return of the period refused for its key
        self.refused: dict[str, tuple[int, str]] = {}
        self.period = QComboBox()
        self.period.currentIndexChanged.connect(lambda _i: self.show_period())
        self.record_button = QPushButton("把收到的文件记入台账")
        self.remind_button = QPushButton("催办…")
        self.remind_button.setToolTip("为未报、迟报或有逾期事项的单位各写一份催办通知，并给联络员发邮件")
        self.bulletin_button = QPushButton("通报…")
        self.bulletin_button.setToolTip("生成本期的工作通报(xlsx，可直接打印)")
        self.keys_button = QPushButton("签名密钥…")
        self.accept_key_button = QPushButton("接受新密钥…")
        self.accept_key_button.setToolTip("所选单位的报表“签名不符”:核实联络员换了电脑后，接受新密钥")
        self.remind_button.clicked.connect(lambda: self.remind())
        self.bulletin_button.clicked.connect(lambda: self.bulletin())
        self.keys_button.clicked.connect(self.show_keys)
        self.accept_key_button.clicked.connect(self.accept_key)
        self.progress = QProgressBar()
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress_box = QWidget()
        progress_row = QHBoxLayout(self.progress_box)
        progress_row.setContentsMargins(0, 0, 0, 0)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box.hide()
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.register = RowsModel(REGISTER_COLUMNS, self)
        self.ranking = RowsModel(RANK_COLUMNS, self)
        self.register_view = table_view(self.register, 5)
        self.ranking_view = table_view(self.ranking, 1)
        self.bars = BarDelegate(BAR_COLUMNS, self.ranking_view)
        for column in BAR_COLUMNS:
            self.ranking_view.setItemDelegateForColumn(column, self.bars)
            self.ranking_view.setColumnWidth(column, 120)
        self.trend = RowsModel(TREND_COLUMNS, self)
        self.trend_view = table_view(self.trend, 0)
        self.trend_bars = BarDelegate(TREND_BARS, self.trend_view)
        for column in TREND_BARS:
            self.trend_view.setItemDelegateForColumn(column, self.trend_bars)
            self.trend_view.setColumnWidth(column, 110)
        top = QHBoxLayout()
        top.addWidget(QLabel("报送期"))
        top.addWidget(self.period)
        top.addStretch(1)
        for button in (
            self.keys_button,
            self.accept_key_button,
            self.remind_button,
            self.bulletin_button,
            self.record_button,
        ):
            top.addWidget(button)
        body = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(QLabel("报送登记"))
        left.addWidget(self.register_view)
        right.addWidget(QLabel("单位排名(按序时进度，再按逾期数)"))
        right.addWidget(self.ranking_view, 3)
        right.addWidget(QLabel("各月趋势(全部单位:完成率、逾期事项与时间节点、序时进度)"))
        right.addWidget(self.trend_view, 2)
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)
        self.register_view.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())
        self.reload()

    def reload(self, show: str | None = None) -> None:
        """Re-read the periods (after receiving) and show ``show``, else the one chosen, else
        the latest with a return in use."""
        chosen = show or self.period.currentData()
        periods = self.ledger.periods()
        self.period.blockSignals(True)
        self.period.clear()
        for period in reversed(periods):
            self.period.addItem(period_label(period), period)
        found = self.period.findData(chosen) if chosen else -1
        if found < 0:  # the latest period with a return in use: a refused future file is not it
            used = self.ledger.periods(used_only=True)
            found = self.period.findData(used[-1]) if used else 0
        self.period.setCurrentIndex(max(found, 0))
        self.period.blockSignals(False)
        self.show_period()
        # after the register has painted: the reading holds the interpreter for a while
        QTimer.singleShot(TREND_DELAY_MS, self, self.load_trend)  # not after the panel is gone

    def load_trend(self) -> None:
        """The trend over every period, read off the GUI thread (it reads every month's rows):
        the register shows at once, the trend a moment later. Changes only when receiving."""
        ledger = self.ledger
        task = BackgroundTask(lambda _progress, _cancelled: ledger.trend())
        task.signals.finished.connect(lambda points: self._trend_loaded(task, points))
        task.signals.failed.connect(lambda _exc: self._trend_loaded(task, None))
        self.trend_task = task
        self.runner.start(task)

    def _trend_loaded(self, task: BackgroundTask, points: list[TrendPoint] | None) -> None:
        if not shiboken6.isValid(self.trend):
            return  # the window closed while the trend was being read
        if task is not self.trend_task:
            return  # an older reading, replaced
        self.trend_task = None
        if points is not None:
            self.trend.set_rows(points)

    def current_period(self) -> str | None:
        data = self.period.currentData()
        return str(data) if data else None

    def show_period(self) -> None:
        period = self.current_period()
        self.refused = {}
        if period is None:
            self.register.set_rows([])
            self.ranking.set_rows([])
            self.summary.setText("台账中还没有接收过报表:在上方添加报表后，点“把收到的文件记入台账”。")
            self._update_buttons()
            return
        lines = self.ledger.register(period)
        self.register.set_rows(lines)
        self.ranking.set_rows(self.ledger.ranking(period))
        self.refused = {unit: (rid, fp) for rid, unit, fp, _why in self.ledger.refused_for_key(period)}
        counts = {state: sum(line.state == state for line in lines) for state in _STATES}
        text = (
            f"{period_label(period)}(截止 {self.ledger.due_on(period):%Y-%m-%d}):应报 {len(lines)} 个单位，"
            + "，".join(f"{state} {count}" for state, count in counts.items() if count or state in _ALWAYS)
            + "。"
        )
        if self.refused:
            text += (
                f"{'、'.join(self.refused)} 有报表因签名密钥未登记而“签名不符”:"
                "核实后选中该单位，点“接受新密钥”。"
            )
        self.summary.setText(text)
        self._update_buttons()

    def selected_line(self) -> RegisterLine | None:
        line = self.register_view.currentIndex().data(RECORD_ROLE)
        return line if isinstance(line, RegisterLine) else None

    def _update_buttons(self) -> None:
        busy = self.task is not None
        has_period = self.current_period() is not None
        for button in (self.remind_button, self.bulletin_button):
            button.setEnabled(has_period and not busy)
        line = self.selected_line()
        self.accept_key_button.setEnabled(not busy and line is not None and line.unit in self.refused)

    # -- signing keys ----------------------------------------------------------------------
    def show_keys(self) -> KeysDialog:
        """The keys on record: the selected unit's, or every unit's when none is selected."""
        line = self.selected_line()
        self.keys_dialog = KeysDialog(UnitKeys(self.ledger.service), line.unit if line else None, self)
        self.keys_dialog.open()
        return self.keys_dialog

    def accept_key(self) -> bool:
        """接受新密钥: after 签名不符, the office confirms the unit's liaison has a new PC."""
        line, period = self.selected_line(), self.current_period()
        if line is None or period is None:
            return False
        if line.unit not in self.refused:
            QMessageBox.information(
                self,
                "接受新密钥",
                f"{line.unit} 没有因签名密钥未登记而被判“签名不符”的报表。没有完整有效签名的报表"
                "(导出后被改动过)不能这样采用:请联络员用填报程序重新导出后再报送。",
            )
            return False
        unit, (return_id, fingerprint) = line.unit, self.refused[line.unit]
        pinned = [k for k in UnitKeys(self.ledger.service).on_record(unit) if k.active]
        known = "\n".join(f"    {k.fingerprint}(自 {k.first_seen:%Y-%m-%d} 起)" for k in pinned) or "    (无)"
        answer = QMessageBox.question(
            self,
            "接受新密钥",
            f"{unit} 的报表是用一个办公室没有登记过的签名密钥签名的。\n\n"
            f"报表的密钥指纹:\n    {fingerprint}\n办公室登记的密钥:\n{known}\n\n"
            "联络员换了电脑或重装了程序时会出现这种情况;报表被他人伪造时也会如此。"
            "请先打电话向该单位联络员核对其报表封面上印的“签名密钥指纹”与上面的一致，再接受。\n\n"
            "接受后，这个密钥签名的报表将被采用。确认接受新密钥吗?",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            verdicts = self.ledger.accept_key_of(return_id)
        except ServiceError as exc:
            QMessageBox.warning(self, "接受新密钥", str(exc))
            return False
        used = sum(v.verdict in (Verdict.ACCEPTED, Verdict.SUPERSEDED) for v in verdicts)
        self.reload(period)
        self.summary.setText(f"已登记 {unit} 的新签名密钥 {fingerprint};重新判定 {used} 份报表为已接收。")
        return True

    # -- 催办 and 通报, off the GUI thread ------------------------------------------------------
    def _start(self, work: Any, done: Callable[[Any], None], what: str) -> BackgroundTask:
        task = BackgroundTask(work)
        task.signals.progress.connect(self._on_progress)
        task.signals.finished.connect(lambda result: self._finish(task, result, done))
        task.signals.failed.connect(lambda exc: self._failed(task, exc, what))
        self.task = task
        self.progress.setValue(0)
        self.progress.setFormat(f"正在生成{what} %v / %m")
        self.progress_box.show()
        self._update_buttons()
        self.runner.start(task)
        return task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _finish(self, task: BackgroundTask, result: Any, done: Callable[[Any], None]) -> None:
        if task is not self.task:
            return
        self.task = None
        self.progress_box.hide()
        self._update_buttons()
        done(result)

    def _failed(self, task: BackgroundTask, exc: BaseException, what: str) -> None:
        if task is not self.task:
            return
        self.task = None
        self.progress_box.hide()
        self._update_buttons()
        if isinstance(exc, InterruptedError):
            self.summary.setText(str(exc))
        else:
            QMessageBox.warning(self, what, f"{what}没有生成:{exc}")

    def remind(self, folder: Path | None = None) -> BackgroundTask | None:
        """催办: a notice per unit to chase in a folder, then a mail to each liaison."""
        period = self.current_period()
        if period is None or self.task is not None:
            return None
        if folder is None:
            chosen = QFileDialog.getExistingDirectory(
                self, "催办通知保存到哪个文件夹", str(documents_folder())
            )
            if not chosen:
                return None
            folder = Path(chosen)
        from liaison_app.reports.ledger_report import reminders, write_reminders

        ledger, by = self.ledger, self.ledger.service.clock.today() + dt.timedelta(days=5)
        target = folder
        chased = {r.unit: r for r in reminders(ledger, period)}

        def work(progress: Any, cancelled: Any) -> list[Path]:
            return write_reminders(ledger, period, target, by, progress, cancelled)

        return self._start(work, lambda written: self._reminded(period, target, written, chased), "催办通知")

    def _reminded(self, period: str, folder: Path, written: list[Path], chased: dict[str, Any]) -> None:
        from liaison_app.reports.ledger_report import reminder_file_name

        self.written = written
        if not written:
            self.summary.setText(f"{period_label(period)}没有需要催办的单位。")
            return
        folder_shown = self.opener(folder)
        mailed, by_hand = [], []
        by_name = {reminder_file_name(unit, period): r for unit, r in chased.items()}
        for path in written:
            reminder = by_name.get(path.name)
            if reminder is None:  # the ledger changed between listing and writing
                continue
            if reminder.email and self.url_opener(reminder_mail(reminder.email, reminder.unit, period, path)):
                mailed.append(reminder.unit)
            else:
                by_hand.append(reminder)
        self.summary.setText(
            f"已生成 {len(written)} 份催办通知(在 {folder});已为 {len(mailed)} 个单位新建邮件，"
            "请在邮件中添加对应的催办通知作为附件。"
        )
        if by_hand or not folder_shown:
            self.fallback = show_copy_dialog(
                self,
                "催办",
                "下列单位没能自动新建邮件(报表中没有联络员邮箱，或本机没有邮件程序)。"
                "请用单位邮箱给联络员发送对应的催办通知，或电话催办:",
                [("催办通知所在文件夹", str(folder))]
                + [
                    (r.unit, " ".join(p for p in (r.email, r.liaison, r.phone) if p) or "(未留联系方式)")
                    for r in by_hand
                ],
            )

    def bulletin(self, path: Path | None = None) -> BackgroundTask | None:
        """通报: the month's bulletin workbook."""
        period = self.current_period()
        if period is None or self.task is not None:
            return None
        if path is None:
            default = Path(documents_folder()) / f"营商环境工作通报-{period}.xlsx"
            name, _filter = QFileDialog.getSaveFileName(
                self, "保存通报", str(default), "Excel 工作簿 (*.xlsx)"
            )
            if not name:
                return None
            path = Path(name if name.lower().endswith(".xlsx") else name + ".xlsx")
        from liaison_app.reports.ledger_report import write_bulletin

        ledger, target = self.ledger, path

        def work(progress: Any, cancelled: Any) -> Path:
            write_bulletin(ledger, period, target, progress, cancelled)
            return target

        return self._start(work, self._bulletin_done, "通报")

    def _bulletin_done(self, path: Path) -> None:
        self.written = [path]
        self.summary.setText(f"已生成通报:{path}")


_STATES = RegisterState.ALL
_ALWAYS = (RegisterState.ON_TIME, RegisterState.LATE, RegisterState.MISSING)
