"""The main window's menus, and what its menu entries do beyond the window's own state:
backup and restore, the liaison's profile, 使用说明 and 关于.

:class:`MainWindow` builds the widgets and reacts to data; this module owns every ``QAction``.
The window keeps short aliases (``window.undo_action`` …) for the actions it enables and disables.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
)

from liaison_app import APP_TITLE, __version__, paths
from liaison_app.settings import BACKUP_DIR, LAST_UNIT, OFFICE_EMAIL
from liaison_app.ui.dialog_parts import close_button, confirmed
from liaison_app.ui.machine_settings import documents_folder
from liaison_app.ui.workers import BackgroundTask

if TYPE_CHECKING:
    from liaison_app.ui.main_window import MainWindow


class MainActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.help_dialog: QDialog | None = None
        self._build()

    def _action(self, text: str, slot: object = None, shortcut: QKeySequence | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if slot is not None:
            action.triggered.connect(slot)
        return action

    def _build(self) -> None:
        w = self.window
        bar = w.menuBar()
        file_menu = bar.addMenu("文件(&F)")
        self.export_action = self._action(
            "导出报表(&E)…", lambda: w.export_report(), QKeySequence("Ctrl+Shift+E")
        )
        self.pdf_action = self._action("导出 PDF(&P)…", lambda: w.export_report("pdf"))
        self.print_action = self._action(
            "打印(&R)…", lambda: w.export_report("print"), QKeySequence(QKeySequence.StandardKey.Print)
        )
        self.backup_action = self._action("备份到(&B)…", lambda: self.backup_to())
        self.backup_action.setToolTip("把数据库和全部佐证材料备份到一个文件，可存 U 盘")
        self.restore_action = self._action("从备份恢复(&R)…", lambda: self.restore_from())
        self.profile_action = self._action("联络员信息(&P)…", self.edit_profile)
        self.import_plan_action = self._action(
            "导入工作方案(&I)…", lambda: w.plans.choose_and_import() if w.plans else None
        )
        self.import_plan_action.setToolTip("导入任务分解表、工作要点或领导小组办公室发布的方案文件")
        quit_action = self._action("退出(&X)", w.close, QKeySequence(QKeySequence.StandardKey.Quit))
        for entry in (
            self.export_action,
            self.pdf_action,
            self.print_action,
            self.import_plan_action,
            None,
            self.backup_action,
            self.restore_action,
            None,
            self.profile_action,
            None,
            quit_action,
        ):
            if entry is None:
                file_menu.addSeparator()
            else:
                file_menu.addAction(entry)

        edit_menu = bar.addMenu("编辑(&E)")
        self.undo_action = self._action("撤销", shortcut=QKeySequence(QKeySequence.StandardKey.Undo))
        self.redo_action = self._action("重做", shortcut=QKeySequence(QKeySequence.StandardKey.Redo))
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.cycle_action = self._action("切换进展状态", w.cycle_status, QKeySequence("Ctrl+E"))
        self.cycle_action.setEnabled(False)  # nothing selected yet
        self.find_action = self._action("查找", w.focus_search, QKeySequence(QKeySequence.StandardKey.Find))
        for entry in (self.undo_action, self.redo_action, None, self.cycle_action, self.find_action):
            if entry is None:
                edit_menu.addSeparator()
            else:
                edit_menu.addAction(entry)

        view_menu = bar.addMenu("查看(&V)")
        view_menu.addAction(self._action("全部展开", w.tree.expandAll))
        view_menu.addAction(self._action("全部折叠", w.tree.collapseAll))

        tools_menu = bar.addMenu("工具(&T)")
        self.add_files_action = self._action("为所选条目添加佐证材料…", w.add_files_to_selected)
        self.add_files_action.setEnabled(False)
        self.bundle_action = self._action("导出佐证材料包…", w.bundle_evidence)
        self.verify_action = self._action("校验佐证材料", w.verify_evidence)
        for action in (self.add_files_action, self.bundle_action, self.verify_action):
            tools_menu.addAction(action)
        tools_menu.addSeparator()
        self.office_action = self._action("领导小组办公室汇总…", w.open_office)
        self.office_action.setToolTip("收取各单位报表并汇总;牵头单位也可在此对照配合单位的报送")
        tools_menu.addAction(self.office_action)

        help_menu = bar.addMenu("帮助(&H)")
        self.help_action = self._action(
            "使用说明(&U)", self.show_help, QKeySequence(QKeySequence.StandardKey.HelpContents)
        )
        self.about_action = self._action("关于(&A)", self.show_about)
        help_menu.addAction(self.help_action)
        help_menu.addAction(self.about_action)

    # -- backup and restore ----------------------------------------------------------------
    def backup_to(self, target: Path | None = None) -> BackgroundTask | None:
        w = self.window
        service = w.service_or_fail()
        if target is None:
            folder = Path(w.machine.folder(BACKUP_DIR, documents_folder()))
            default = folder / f"营商环境台账备份_{service.clock.now():%Y%m%d-%H%M%S}.zip"
            name, _filter = QFileDialog.getSaveFileName(w, "备份到", str(default), "zip 压缩包 (*.zip)")
            if not name:
                return None
            target = Path(name if name.lower().endswith(".zip") else name + ".zip")
            w.machine.remember_folder(BACKUP_DIR, target.parent)
        destination = target
        task = BackgroundTask(lambda _p, _c: service.full_backup(destination))
        task.signals.finished.connect(
            lambda result: QMessageBox.information(
                w, "备份完成", f"已备份到 {destination}\n(数据库和 {result['evidence']} 个佐证材料文件)"
            )
        )
        task.signals.failed.connect(lambda exc: QMessageBox.warning(w, "备份失败", str(exc)))
        w.runner.start(task)
        return task

    def restore_from(self, source: Path | None = None) -> None:
        """Restoring replaces the data: it runs after the window has closed the database."""
        w = self.window
        if source is None:
            name, _filter = QFileDialog.getOpenFileName(
                w,
                "选择备份文件",
                w.machine.folder(BACKUP_DIR, documents_folder()),
                "备份文件 (*.zip *.sqlite3);;所有文件 (*)",
            )
            if not name:
                return
            source = Path(name)
            question = f"用 {source.name} 替换现有数据?\n恢复前会先校验备份，并把现有数据另存一份。"
            if not confirmed(w, "从备份恢复", question):
                return
        w.pending_restore = source
        w.close()
        app = QApplication.instance()
        if app is not None:
            app.exit(0)

    # -- the liaison ------------------------------------------------------------------------
    def ask_profile(self, first_run: bool) -> bool:
        from liaison_app.ui.profile_dialog import ProfileDialog  # not needed for the first screen

        w = self.window
        service = w.service_or_fail()
        dialog = ProfileDialog(
            service.units(), w.unit, service.liaison, service.get_text(OFFICE_EMAIL), first_run, w
        )
        if dialog.exec() != ProfileDialog.DialogCode.Accepted:
            return False
        unit, profile, office = dialog.values()
        service.set_liaison(unit, profile)
        service.put({LAST_UNIT: unit, OFFICE_EMAIL: office})
        w.liaison_bar.hide()
        if unit != w.unit:
            w.picker.select_unit(unit)
            w.show_unit(unit)
        else:
            service.actor = profile.name or service.actor
        return True

    def edit_profile(self) -> None:
        self.ask_profile(first_run=False)

    # -- help --------------------------------------------------------------------------------
    def show_help(self) -> QDialog:
        if self.help_dialog is None:
            dialog = QDialog(self.window)
            dialog.setWindowTitle("使用说明")
            dialog.resize(640, 560)
            browser = QTextBrowser()
            browser.setOpenExternalLinks(False)
            guide = paths.resources_dir() / "help" / "guide.html"
            browser.setHtml(guide.read_text(encoding="utf-8"))
            buttons = close_button(dialog.close)
            layout = QVBoxLayout(dialog)
            layout.addWidget(browser)
            layout.addWidget(buttons)
            self.help_dialog = dialog
        self.help_dialog.show()
        self.help_dialog.raise_()
        return self.help_dialog

    def show_about(self) -> None:
        service = self.window.service_or_fail()
        info = service.plan_info()
        QMessageBox.about(
            self.window,
            "关于",
            f"<b>{APP_TITLE}</b> 版本 {__version__}<br><br>工作方案:{info.name}<br>"
            f"{info.areas} 个领域，{info.measures} 项目标任务，{info.items} 条工作措施<br><br>"
            f"数据保存在:{service.database.path.parent}",
        )
