"""文件 → 导入工作方案…, dropping a plan file on the window, and the plan switcher.

The file is read off the GUI thread (a big table takes a while), then reviewed in
:class:`PlanImportDialog`; only 确认导入 writes, in one transaction, through
:mod:`liaison_app.store.plans`. The switcher shows which loaded plan the window follows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QFileDialog, QMessageBox, QProgressDialog, QWidget

from liaison_app.plan.units import UnitRegistry
from liaison_app.store import plans
from liaison_app.store.records import ServiceError
from liaison_app.store.service import LiaisonService
from liaison_app.ui.workers import BackgroundTask, Runner

if TYPE_CHECKING:  # the readers (python-docx, the table and notice parsers) load when a file is chosen
    from liaison_app.plan.importers import ImportResult
    from liaison_app.ui.plan_import_dialog import PlanImportDialog

PLAN_SUFFIXES = (".xlsx", ".docx", ".txt", ".json")


def is_plan_candidate(path: Path) -> bool:
    return path.suffix.lower() in PLAN_SUFFIXES and path.is_file()


class PlanActions(QObject):
    plan_switched = Signal(str)  # the id of the plan the window now shows
    message = Signal(str)

    def __init__(
        self,
        window: QWidget,
        service: LiaisonService,
        runner: Runner,
        switcher: QComboBox,
        switcher_actions: tuple[QAction, ...] = (),
    ) -> None:
        super().__init__(window)
        self.switcher_actions = switcher_actions  # the toolbar's actions holding the switcher
        self.window = window
        self.service = service
        self.runner = runner
        self.switcher = switcher
        self.dialog: PlanImportDialog | None = None
        self.progress: QProgressDialog | None = None
        self._task: BackgroundTask | None = None
        self._path: Path | None = None
        self._registry: UnitRegistry | None = None
        self.refresh_switcher()
        switcher.activated.connect(self._on_switcher)

    # -- the switcher ------------------------------------------------------------------------
    def refresh_switcher(self) -> None:
        found = plans.list_plans(self.service.database)
        self.switcher.blockSignals(True)
        self.switcher.clear()
        for summary in found:
            self.switcher.addItem(f"{summary.name}(第{summary.revision}版)", summary.plan_id)
        self.switcher.setCurrentIndex(max(0, self.switcher.findData(self.service.plan_id)))
        self.switcher.blockSignals(False)
        for action in self.switcher_actions:
            action.setVisible(len(found) > 1)

    def plan_count(self) -> int:
        return self.switcher.count()

    def _on_switcher(self, index: int) -> None:
        plan_id = str(self.switcher.itemData(index))
        if plan_id != self.service.plan_id:
            self.switch_to(plan_id)

    def switch_to(self, plan_id: str) -> None:
        try:
            plans.activate(self.service.database, plan_id)
            self.service.switch_plan(plan_id)
        except ServiceError as exc:
            QMessageBox.warning(self.window, "不能切换工作方案", str(exc))
            return
        self.refresh_switcher()
        self.plan_switched.emit(plan_id)

    # -- importing ---------------------------------------------------------------------------
    def choose_and_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.window,
            "导入工作方案",
            "",
            "工作方案(*.xlsx *.docx *.txt *.json);;所有文件(*)",
        )
        if name:
            self.import_file(Path(name))

    def _known_units(self) -> UnitRegistry:
        from liaison_app.plan.importers import bundled_registry

        known = plans.registry(self.service.database)
        return known if known.units else bundled_registry()

    def import_file(self, path: Path) -> None:
        """Read ``path`` in the background, then show the review; nothing is written yet."""
        from liaison_app.plan.importers import read_plan

        self._path = path
        self._registry = registry = self._known_units()
        task = BackgroundTask(lambda _progress, _cancelled: read_plan(path, registry=registry))
        progress = QProgressDialog(f"正在读取 {path.name}…", "取消", 0, 0, self.window)
        progress.setWindowTitle("导入工作方案")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(400)
        progress.canceled.connect(task.cancel)
        self.progress = progress
        task.signals.finished.connect(self._on_read)
        task.signals.failed.connect(self._on_failed)
        self._task = task
        self.runner.start(task)

    def _close_progress(self) -> bool:
        cancelled = self._task is not None and self._task.is_cancelled()
        if self.progress is not None:
            self.progress.close()
            self.progress = None
        self._task = None
        return cancelled

    def _on_failed(self, exc: BaseException) -> None:
        from liaison_app.plan.importers import PlanImportError

        if self._close_progress():
            return
        reason = str(exc) if isinstance(exc, PlanImportError) else f"读取失败:{exc}"
        QMessageBox.warning(self.window, "不能导入工作方案", f"{reason}\n\n数据没有任何改动。")

    def _on_read(self, result: ImportResult) -> None:
        if self._close_progress():
            self.message.emit("已取消导入，数据没有改动")
            return
        from liaison_app.ui.plan_import_dialog import PlanImportDialog

        dialog = PlanImportDialog(result.preview, self.window)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._confirm(result, dialog.chosen_aliases()))
        dialog.rejected.connect(lambda: self.message.emit("未导入工作方案，数据没有改动"))
        dialog.open()

    def _confirm(self, result: ImportResult, aliases: dict[str, str]) -> None:
        from liaison_app.plan.importers import PlanImportError, read_plan

        assert self._path is not None and self._registry is not None
        try:
            if aliases:  # the office mapped some names: review again with them
                result = read_plan(self._path, registry=self._registry, aliases=aliases)
            extra: dict[str, Any] = result.draft.extra or {}
            revision = int(extra.get("revision", 1))
            database, now = self.service.database, self.service.clock.now()
            loaded = {p.plan_id: p.revision for p in plans.list_plans(database)}
            if result.draft.kind == "package" and revision > loaded.get(result.plan.plan_id, revision):
                outcome = self._revise(result, revision, extra.get("item_ids"))
                if outcome is None:
                    return
            else:
                outcome = plans.load(
                    database, result.plan, now, revision=revision, item_ids=extra.get("item_ids")
                )
        except (PlanImportError, ServiceError) as exc:
            QMessageBox.warning(self.window, "不能导入工作方案", str(exc))
            return
        self.service.switch_plan(outcome.plan_id)
        self.refresh_switcher()
        self.plan_switched.emit(outcome.plan_id)
        self.message.emit(outcome.message)

    def _revise(self, result: ImportResult, revision: int, item_ids: Any) -> plans.LoadOutcome | None:
        """The office's next revision of a loaded plan: progress follows the items; a dropped
        item that carries records is archived only when the liaison agrees."""
        database = self.service.database
        target = plans.plan_revision(database, result.plan.plan_id, result.plan, new_item_ids=item_ids)
        archive = False
        if target.orphaned:
            answer = QMessageBox.question(
                self.window,
                "新版本删去了工作措施",
                f"新版本(第{revision}版)删去了工作措施 {'、'.join(target.orphaned)}，"
                "本单位在这些工作措施上已有记录。继续导入将把它们连同记录归档(只读保留，不会删除)。是否继续？",
            )
            if answer != QMessageBox.StandardButton.Yes:
                self.message.emit("未导入新版本，数据没有改动")
                return None
            archive = True
        return plans.revise(
            database,
            target,
            result.plan,
            self.service.clock.now(),
            accept_doubtful=True,  # a package's matches come from its stable item ids
            archive_dropped=archive,
            revision=revision,
            item_ids=item_ids,
        )
