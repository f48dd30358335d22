"""The liaison's window: pick the unit, see its items with lights, record progress. Always saved."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QDate, QItemSelection, QModelIndex, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from liaison_app import APP_TITLE, __version__
from liaison_app.store.records import ServiceError, UnitTask

if TYPE_CHECKING:  # these load openpyxl/SQLAlchemy: imported when the data is attached
    from liaison_app.store.service import LiaisonService
    from liaison_app.ui.duties_actions import DutiesActions
    from liaison_app.ui.office_window import OfficeWindow
    from liaison_app.ui.plan_actions import PlanActions
    from liaison_app.ui.report_actions import ReportActions, UrlOpener

from liaison_app.store.status import Light, Status
from liaison_app.ui.detail_pane import DetailPane
from liaison_app.ui.duties_panels import CasesPanel, DutiesPanel
from liaison_app.ui.evidence_actions import EvidenceActions, Opener, open_with_system
from liaison_app.ui.profile_dialog import ProfileDialog
from liaison_app.ui.summary_strip import SummaryStrip
from liaison_app.ui.task_editor import TaskEditor
from liaison_app.ui.task_filter import TaskFilterProxy
from liaison_app.ui.task_model import TASK_ROLE, Column, TaskTreeModel
from liaison_app.ui.task_tree_view import TaskTreeView
from liaison_app.ui.unit_picker import UnitPicker
from liaison_app.ui.workers import BackgroundTask, PoolRunner, Runner
from liaison_app.vocabulary import Role

SETTING_OFFICE_EMAIL = "office.email"
SETTING_UNIT = "ui.last_unit"
SETTING_NAME = "profile.name"
SETTING_PHONE = "profile.phone"
SETTING_GEOMETRY = "ui.geometry"
SETTING_SPLITTER = "ui.splitter"


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class MainWindow(QMainWindow):
    def __init__(
        self,
        service: LiaisonService | None = None,
        parent: Any = None,
        *,
        runner: Runner | None = None,
        opener: Opener = open_with_system,
        url_opener: UrlOpener | None = None,
    ) -> None:
        """Build the window; with no service it shows itself as opening until :meth:`attach`.

        ``runner`` runs background work (a thread pool; tests pass a synchronous one) and
        ``opener`` hands files to the operating system (tests record the calls instead).
        """
        super().__init__(parent)
        self.service: LiaisonService | None = None
        self.editor: TaskEditor | None = None
        self.evidence: EvidenceActions | None = None
        self.runner: Runner = runner or PoolRunner()
        self.opener = opener
        self.url_opener = url_opener
        self.reports: ReportActions | None = None
        self.duties: DutiesActions | None = None
        self.office_window: OfficeWindow | None = None
        self.plans: PlanActions | None = None
        self.pending_restore: Path | None = None  # run_gui restores it once the data is closed
        self.unit = ""
        self.resize(1280, 800)

        self.model = TaskTreeModel(self)
        self.proxy = TaskFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self._build_toolbar()
        self._build_central()
        self._build_menus()
        self.saved_label = QLabel("尚无修改")
        self.statusBar().addPermanentWidget(self.saved_label)
        self._update_title()
        if service is not None:
            self.attach(service)
        else:
            self.central.setEnabled(False)
            self.statusBar().showMessage("正在打开数据…")

    def attach(self, service: LiaisonService) -> None:
        """Connect the window to the opened data and show the last unit."""
        self.service = service
        self.editor = TaskEditor(service, self)
        self.editor.task_changed.connect(self._on_task_changed)
        self.editor.saved.connect(self._on_saved)
        self.editor.failed.connect(self._on_failed)
        self.detail.status_requested.connect(self.editor.set_status)
        self.detail.note_committed.connect(self.editor.set_note)
        self.detail.completed_requested.connect(self.editor.set_completed_on)
        for action, make in (
            (self.undo_action, self.editor.undo_stack.undo),
            (self.redo_action, self.editor.undo_stack.redo),
        ):
            action.triggered.connect(make)
        # bound methods, not lambdas: Qt drops them when the window goes, before its children
        stack = self.editor.undo_stack
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        stack.undoTextChanged.connect(self._on_undo_text)
        stack.redoTextChanged.connect(self._on_redo_text)
        self.evidence = EvidenceActions(self, service, self.runner, self.current_period, self.opener)
        self.evidence.changed.connect(self._on_evidence_changed)
        self.evidence.finished.connect(self._show_message)
        panel = self.detail.evidence
        panel.add_requested.connect(lambda: self._evidence().choose_and_attach(self.detail.task))
        panel.files_dropped.connect(self._attach_to_shown)
        panel.open_requested.connect(lambda record: self._evidence().open(record))
        panel.reveal_requested.connect(lambda record: self._evidence().reveal(record))
        panel.remove_requested.connect(lambda record: self._evidence().remove(record))
        panel.model.description_edited.connect(self._on_description_edited)
        self.tree.files_dropped.connect(lambda task, files: self._evidence().attach(task, files))
        from liaison_app.store.reporting import ReportService  # with the data, not before
        from liaison_app.ui.report_actions import ReportActions, open_url

        self.reports = ReportActions(
            self, ReportService(service), self.evidence, self.runner, self.opener, self.url_opener or open_url
        )
        self.reports.go_to_item.connect(self.select_item)
        from liaison_app.ui.promises_actions import PromisesActions

        self.detail.today = service.clock.today()
        self.detail.period = self.current_period()
        self.period.dateChanged.connect(lambda _d: setattr(self.detail, "period", self.current_period()))
        self.promises = PromisesActions(
            self,
            service,
            self.detail.milestones,
            self.detail.targets,
            lambda: self.detail.task,
            self.current_period,
        )
        self.promises.task_changed.connect(self._on_task_changed)
        self.promises.message.connect(self._show_message)
        self.reports.message.connect(self._show_message)
        from liaison_app.store.duties import DutiesService
        from liaison_app.ui.duties_actions import DutiesActions

        self.duties = DutiesActions(
            self,
            DutiesService(service),
            self.evidence,
            self.cases_panel,
            self.duties_panel,
            lambda: self.unit,
            self.current_period,
            self.current_as_of,
        )
        self.duties.changed.connect(self._update_summary)
        self.period.dateChanged.connect(lambda _d: self.duties.refresh() if self.duties else None)
        today = service.clock.today()
        self.period.setDate(_qdate(today.replace(day=1)))
        self.as_of.setDate(_qdate(today))
        from liaison_app.ui.plan_actions import PlanActions

        self.plans = PlanActions(self, service, self.runner, self.plan_switcher, self.plan_switcher_actions)
        self.plans.plan_switched.connect(self._on_plan_switched)
        self.plans.message.connect(self._show_message)
        self.picker.set_units(service.units())
        self._restore_layout()
        self.central.setEnabled(True)
        self.statusBar().clearMessage()
        last = service.setting(SETTING_UNIT)
        if last and self.picker.select_unit(last):
            self.show_unit(last)
        else:
            self.show_unit("")

    def _update_summary(self) -> None:
        extra = self.duties.summary() if self.duties is not None else ""
        self.summary.show_summary(self.unit, self.model.tasks(), self.current_as_of(), extra)

    def _on_undo_text(self, text: str) -> None:
        self.undo_action.setText(f"撤销 {text}" if text else "撤销")

    def _on_redo_text(self, text: str) -> None:
        self.redo_action.setText(f"重做 {text}" if text else "重做")

    def _show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def _evidence(self) -> EvidenceActions:
        assert self.evidence is not None, "the window has no data yet"
        return self.evidence

    def _attach_to_shown(self, files: list[Path]) -> None:
        if self.detail.task is not None:
            self._evidence().attach(self.detail.task, files)

    def _on_evidence_changed(self, code: str) -> None:
        if not self.unit:
            return
        task = self._service().task(self.unit, code)
        self._on_task_changed(task)
        self.saved_label.setText(f"已保存 {self._service().clock.now().strftime('%H:%M:%S')}")

    def _on_description_edited(self, record: Any, text: str) -> None:
        updated = self._evidence().describe(record, text)
        if updated is not None:
            self.detail.evidence.model.update_record(updated)

    def _service(self) -> LiaisonService:
        assert self.service is not None, "the window has no data yet"
        return self.service

    # -- building ------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        bar = QToolBar("单位与日期")
        bar.setObjectName("main_toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.picker = UnitPicker()
        self.picker.unit_chosen.connect(self._on_unit_chosen)
        bar.addWidget(QLabel(" 本单位 "))
        bar.addWidget(self.picker)
        bar.addSeparator()
        today = dt.date.today()
        self.period = QDateEdit(_qdate(today.replace(day=1)))
        self.period.setDisplayFormat("yyyy年MM月")
        self.period.setCalendarPopup(True)
        self.period.setToolTip("报送期:本次报表所属的月份")
        bar.addWidget(QLabel(" 报送期 "))
        bar.addWidget(self.period)
        self.as_of = QDateEdit(_qdate(today))
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setCalendarPopup(True)
        self.as_of.setToolTip("统计截至:逾期、临期按这一天计算")
        self.as_of.dateChanged.connect(self._on_as_of_changed)
        bar.addWidget(QLabel(" 统计截至 "))
        bar.addWidget(self.as_of)
        # the plan switcher, shown when the data folder holds more than one plan
        self.plan_switcher = QComboBox()
        self.plan_switcher.setObjectName("plan_switcher")
        self.plan_switcher.setToolTip("工作方案:选择要查看和填报的方案")
        self.plan_switcher_actions = (
            bar.addSeparator(),
            bar.addWidget(QLabel(" 工作方案 ")),
            bar.addWidget(self.plan_switcher),
        )
        for action in self.plan_switcher_actions:
            action.setVisible(False)
        self.setAcceptDrops(True)  # a plan file dropped on the window is imported

    def _build_central(self) -> None:
        self.summary = SummaryStrip()

        self.role_filter = QComboBox()
        self.role_filter.addItem("全部职责", None)
        for role in Role:
            self.role_filter.addItem(role.label, role.value)
        self.status_filter = QComboBox()
        self.status_filter.addItem("全部状态", None)
        for status in Status:
            self.status_filter.addItem(status.label, status.value)  # Qt hands enums back as str
        self.light_filter = QComboBox()
        self.light_filter.addItem("全部预警", None)
        for light in Light:
            self.light_filter.addItem(light.label, light.value)
        self.search = QLineEdit()
        self.search.setPlaceholderText("搜索工作措施和进展情况(Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        for combo in (self.role_filter, self.status_filter, self.light_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        self.search.textChanged.connect(self._apply_filters)
        filters = QHBoxLayout()
        filters.addWidget(self.role_filter)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.light_filter)
        filters.addWidget(self.search, 1)

        self.tree = TaskTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Widths from the font, not from the contents: measuring every row on every change
        # would cost O(rows) per edit. Sections stay resizable by the user.
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.TEXT, QHeaderView.ResizeMode.Stretch)
        metrics = self.tree.fontMetrics()
        samples = {
            Column.CODE: "十五 59.4",
            Column.ROLE: "职责",
            Column.DEADLINE: "2019-12-31",
            Column.STATUS: "完成 10/10",
            Column.EVIDENCE: "佐证",
            Column.LIGHT: "逾期 10",
        }
        for column, sample in samples.items():
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 3 * metrics.averageCharWidth())
        # the code column also holds the tree's indentation (items sit two levels deep)
        header.resizeSection(Column.CODE, header.sectionSize(Column.CODE) + 3 * self.tree.indentation())
        self.tree.selectionModel().selectionChanged.connect(self._on_selection)

        self.empty_hint = QLabel()
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.hide()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.tree, 1)
        left_layout.addWidget(self.empty_hint)

        self.detail = DetailPane()
        self.cases_panel = CasesPanel()
        self.duties_panel = DutiesPanel(self.current_as_of)
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.detail, "工作措施")
        self.side_tabs.addTab(self.cases_panel, "典型案例")
        self.side_tabs.addTab(self.duties_panel, "牵头任务和专项小组")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.central = QWidget()
        layout = QVBoxLayout(self.central)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(self.central)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        self.export_action = QAction("导出报表(&E)…", self)
        self.export_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.export_action.triggered.connect(lambda: self.export_report())
        file_menu.addAction(self.export_action)
        self.pdf_action = QAction("导出 PDF(&P)…", self)
        self.pdf_action.triggered.connect(lambda: self.export_report("pdf"))
        self.print_action = QAction("打印(&R)…", self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.triggered.connect(lambda: self.export_report("print"))
        file_menu.addAction(self.pdf_action)
        file_menu.addAction(self.print_action)
        self.import_plan_action = QAction("导入工作方案(&I)…", self)
        self.import_plan_action.setToolTip("导入任务分解表、工作要点或领导小组办公室发布的方案文件")
        self.import_plan_action.triggered.connect(
            lambda: self.plans.choose_and_import() if self.plans else None
        )
        file_menu.addAction(self.import_plan_action)
        file_menu.addSeparator()
        self.backup_action = QAction("备份到(&B)…", self)
        self.backup_action.setToolTip("把数据库和全部佐证材料备份到一个文件，可存 U 盘")
        self.backup_action.triggered.connect(self.backup_to)
        self.restore_action = QAction("从备份恢复(&R)…", self)
        self.restore_action.triggered.connect(self.restore_from)
        file_menu.addAction(self.backup_action)
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        profile = QAction("联络员信息(&P)…", self)
        profile.triggered.connect(self.edit_profile)
        file_menu.addAction(profile)
        file_menu.addSeparator()
        quit_action = QAction("退出(&X)", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit_menu = self.menuBar().addMenu("编辑(&E)")
        self.undo_action = QAction("撤销", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setEnabled(False)
        self.redo_action = QAction("重做", self)
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.redo_action.setEnabled(False)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        self.cycle_action = QAction("切换进展状态", self)
        self.cycle_action.setShortcut(QKeySequence("Ctrl+E"))
        self.cycle_action.triggered.connect(self.cycle_status)
        edit_menu.addAction(self.cycle_action)
        find = QAction("查找", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self._focus_search)
        edit_menu.addAction(find)

        view_menu = self.menuBar().addMenu("查看(&V)")
        expand = QAction("全部展开", self)
        expand.triggered.connect(self.tree.expandAll)
        collapse = QAction("全部折叠", self)
        collapse.triggered.connect(self.tree.collapseAll)
        view_menu.addAction(expand)
        view_menu.addAction(collapse)

        tools_menu = self.menuBar().addMenu("工具(&T)")
        self.add_files_action = QAction("为所选条目添加佐证材料…", self)
        self.add_files_action.triggered.connect(
            lambda: self._evidence().choose_and_attach(self.selected_task())
        )
        self.bundle_action = QAction("导出佐证材料包…", self)
        self.bundle_action.triggered.connect(self._bundle)
        self.verify_action = QAction("校验佐证材料", self)
        self.verify_action.triggered.connect(lambda: self._evidence().verify())
        for action in (self.add_files_action, self.bundle_action, self.verify_action):
            tools_menu.addAction(action)
        tools_menu.addSeparator()
        self.office_action = QAction("领导小组办公室汇总…", self)
        self.office_action.setToolTip("收取各单位报表并汇总;牵头单位也可在此对照配合单位的报送")
        self.office_action.triggered.connect(self.open_office)
        tools_menu.addAction(self.office_action)

        help_menu = self.menuBar().addMenu("帮助(&H)")
        about = QAction("关于(&A)", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # -- showing a unit ----------------------------------------------------------------------
    def show_unit(self, unit: str) -> None:
        self.detail.flush_note()
        self.unit = unit
        tasks = self._service().tasks(unit) if unit else []
        self.model.set_tasks(unit, tasks, self.current_as_of())
        self.expand_groups()
        self.summary.show_summary(unit, tasks, self.current_as_of())
        self.detail.show_task(None, [], self.current_as_of())
        if self.duties is not None:
            self.duties.refresh()
        self._update_empty_hint()
        self._update_title()

    def expand_groups(self) -> None:
        """Open every area and measure (items are leaves: no need to visit them)."""
        self.tree.expandAll()

    def current_as_of(self) -> dt.date:
        return _pydate(self.as_of.date())

    def current_period(self) -> str:
        day = self.period.date()
        return f"{day.year():04d}-{day.month():02d}"

    def select_item(self, code: str) -> bool:
        source = self.model.index_of(code)
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            return False
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    def selected_task(self) -> UnitTask | None:
        task = self.tree.currentIndex().data(TASK_ROLE)
        return task if isinstance(task, UnitTask) else None

    # -- reactions -----------------------------------------------------------------------------
    def _on_unit_chosen(self, unit: str) -> None:
        if unit == self.unit:
            return
        self._service().set_settings({SETTING_UNIT: unit})
        self.show_unit(unit)

    def _on_as_of_changed(self, _day: QDate) -> None:
        as_of = self.current_as_of()
        self.model.set_as_of(as_of)
        if self.duties is not None:
            self.duties.refresh()  # deliverables' lights move with the date too
        self._update_summary()
        task = self.detail.task
        if task is not None:
            self.detail.refresh(task, self._service().history(self.unit, task.item.id), as_of)
        if self.light_filter.currentData() is not None:
            self._apply_filters()

    def _apply_filters(self) -> None:
        status, light = self.status_filter.currentData(), self.light_filter.currentData()
        self.proxy.set_filters(
            role=self.role_filter.currentData(),
            status=Status(status) if status else None,
            light=Light(light) if light else None,
            text=self.search.text(),
        )
        self.expand_groups()
        self._update_empty_hint()

    def _update_empty_hint(self) -> None:
        if not self.unit:
            text = "请先在上方选择本单位。"
        elif self.proxy.rowCount() == 0:
            text = "没有符合筛选条件的工作措施。"
        else:
            text = ""
        self.empty_hint.setText(text)
        self.empty_hint.setVisible(bool(text))

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.detail.flush_note()
        task = self.selected_task()
        service = self._service()
        history = service.history(self.unit, task.item.id) if task else []
        evidence = service.evidence(self.unit, task.item.id) if task else []
        self.detail.show_task(task, history, self.current_as_of(), evidence)

    def _on_task_changed(self, task: UnitTask) -> None:
        if task.unit != self.unit:
            return
        self.model.update_task(task)
        self._update_summary()
        if self.detail.task is not None and self.detail.task.item.id == task.item.id:
            service = self._service()
            self.detail.refresh(
                task,
                service.history(self.unit, task.item.id),
                self.current_as_of(),
                service.evidence(self.unit, task.item.id),
            )

    def _on_saved(self, when: dt.datetime) -> None:
        self.saved_label.setText(f"已保存 {when.strftime('%H:%M:%S')}")

    def _on_failed(self, message: str) -> None:
        QMessageBox.warning(self, "未保存", message)

    def open_office(self) -> OfficeWindow:
        from liaison_app.store.reporting import ReportService
        from liaison_app.ui.office_window import OfficeWindow

        if self.office_window is None:
            from liaison_app.store.duties import DutiesService

            service = self._service()
            catalog = ReportService(service).catalog_snapshot()
            self.office_window = OfficeWindow(
                service, catalog, self.runner, DutiesService(service).groups(), self
            )
        self.office_window.show()
        self.office_window.raise_()
        return self.office_window

    def bring_to_front(self) -> None:
        """Another start of the app asked for this window."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def backup_to(self, target: Path | None = None) -> BackgroundTask | None:
        service = self._service()
        if target is None:
            default = Path.home() / f"营商环境台账备份_{service.clock.now():%Y%m%d-%H%M%S}.zip"
            name, _filter = QFileDialog.getSaveFileName(self, "备份到", str(default), "zip 压缩包 (*.zip)")
            if not name:
                return None
            target = Path(name if name.lower().endswith(".zip") else name + ".zip")
        destination = target
        task = BackgroundTask(lambda _p, _c: service.full_backup(destination))
        task.signals.finished.connect(
            lambda result: QMessageBox.information(
                self, "备份完成", f"已备份到 {destination}\n(数据库和 {result['evidence']} 个佐证材料文件)"
            )
        )
        task.signals.failed.connect(lambda exc: QMessageBox.warning(self, "备份失败", str(exc)))
        self.runner.start(task)
        return task

    def restore_from(self, source: Path | None = None) -> None:
        """Restoring replaces the data: it runs after this window has closed the database."""
        if source is None:
            name, _filter = QFileDialog.getOpenFileName(
                self, "选择备份文件", str(Path.home()), "备份文件 (*.zip *.sqlite3);;所有文件 (*)"
            )
            if not name:
                return
            source = Path(name)
            answer = QMessageBox.question(
                self,
                "从备份恢复",
                f"用 {source.name} 替换现有数据?\n恢复前会先校验备份，并把现有数据另存一份。",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.pending_restore = source
        self.close()
        app = QApplication.instance()
        if app is not None:
            app.exit(0)

    def export_report(self, kind: str = "xlsx") -> None:
        if self.reports is not None:
            self.reports.export(self.unit, self.current_period(), self.current_as_of(), kind=kind)

    def _bundle(self) -> None:
        if not self.unit:
            QMessageBox.information(self, "佐证材料包", "请先选择本单位。")
            return
        self._evidence().bundle(self.unit)

    def cycle_status(self) -> None:
        task = self.selected_task()
        if task is None:
            return
        statuses = list(Status)
        following = statuses[(statuses.index(task.status) + 1) % len(statuses)]
        if self.editor is not None:
            self.editor.set_status(task, following)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- profile, about, title -----------------------------------------------------------------
    def ask_profile(self, first_run: bool) -> bool:
        service = self._service()
        dialog = ProfileDialog(
            service.units(),
            self.unit,
            service.setting(SETTING_NAME),
            service.setting(SETTING_PHONE),
            service.setting(SETTING_OFFICE_EMAIL),
            first_run=first_run,
            parent=self,
        )
        if dialog.exec() != ProfileDialog.DialogCode.Accepted:
            return False
        unit, name, phone, office = dialog.values()
        service.set_settings(
            {SETTING_UNIT: unit, SETTING_NAME: name, SETTING_PHONE: phone, SETTING_OFFICE_EMAIL: office}
        )
        service.actor = name
        if unit != self.unit:
            self.picker.select_unit(unit)
            self.show_unit(unit)
        return True

    def edit_profile(self) -> None:
        self.ask_profile(first_run=False)

    def show_about(self) -> None:
        service = self._service()
        info = service.plan_info()
        QMessageBox.about(
            self,
            "关于",
            f"<b>{APP_TITLE}</b> 版本 {__version__}<br><br>工作方案:{info.name}<br>"
            f"{info.areas} 个领域，{info.measures} 项目标任务，{info.items} 条工作措施<br><br>"
            f"数据保存在:{service.database.path.parent}",
        )

    def _update_title(self) -> None:
        suffix = f" — {self.unit}" if self.unit else ""
        if self.plans is not None and self.plans.plan_count() > 1 and self.service is not None:
            suffix = f" — 《{self.service.plan_info().name}》{suffix}"
        self.setWindowTitle(f"{APP_TITLE} {__version__}{suffix}")

    # -- plans ---------------------------------------------------------------------------------
    def _on_plan_switched(self, _plan_id: str) -> None:
        """Tree, summary, title and the unit list follow the plan now chosen."""
        service = self._service()
        if self.editor is not None:
            self.editor.undo_stack.clear()  # its steps name items of the plan left behind
        units = service.units()
        self.picker.set_units(units)
        names = {u.name for u in units if u.lead_items or u.coop_items}
        unit = self.unit if self.unit in names else ""
        if unit:
            self.picker.select_unit(unit)
        self.show_unit(unit)
        if self.duties is not None:
            self.duties.refresh()
        self._update_title()

    def dragEnterEvent(self, event: Any) -> None:
        from liaison_app.ui.plan_actions import is_plan_candidate

        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if self.plans is not None and any(is_plan_candidate(Path(u.toLocalFile())) for u in urls):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: Any) -> None:
        from liaison_app.ui.plan_actions import is_plan_candidate

        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        files = [Path(u.toLocalFile()) for u in urls if is_plan_candidate(Path(u.toLocalFile()))]
        if self.plans is not None and files:
            event.acceptProposedAction()
            self.plans.import_file(files[0])
        else:
            super().dropEvent(event)

    # -- layout memory and closing -----------------------------------------------------------
    def _restore_layout(self) -> None:
        service = self._service()
        geometry = service.setting(SETTING_GEOMETRY)
        if geometry:
            self.restoreGeometry(QByteArray.fromBase64(geometry.encode("ascii")))
        splitter = service.setting(SETTING_SPLITTER)
        if splitter:
            self.splitter.restoreState(QByteArray.fromBase64(splitter.encode("ascii")))
        else:
            self.splitter.setSizes([760, 520])

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.detail.flush_note():  # nothing typed is lost, not even on a full disk
            answer = QMessageBox.warning(
                self,
                "进展情况没有保存",
                "刚输入的进展情况没能保存(见上一条提示)。关闭窗口会丢失这段文字。\n"
                "建议先复制这段文字，或释放磁盘空间后再关闭。",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                event.ignore()
                return
        if self.evidence is not None and self.evidence.running:
            self.evidence.cancel_all()  # a copy in progress is undone, never left half-made
            if isinstance(self.runner, PoolRunner):
                self.runner.wait(30000)
            QApplication.processEvents()
        if self.service is None:
            super().closeEvent(event)
            return
        # the layout is a convenience: a full or read-only disk must not keep the window open
        with contextlib.suppress(ServiceError):
            self.service.set_settings(
                {
                    SETTING_GEOMETRY: bytes(self.saveGeometry().toBase64().data()).decode("ascii"),
                    SETTING_SPLITTER: bytes(self.splitter.saveState().toBase64().data()).decode("ascii"),
                }
            )
        super().closeEvent(event)

    def index_for(self, code: str) -> QModelIndex:
        return self.proxy.mapFromSource(self.model.index_of(code))
