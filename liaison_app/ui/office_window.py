"""The leading-group office's page: receive the units' workbooks, see each file's verdict and the
merged picture (completion by area, the chase list, who has not reported), export the 汇总表.

Reading and merging run off the GUI thread on a snapshot of the catalogue, with an inline
progress bar and a cancel button; the window stays usable meanwhile.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from liaison_app.reports import office
from liaison_app.reports.consolidation import (
    DOUBTFUL,
    Catalog,
    Consolidation,
    FileVerdict,
    GroupLine,
    ItemView,
    UnitLine,
    Verdict,
    receive,
)
from liaison_app.reports.consolidation_report import default_file_name
from liaison_app.settings import OFFICE_DIR, OFFICE_GEOMETRY, OFFICE_PERIOD
from liaison_app.store.keys import UnitKeys
from liaison_app.store.ledger import OfficeLedger
from liaison_app.ui.evidence_panel import local_files
from liaison_app.ui.ledger_panel import LedgerPanel
from liaison_app.ui.machine_settings import MachineSettings, documents_folder
from liaison_app.ui.periods import default_period, parse_period
from liaison_app.ui.rows_model import Column, RowsModel, current_record, table_view
from liaison_app.ui.workers import BackgroundTask, Runner

if TYPE_CHECKING:
    from liaison_app.store.duty_records import GroupInfo
    from liaison_app.store.service import LiaisonService


VERDICT_COLUMNS: list[Column[FileVerdict]] = [
    Column("文件", lambda v: v.path.name),
    Column("单位", lambda v: v.unit),
    Column("报送期", lambda v: v.period),
    Column("导出时间", lambda v: f"{v.exported_at:%Y-%m-%d %H:%M}" if v.exported_at else ""),
    Column(
        "结果",
        lambda v: v.verdict.label,
        highlight=lambda v: v.verdict is Verdict.REJECTED or v.verdict in DOUBTFUL,
    ),
    Column("原因", lambda v: v.reason),
]
AREA_COLUMNS: list[Column[GroupLine]] = [
    Column("领域", lambda a: a.name),
    Column("工作措施", lambda a: a.items),
    Column("已完成", lambda a: a.done),
    Column("推进中", lambda a: a.in_progress),
    Column("逾期", lambda a: a.overdue, highlight=lambda a: a.overdue > 0),
    Column("完成率", lambda a: f"{a.percent}%"),
]
CHASE_COLUMNS: list[Column[ItemView]] = [
    Column("编号", lambda v: v.item.id),
    Column("工作措施", lambda v: v.item.text[:40]),
    Column("牵头单位", lambda v: "、".join(v.item.lead)),
    Column("完成时限", lambda v: v.item.deadline.isoformat() if v.item.deadline else ""),
    Column("逾期天数", lambda v: v.overdue_days, highlight=lambda v: True),
    Column("事项状态", lambda v: v.status_label),
    Column("最新进展", lambda v: v.latest_note[:40]),
]
UNIT_COLUMNS: list[Column[UnitLine]] = [
    Column("单位", lambda u: u.unit),
    Column("是否报送", lambda u: "已报送" if u.reported else "未报送", highlight=lambda u: not u.reported),
    Column("工作措施", lambda u: u.items),
    Column("完成率", lambda u: f"{u.percent}%"),
    Column("逾期", lambda u: u.overdue, highlight=lambda u: u.overdue > 0),
]
INCONSISTENT_COLUMNS: list[Column[ItemView]] = [
    Column("编号", lambda v: v.item.id),
    Column("工作措施", lambda v: v.item.text[:40]),
    Column("不一致", lambda v: v.inconsistent, highlight=lambda v: True),
]


def _table(model: RowsModel[Any], stretch: int) -> QTableView:
    view = table_view(model, stretch, QHeaderView.ResizeMode.Interactive)
    view.setWordWrap(False)
    return view


class OfficeWindow(QMainWindow):
    def __init__(
        self,
        service: LiaisonService,
        catalog: Catalog,
        runner: Runner,
        groups: list[GroupInfo] | None = None,
        parent: Any = None,
        machine: MachineSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("领导小组办公室 — 汇总各单位报表")
        self.resize(1200, 760)
        self.setAcceptDrops(True)
        self.service = service
        self.catalog = catalog
        self.runner = runner
        self.paths: list[Path] = []
        self.accepted_edits: set[Path] = set()
        self.result: Consolidation | None = None
        self.task: BackgroundTask | None = None
        self.record_task: BackgroundTask | None = None  # 记入台账, beside a reading in progress
        self.last_export: Path | None = None
        self.machine = machine or MachineSettings()

        # the liaisons' default month, or the one this user chose last time
        shown = parse_period(service.get_text(OFFICE_PERIOD)) or default_period(service.clock.today())
        self.period = QDateEdit(QDate(shown.year, shown.month, 1))
        self.period.setDisplayFormat("yyyy年MM月")
        self.period.setCalendarPopup(True)
        self.scope = QComboBox()
        self.scope.addItem("全部事项", "")
        self.groups = {f"group:{g.number}": g for g in groups or []}
        for key, group in self.groups.items():
            self.scope.addItem(group.title, key)
        for unit in service.units():
            if unit.lead_items:
                self.scope.addItem(f"{unit.name}牵头的事项", unit.name)
        self.scope.setToolTip(
            "可只看一个专项小组的事项;牵头单位可只看自己牵头的事项，对照各配合单位报送的情况"
        )
        self.add_files_button = QPushButton("添加报表…")
        self.add_folder_button = QPushButton("添加文件夹…")
        self.clear_button = QPushButton("清空")
        self.accept_button = QPushButton("采用所选的已修改报表")
        self.export_button = QPushButton("导出汇总表…")
        self.add_files_button.clicked.connect(self._choose_files)
        self.add_folder_button.clicked.connect(self._choose_folder)
        self.clear_button.clicked.connect(self.clear)
        self.accept_button.clicked.connect(self.accept_selected)
        self.export_button.clicked.connect(lambda: self.export())
        self.period.dateChanged.connect(self._on_period_changed)
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh())

        top = QHBoxLayout()
        for label, widget in (("报送期", self.period), ("范围", self.scope)):
            top.addWidget(QLabel(label))
            top.addWidget(widget)
        for button in (self.add_files_button, self.add_folder_button, self.clear_button):
            top.addWidget(button)
        top.addStretch(1)
        top.addWidget(self.accept_button)
        top.addWidget(self.export_button)

        self.progress = QProgressBar()
        self.progress.setFormat("正在读取 %v / %m 个文件")
        self.cancel_button = QPushButton("取消")
        self.cancel_button.clicked.connect(self.cancel)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        self.progress_box.hide()
        self.summary = QLabel("把各单位报送的报表(或所在文件夹)拖到这里，或点“添加报表”。")
        self.summary.setWordWrap(True)

        self.verdicts = RowsModel(VERDICT_COLUMNS, self)
        self.areas = RowsModel(AREA_COLUMNS, self)
        self.chase = RowsModel(CHASE_COLUMNS, self)
        self.units = RowsModel(UNIT_COLUMNS, self)
        self.inconsistent = RowsModel(INCONSISTENT_COLUMNS, self)
        self.verdict_view = _table(self.verdicts, 5)
        self.views = [
            self.verdict_view,
            _table(self.areas, 0),
            _table(self.chase, 1),
            _table(self.units, 0),
            _table(self.inconsistent, 2),
        ]
        tabs = QTabWidget()
        for view, title in zip(
            self.views[1:], ("各领域完成情况", "督办清单", "各单位报送情况", "牵头与配合不一致"), strict=True
        ):
            tabs.addTab(view, title)
        self.ledger_panel = LedgerPanel(OfficeLedger(service), runner, self)
        self.ledger_panel.record_button.clicked.connect(self.record)
        self.ledger_tab = tabs.addTab(self.ledger_panel, "报送登记")
        self.tabs = tabs

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(self.progress_box)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("收到的文件"))
        layout.addWidget(self.verdict_view, 2)
        layout.addWidget(tabs, 3)
        self.setCentralWidget(central)
        self._update_buttons()
        geometry = self.machine.get_bytes(OFFICE_GEOMETRY)
        if geometry is not None:
            self.restoreGeometry(geometry)

    # -- input -------------------------------------------------------------------------------
    def current_period(self) -> str:
        day = self.period.date()
        return f"{day.year():04d}-{day.month():02d}"

    def _on_period_changed(self, _day: QDate) -> None:
        self.service.put({OFFICE_PERIOD: self.current_period()})
        self.refresh()

    def add_paths(self, paths: list[Path]) -> None:
        for path in paths:
            if path not in self.paths:
                self.paths.append(path)
        self.refresh()

    def clear(self) -> None:
        self.paths, self.accepted_edits, self.result = [], set(), None
        for model in (self.verdicts, self.areas, self.chase, self.units, self.inconsistent):
            model.set_rows([])
        self.summary.setText("已清空。")
        self._update_buttons()

    def record(self) -> BackgroundTask | None:
        """记入台账: judge and keep every file received (each in its own transaction), off the
        GUI thread with the progress bar and 取消, then show the register of their period.
        Cancelling stops before the next file: the files already recorded stay, whole."""
        if not self.paths:
            QMessageBox.information(self, "记入台账", "请先添加各单位报送的报表或文件夹。")
            return None
        if self.record_task is not None:
            return None
        ledger, files, confirmed = self.ledger_panel.ledger, list(self.paths), set(self.accepted_edits)
        done: list[FileVerdict] = []

        def work(progress: Any, cancelled: Any) -> list[FileVerdict]:
            return ledger.receive(files, None, progress, cancelled, confirmed, done.append)

        task = BackgroundTask(work)
        task.signals.progress.connect(self._on_progress)
        task.signals.finished.connect(lambda verdicts: self._recorded(task, verdicts))
        task.signals.failed.connect(lambda exc: self._record_failed(task, exc, done))
        self.record_task = task
        self.ledger_panel.record_button.setEnabled(False)
        self.progress.setFormat("正在记入台账 %v / %m 个文件")
        self.progress.setValue(0)
        self.progress_box.show()
        self.runner.start(task)
        return task

    def _record_ended(self, task: BackgroundTask) -> bool:
        if task is not self.record_task:
            return False
        self.record_task = None
        self.ledger_panel.record_button.setEnabled(True)
        self.progress.setFormat("正在读取 %v / %m 个文件")
        if self.task is None:
            self.progress_box.hide()
        return True

    def _recorded(self, task: BackgroundTask, verdicts: list[FileVerdict]) -> None:
        if not self._record_ended(task):
            return
        kept = sum(v.verdict is not Verdict.REJECTED for v in verdicts)
        periods = Counter(v.period for v in verdicts if v.verdict is not Verdict.REJECTED)
        self.ledger_panel.reload(periods.most_common(1)[0][0] if periods else None)
        self.tabs.setCurrentIndex(self.ledger_tab)
        self.statusBar().showMessage(f"已记入台账:{kept} 个文件;拒收 {len(verdicts) - kept} 个", 15000)

    def _record_failed(self, task: BackgroundTask, exc: BaseException, done: list[FileVerdict]) -> None:
        if not self._record_ended(task):
            return
        self.ledger_panel.reload()
        self.tabs.setCurrentIndex(self.ledger_tab)
        if isinstance(exc, InterruptedError):
            self.ledger_panel.summary.setText(
                f"已取消记入台账:已记入的 {len(done)} 个文件保留，其余文件没有记入(可再次点“记入台账”)。"
            )
        else:
            QMessageBox.warning(self, "记入台账失败", str(exc))

    def accept_selected(self) -> None:
        verdict = current_record(self.verdict_view, FileVerdict)
        if verdict is None or verdict.verdict not in DOUBTFUL:
            QMessageBox.information(self, "采用已修改的报表", "请先在文件列表中选择一个“已被修改”的报表。")
            return
        self.accepted_edits.add(verdict.path)
        self.refresh()

    def _choose_files(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self, "选择各单位报送的报表", self._last_dir(), "Excel 工作簿 (*.xlsx);;所有文件 (*)"
        )
        if names:
            self._remember_dir(Path(names[0]).parent)
            self.add_paths([Path(n) for n in names])

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择存放报表的文件夹", self._last_dir())
        if folder:
            self._remember_dir(Path(folder))
            self.add_paths([Path(folder)])

    def _last_dir(self) -> str:
        return self.machine.folder(OFFICE_DIR, documents_folder())

    def _remember_dir(self, folder: Path) -> None:
        self.machine.remember_folder(OFFICE_DIR, folder)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = local_files(event)
        if files:
            event.acceptProposedAction()
            self.add_paths(files)

    # -- reading and merging off the GUI thread ---------------------------------------------------
    def refresh(self) -> None:
        if not self.paths:
            return
        if self.task is not None:
            self.task.cancel()
        # the keys as the office trusts them now (receiving pins them, 接受新密钥 adds one)
        self.catalog = replace(self.catalog, keys=UnitKeys(self.service).trusted())
        scope, catalog = str(self.scope.currentData() or ""), self.catalog
        chosen = self.groups.get(scope)
        job = office.OfficeJob.of(
            self.paths,
            catalog,
            self.service.clock.now(),
            self.service.clock.today(),
            period=self.current_period(),
            accept_modified=self.accepted_edits,
            lead="" if chosen else scope,
            group=(chosen.title, frozenset(chosen.units(catalog.units))) if chosen else None,
        )

        def work(progress: Any, cancelled: Any) -> Consolidation:
            # ``receive`` looked up here, in this module, so a test can hold the reading step
            return office.run(job, progress, cancelled, receive_step=receive).result

        task = BackgroundTask(work)
        task.signals.progress.connect(self._on_progress)
        task.signals.finished.connect(lambda result: self._on_done(task, result))
        task.signals.failed.connect(lambda exc: self._on_failed(task, exc))
        self.task = task
        self.progress.setValue(0)
        self.progress_box.show()
        self._update_buttons()
        self.runner.start(task)

    def cancel(self) -> None:
        for task in (self.task, self.record_task):
            if task is not None:
                task.cancel()

    def _on_progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _on_done(self, task: BackgroundTask, result: Consolidation) -> None:
        if task is not self.task:
            return  # an older run that was replaced
        self.task = None
        if self.record_task is None:
            self.progress_box.hide()
        self.result = result
        self.verdicts.set_rows(result.verdicts)
        self.areas.set_rows(result.areas)
        self.chase.set_rows(result.overdue)
        self.units.set_rows(result.units)
        self.inconsistent.set_rows(result.inconsistent)
        for view in self.views:  # a few hundred rows at most: measuring them is cheap
            view.resizeColumnsToContents()
            for column in range(view.model().columnCount()):
                view.setColumnWidth(column, min(view.columnWidth(column), 360))
        used = sum(v.counts_as_used for v in result.verdicts)
        refused = sum(v.verdict is Verdict.REJECTED or v.verdict in DOUBTFUL for v in result.verdicts)
        self.summary.setText(
            f"收到 {len(result.verdicts)} 个文件:采用 {used} 个，未采用 {refused} 个。"
            f"应报 {len(result.units)} 个单位，未报送 {len(result.missing_units)} 个;"
            f"逾期 {len(result.overdue)} 条，不一致 {len(result.inconsistent)} 条"
            f"(统计截至 {result.as_of.isoformat()})。"
        )
        self._update_buttons()

    def _on_failed(self, task: BackgroundTask, exc: BaseException) -> None:
        if task is not self.task:
            return
        self.task = None
        if self.record_task is None:
            self.progress_box.hide()
        if isinstance(exc, InterruptedError):
            self.summary.setText("已取消读取。")
        else:
            QMessageBox.warning(self, "汇总失败", str(exc))
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.task is not None
        self.export_button.setEnabled(
            not busy and self.result is not None and any(v.counts_as_used for v in self.result.verdicts)
        )
        edited = self.result is not None and any(
            v.verdict is Verdict.MODIFIED and v.path not in self.accepted_edits for v in self.result.verdicts
        )
        self.accept_button.setEnabled(not busy and edited)  # nothing to accept: nothing to click

    # -- output ----------------------------------------------------------------------------
    def export(self, path: Path | None = None) -> BackgroundTask | None:
        result = self.result
        if result is None:
            return None
        if path is None:
            default = Path(self._last_dir()) / default_file_name(result.period, result.lead_scope)
            name, _filter = QFileDialog.getSaveFileName(
                self, "导出汇总表", str(default), "Excel 工作簿 (*.xlsx)"
            )
            if not name:
                return None
            path = Path(name if name.lower().endswith(".xlsx") else name + ".xlsx")
        target = path
        from liaison_app.reports.ledger_report import ledger_appendix

        # the ledger's ranking and trend of the period, read now, written by the worker
        appendix = ledger_appendix(self.ledger_panel.ledger, result.period)
        task = BackgroundTask(lambda _p, _c: office.write(result, target, appendix))
        task.signals.finished.connect(lambda _r: self._exported(target))
        task.signals.failed.connect(
            lambda exc: QMessageBox.warning(self, "导出失败", f"汇总表没有导出:{exc}")
        )
        self.runner.start(task)
        return task

    def closeEvent(self, event: QCloseEvent) -> None:
        self.machine.put_bytes(OFFICE_GEOMETRY, self.saveGeometry())
        super().closeEvent(event)

    def _exported(self, path: Path) -> None:
        self.last_export = path
        self.statusBar().showMessage(f"已导出汇总表:{path}", 15000)
