"""The liaison's window: pick the unit, see its items with lights, record progress. Always saved.

This is the composition root: it builds the widgets, attaches the data and reacts to it. The menus
and their actions live in :mod:`liaison_app.ui.main_actions`; per-machine state (geometry, folders)
in :mod:`liaison_app.ui.machine_settings`; every setting is declared in :mod:`liaison_app.settings`.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QEvent, QItemSelection, QModelIndex, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from liaison_app import APP_TITLE, __version__
from liaison_app.errors import DataNotOpened
from liaison_app.settings import GEOMETRY, LAST_UNIT, SPLITTER
from liaison_app.store.records import LiaisonProfile, ServiceError, UnitTask

if TYPE_CHECKING:  # imported when the data is attached (openpyxl, SQLAlchemy) or after the first paint
    from liaison_app.store.read_view import ReadView
    from liaison_app.store.service import LiaisonService
    from liaison_app.ui.detail_pane import DetailPane
    from liaison_app.ui.duties_actions import DutiesActions
    from liaison_app.ui.duties_panels import CasesPanel, DutiesPanel
    from liaison_app.ui.evidence_actions import EvidenceActions, Opener
    from liaison_app.ui.office_window import OfficeWindow
    from liaison_app.ui.plan_actions import PlanActions
    from liaison_app.ui.profile_dialog import LiaisonBar
    from liaison_app.ui.report_actions import ReportActions, UrlOpener
    from liaison_app.ui.task_editor import TaskEditor

from liaison_app.store.status import Light, Status
from liaison_app.ui.machine_settings import MachineSettings
from liaison_app.ui.main_actions import MainActions
from liaison_app.ui.periods import default_period
from liaison_app.ui.side_panels import SidePanels
from liaison_app.ui.summary_strip import SummaryStrip
from liaison_app.ui.task_filter import TaskFilterProxy
from liaison_app.ui.task_model import TASK_ROLE, Column, TaskTreeModel, collector_paused
from liaison_app.ui.task_tree_view import TaskTreeView
from liaison_app.ui.unit_picker import UnitPicker
from liaison_app.ui.workers import PoolRunner, Runner
from liaison_app.vocabulary import Role

FREEZE_AFTER_MS = 3000  # once the window is usable and painted


def _freeze_startup_objects() -> None:
    """Take what start-up made (modules, the catalogue, SQLAlchemy's and Qt's wrappers, a few
    hundred thousand objects that live as long as the app) out of the garbage collector's full
    passes. Each unit switch makes tens of thousands of objects, which set off full passes; over
    all of start-up's objects those took 100–200 ms each, felt as a stutter every few switches.
    Once per process; objects frozen are still freed when their last reference goes."""
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def open_with_system(path: Path) -> bool:
    """The OS's default application for a file (see :mod:`liaison_app.ui.evidence_actions`,
    imported when first used: the first screen never opens a file)."""
    from liaison_app.ui import evidence_actions

    return evidence_actions.open_with_system(path)


class MainWindow(QMainWindow):
    def __init__(
        self,
        service: LiaisonService | None = None,
        parent: Any = None,
        *,
        runner: Runner | None = None,
        opener: Opener = open_with_system,
        url_opener: UrlOpener | None = None,
        machine: MachineSettings | None = None,
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
        self.machine = machine or MachineSettings()
        self.liaison_asked: set[str] = set()  # units whose liaison was asked for this session
        self._reports: ReportActions | None = None
        self.duties: DutiesActions | None = None
        self.office_window: OfficeWindow | None = None
        self.plans: PlanActions | None = None
        self.pending_restore: Path | None = None  # run_gui restores it once the data is closed
        self.unit = ""
        self._load: Callable[[], None] | None = None  # opens the data and attaches it (preview)
        self._previewed = False
        self.resize(1280, 800)

        self.model = TaskTreeModel(self)
        self.proxy = TaskFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self._build_toolbar()
        self._build_central()
        self.menus = MainActions(self)
        self.undo_action, self.redo_action = self.menus.undo_action, self.menus.redo_action
        self.cycle_action, self.verify_action = self.menus.cycle_action, self.menus.verify_action
        self.import_plan_action = self.menus.import_plan_action
        self.pdf_action, self.print_action = self.menus.pdf_action, self.menus.print_action
        self.saved_label = QLabel("尚无修改")
        self.statusBar().addPermanentWidget(self.saved_label)
        self._update_title()
        if service is not None:
            self.attach(service)
        else:
            self.central.setEnabled(False)
            self.statusBar().showMessage("正在打开数据…")

    def preview(self, view: ReadView, login: str, load: Callable[[], None]) -> None:
        """Show the first screen (the units, the last unit's items with their lights and counts)
        from a read of a current database, before the data is opened (SQLAlchemy is not loaded
        yet). ``load`` opens the data and attaches it; whatever needs the data before then (an
        item chosen, another unit, a menu action) calls it first, under a busy cursor, so no click
        is ignored. The status bar says the data is being opened until then."""
        self._load = load
        self._previewed = True
        today = view.clock.today()
        self.period.setDate(_qdate(default_period(today)))
        self.as_of.setDate(_qdate(today))
        self.picker.set_units(view.units())
        self._restore_layout()
        last = view.last_unit(login)
        self.unit = last if last and self.picker.select_unit(last) else ""
        self.model.set_tasks(self.unit, view.tasks(self.unit) if self.unit else [], today)
        self.expand_groups()
        self.summary.show_counts(self.unit, self.model.counts())
        self._update_empty_hint()
        self._update_title()
        self.central.setEnabled(True)

    @property
    def loading(self) -> bool:
        """The first screen is shown and the data is not attached yet."""
        return self._load is not None

    def finish_loading(self) -> None:
        """Open and attach the data now if the first screen was shown before it (no-op after)."""
        load, self._load = self._load, None
        if load is None:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            load()
        finally:
            QApplication.restoreOverrideCursor()

    def attach(self, service: LiaisonService) -> None:
        """Connect the window to the opened data and show the last unit (or, after
        :meth:`preview`, keep the unit shown and bring its items up to date)."""
        from liaison_app.ui.evidence_actions import EvidenceActions
        from liaison_app.ui.task_editor import TaskEditor

        self._load = None
        self.service = service
        self.editor = TaskEditor(service, self)
        self.editor.task_changed.connect(self._on_task_changed)
        self.editor.saved.connect(self._on_saved)
        self.editor.failed.connect(self._on_failed)
        self.detail.status_requested.connect(self.editor.set_status)
        self.detail.note_committed.connect(self.editor.set_note)
        self.detail.completed_requested.connect(self.editor.set_completed_on)
        self.detail.completed.latest = service.clock.today  # no completion date in the future
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
        self.evidence = EvidenceActions(
            self, service, self.runner, self.current_period, self.opener, self.machine
        )
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
        self._reports = None  # made on first use: it loads openpyxl, which the first screen never needs
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
        self.side_tabs.currentChanged.connect(lambda _i: self.duties.shown() if self.duties else None)
        self.period.dateChanged.connect(lambda _d: self.duties.refresh() if self.duties else None)
        today = service.clock.today()
        self.period.setDate(_qdate(default_period(today)))
        self.as_of.setDate(_qdate(today))
        from liaison_app.ui.plan_actions import PlanActions

        self.plans = PlanActions(self, service, self.runner, self.plan_switcher, self.plan_switcher_actions)
        self.plans.plan_switched.connect(self._on_plan_switched)
        self.plans.message.connect(self._show_message)
        self.statusBar().clearMessage()
        if self._previewed:  # the tree stays as it is (and what is selected)
            self._previewed = False
            self._catch_up(service)
        else:
            self.picker.set_units(service.units())
            self._restore_layout()
            self.central.setEnabled(True)
            last = service.get_text(LAST_UNIT)
            if last and self.picker.select_unit(last):
                self.show_unit(last)
            else:
                self.show_unit("")
        if not gc.get_freeze_count():
            QTimer.singleShot(FREEZE_AFTER_MS, self, _freeze_startup_objects)  # gone with the window

    def _catch_up(self, service: LiaisonService) -> None:
        """After :meth:`preview`: the opening may have completed the plan (milestones, groups),
        so any item that reads differently now is updated in place."""
        shown = {task.item.id: task for task in self.model.tasks()}
        fresh = service.tasks(self.unit) if self.unit else []
        if [task.item.id for task in fresh] != list(shown):
            self.show_unit(self.unit)
            return
        for task in fresh:
            if task != shown[task.item.id]:
                self._on_task_changed(task)
        self._update_item_actions()
        if self.duties is not None:
            self.duties.refresh()
        self._update_title()
        self._name_liaison(self.unit)

    @property
    def reports(self) -> ReportActions | None:
        """Export, PDF and print of the unit report (None until the data is attached)."""
        self.finish_loading()
        if self._reports is None and self.service is not None and self.evidence is not None:
            from liaison_app.store.reporting import ReportService
            from liaison_app.ui.report_actions import ReportActions, open_url

            service, opener = self.service, self.url_opener or open_url
            self._reports = ReportActions(
                self, ReportService(service), self.evidence, self.runner, self.opener, opener
            )
            self._reports.go_to_item.connect(self.select_item)
            self._reports.message.connect(self._show_message)
        return self._reports

    def _update_summary(self) -> None:
        extra = self.duties.summary() if self.duties is not None else ""
        self.summary.show_counts(self.unit, self.model.counts(), extra)

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
        if self.service is None:
            self.finish_loading()
        if self.service is None:  # the opening failed and said why; the window is closing
            raise DataNotOpened("数据没有打开，操作未执行")
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
        self.picker_hint = QLabel()
        self.picker_hint.setStyleSheet("color:#b3261e")
        self.picker.hint_changed.connect(self.picker_hint.setText)
        self.picker.unit_chosen.connect(lambda _u: self.picker_hint.clear())
        bar.addWidget(self.picker_hint)
        bar.addSeparator()
        today = dt.date.today()
        self.period = QDateEdit(_qdate(default_period(today)))
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
        self.search.installEventFilter(self)  # Esc clears the search
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
            Column.CODE: "59.10",
            Column.ROLE: "职责",
            Column.DEADLINE: "2019-12-31",
            Column.STATUS: "完成 10/10",
            Column.EVIDENCE: "佐证",
            Column.LIGHT: "逾期 10",
        }
        for column, sample in samples.items():
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 3 * metrics.averageCharWidth())
        # the code column also holds the tree's indentation (items sit two levels deep); the
        # 工作措施 column gets the rest, which at 1280×800 is most of the row
        self.tree.setIndentation(metrics.averageCharWidth() * 2 + 2)
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

        # 工作措施, 典型案例, 牵头任务和专项小组: made after the first paint or when first needed
        self.side_tabs = SidePanels(self.current_as_of, self.machine)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("main_splitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.central = QWidget()
        self._liaison_bar: LiaisonBar | None = None  # made when a unit without a liaison is shown
        layout = self._central_layout = QVBoxLayout(self.central)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(self.central)

    @property
    def detail(self) -> DetailPane:
        """The chosen item's pane (made now if the window has not made it since its first paint)."""
        return self.side_tabs.detail

    def _shown_task(self) -> UnitTask | None:
        """The item in the detail pane; none while the pane is not made (the first screen)."""
        return self.side_tabs.detail.task if self.side_tabs.built else None

    @property
    def cases_panel(self) -> CasesPanel:
        return self.side_tabs.cases

    @property
    def duties_panel(self) -> DutiesPanel:
        return self.side_tabs.duties

    @property
    def liaison_bar(self) -> LiaisonBar:
        """The strip above the items asking for a unit's liaison (hidden until it asks)."""
        if self._liaison_bar is None:
            from liaison_app.ui.profile_dialog import LiaisonBar

            bar = self._liaison_bar = LiaisonBar()
            bar.saved.connect(self._on_liaison_saved)
            bar.dismissed.connect(self.liaison_asked.add)
            self._central_layout.insertWidget(0, bar)
        return self._liaison_bar

    def build_after_paint(self, then: Callable[[], None] = lambda: None) -> None:
        """Make what the first screen does not show (the side panels) once it is painted, then
        call ``then``."""
        self.side_tabs.build_after_paint(then)

    # -- showing a unit ----------------------------------------------------------------------
    def show_unit(self, unit: str) -> None:
        self.detail.flush_note()
        self.unit = unit
        with collector_paused():  # the unit's thousands of tasks and rows are no garbage
            tasks = self._service().tasks(unit) if unit else []
            self.model.set_tasks(unit, tasks, self.current_as_of())
        self.expand_groups()
        self.detail.show_task(None, [], self.current_as_of())
        self._update_item_actions()
        if self.duties is not None:
            self.duties.refresh()  # its `changed` fills the summary, with the duties' line
        else:
            self.summary.show_counts(unit, self.model.counts())
        self._update_empty_hint()
        self._update_title()
        self._name_liaison(unit)

    def _name_liaison(self, unit: str) -> None:
        """History records the unit's liaison; a unit seen for the first time asks for one."""
        service = self._service()
        profile = service.liaison(unit) if unit else LiaisonProfile()
        if profile.name:
            service.actor = profile.name
        elif service.login:
            service.actor = service.login
        if unit and profile.is_empty and unit not in self.liaison_asked:
            self.liaison_bar.ask(unit)
        elif self._liaison_bar is not None and self._liaison_bar.unit != unit:
            self._liaison_bar.hide()

    def _on_liaison_saved(self, unit: str, profile: LiaisonProfile) -> None:
        try:
            self._service().set_liaison(unit, profile)
        except ServiceError as exc:
            QMessageBox.warning(self, "未保存", str(exc))
            return
        self.liaison_asked.add(unit)
        if unit == self.unit:
            self._service().actor = profile.name
        self._show_message(f"已保存 {unit} 的联络员:{profile.name}")

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
        self._service().put({LAST_UNIT: unit})
        self.show_unit(unit)

    def _on_as_of_changed(self, _day: QDate) -> None:
        as_of = self.current_as_of()
        self.model.set_as_of(as_of)
        if self.duties is not None:
            self.duties.refresh()  # deliverables' lights move with the date too; then the summary
        else:
            self._update_summary()
        task = self._shown_task()
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
        shown = self._shown_task()
        if shown is not None and not self.index_for(shown.item.id).isValid():
            self.detail.flush_note()
            self.detail.show_task(None, [], self.current_as_of())  # hidden by the filter
            self._update_item_actions()
        self._update_empty_hint()

    def _update_empty_hint(self) -> None:
        words = self.search.text().strip()
        if not self.unit:
            text = "请先在上方选择本单位。"
        elif self.proxy.rowCount() == 0 and words:
            text = f"没有找到含“{words}”的工作措施或进展情况。换个词试试，或按 Esc 清除搜索。"
        elif self.proxy.rowCount() == 0:
            text = "没有符合筛选条件的工作措施。请把上面的筛选改回“全部”。"
        else:
            text = ""
        self.empty_hint.setText(text)
        self.empty_hint.setVisible(bool(text))

    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.detail.flush_note()
        service = self._service()  # first: opening the data after the preview may update the item
        task = self.selected_task()
        history = service.history(self.unit, task.item.id) if task else []
        evidence = service.evidence(self.unit, task.item.id) if task else []
        self.detail.show_task(task, history, self.current_as_of(), evidence)
        if task is not None:
            self.side_tabs.setCurrentWidget(self.detail)  # the item's details, not another tab
        self._update_item_actions()

    def _update_item_actions(self) -> None:
        has_item = self._shown_task() is not None
        self.menus.cycle_action.setEnabled(has_item)
        self.menus.add_files_action.setEnabled(has_item)

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
                service, catalog, self.runner, DutiesService(service).groups(), self, self.machine
            )
        self.office_window.show()
        self.office_window.raise_()
        return self.office_window

    def bring_to_front(self) -> None:
        """Another start of the app asked for this window."""
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def service_or_fail(self) -> LiaisonService:
        return self._service()

    def export_report(self, kind: str = "xlsx") -> None:
        if self.reports is not None:
            self.reports.export(self.unit, self.current_period(), self.current_as_of(), kind=kind)

    def bundle_evidence(self) -> None:
        if not self.unit:
            QMessageBox.information(self, "佐证材料包", "请先选择本单位。")
            return
        self._evidence().bundle(self.unit)

    def add_files_to_selected(self) -> None:
        self._evidence().choose_and_attach(self.selected_task())

    def verify_evidence(self) -> None:
        self._evidence().verify()

    def cycle_status(self) -> None:
        task = self.selected_task()
        if task is None:
            return
        statuses = list(Status)
        following = statuses[(statuses.index(task.status) + 1) % len(statuses)]
        if self.editor is not None:
            self.editor.set_status(task, following)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    # -- profile and title ----------------------------------------------------------------
    def ask_profile(self, first_run: bool) -> bool:
        return self.menus.ask_profile(first_run)

    def _update_title(self) -> None:
        """The unit (and the plan, when several are loaded) first, the program once: Qt appends
        the application's display name (set to the same words in app.py) only when the title
        does not already end with it."""
        name = f"{APP_TITLE} {__version__}"
        parts = [self.unit] if self.unit else []
        if self.plans is not None and self.plans.plan_count() > 1 and self.service is not None:
            parts.insert(0, f"《{self.service.plan_info().name}》")
        self.setWindowTitle(" — ".join([*parts, name]))

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
        self.show_unit(unit)  # the duties panels too
        self._update_title()

    def dragEnterEvent(self, event: Any) -> None:
        from liaison_app.ui.plan_actions import is_plan_candidate

        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        ready = self.plans is not None or self.loading  # on the first screen: taken once opened
        if ready and any(is_plan_candidate(Path(u.toLocalFile())) for u in urls):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: Any) -> None:
        from liaison_app.ui.plan_actions import is_plan_candidate

        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        files = [Path(u.toLocalFile()) for u in urls if is_plan_candidate(Path(u.toLocalFile()))]
        if files and (self.plans is not None or self.loading):
            event.acceptProposedAction()
            self.finish_loading()  # a plan dropped on the first screen waits for the data
            if self.plans is not None:
                self.plans.import_file(files[0])
        else:
            super().dropEvent(event)

    # -- layout memory and closing -----------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.machine.get_bytes(GEOMETRY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        splitter = self.machine.get_bytes(SPLITTER)
        if splitter is None or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([800, 480])

    def closeEvent(self, event: QCloseEvent) -> None:
        # nothing typed is lost, not even on a full disk (no pane made yet: nothing typed)
        if self.side_tabs.built and not self.detail.flush_note():
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
            self._load = None  # closed before the data was attached: nothing to open it for
            super().closeEvent(event)
            return
        # this machine's layout, in QSettings: never the shared database
        self.machine.put_bytes(GEOMETRY, self.saveGeometry())
        self.machine.put_bytes(SPLITTER, self.splitter.saveState())
        super().closeEvent(event)

    def index_for(self, code: str) -> QModelIndex:
        return self.proxy.mapFromSource(self.model.index_of(code))
