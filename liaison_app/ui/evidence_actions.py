"""What the window does with evidence files: attach (off the GUI thread, with progress and cancel),
open, show in folder, describe, remove, verify and bundle.

Long work runs as a :class:`BackgroundTask` that only touches files; the database is written in
the GUI thread when the task's result arrives (blob first, row after).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from liaison_app.evidence import Batch, CopyCancelled, Ingested, find_problems, ingest_many
from liaison_app.formatting import human_size
from liaison_app.reports.evidence_bundle import BundleResult, bundle_file_name, write_bundle
from liaison_app.settings import BUNDLE_DIR, EVIDENCE_DIR, SPLIT_MB
from liaison_app.store.records import EvidenceRecord, ServiceError, UnitTask
from liaison_app.ui.copy_dialog import CopyDialog, show_copy_dialog
from liaison_app.ui.dialog_parts import confirmed
from liaison_app.ui.machine_settings import MachineSettings, documents_folder
from liaison_app.ui.workers import BackgroundTask, Runner

if TYPE_CHECKING:
    from liaison_app.store.service import LiaisonService

Opener = Callable[[Path], bool]
PROGRESS_STEPS = 1000


def open_with_system(path: Path) -> bool:
    """The OS's default application for a file, or its file manager for a folder."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))


class EvidenceActions(QObject):
    changed = Signal(str)  # the item id whose files changed
    finished = Signal(str)  # a one-line outcome for the status bar

    def __init__(
        self,
        window: QWidget,
        service: LiaisonService,
        runner: Runner,
        period: Callable[[], str],
        opener: Opener = open_with_system,
        machine: MachineSettings | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.service = service
        self.machine = machine or MachineSettings()
        self.fallback: CopyDialog | None = None  # the last "do this instead" dialog
        self.runner = runner
        self.period = period
        self.opener = opener
        self.running: set[BackgroundTask] = set()
        self.last_bundle: BundleResult | None = None

    # -- background plumbing ---------------------------------------------------------------
    def _run(
        self, label: str, work: Any, done: Callable[[Any], None], failed: Callable[[BaseException], None]
    ) -> BackgroundTask:
        task = BackgroundTask(work)
        dialog = QProgressDialog(label, "取消", 0, PROGRESS_STEPS, self.window)
        dialog.setWindowTitle("请稍候")
        dialog.setMinimumDuration(400)  # quick work shows no dialog at all
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(task.cancel)

        def on_progress(value: int, total: int) -> None:
            dialog.setValue(int(PROGRESS_STEPS * value / max(1, total)))

        def finish(callback: Callable[[Any], None], payload: Any) -> None:
            self.running.discard(task)
            dialog.reset()
            dialog.close()
            dialog.deleteLater()
            callback(payload)

        task.signals.progress.connect(on_progress)
        task.signals.finished.connect(lambda result: finish(done, result))
        task.signals.failed.connect(lambda exc: finish(failed, exc))
        self.running.add(task)
        self.runner.start(task)
        return task

    def cancel_all(self) -> None:
        for task in list(self.running):
            task.cancel()

    def _error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.window, title, text)

    # -- attach -----------------------------------------------------------------------------
    def choose_and_attach(self, task: UnitTask | None) -> None:
        if task is None:
            return
        names, _filter = QFileDialog.getOpenFileNames(
            self.window, f"为 {task.item.id} 添加佐证材料", self.machine.folder(EVIDENCE_DIR)
        )
        if names:
            self.machine.remember_folder(EVIDENCE_DIR, Path(names[0]).parent)
            self.attach(task, [Path(n) for n in names])

    def attach(self, task: UnitTask, files: list[Path]) -> BackgroundTask | None:
        try:
            unit, code = self.service.check_can_attach(task.unit, task.item.id)
        except ServiceError as exc:
            self._error("不能添加", str(exc))
            return None
        period = self.period()

        def record(ingested: Ingested) -> None:
            self.service.record_evidence(unit, code, ingested, period=period)

        return self.copy_in(files, record, code, lambda: self.changed.emit(code))

    def copy_in(
        self, files: list[Path], record: Callable[[Ingested], Any], where: str, after: Callable[[], None]
    ) -> BackgroundTask:
        """Copy ``files`` into the store off the GUI thread, then ``record`` each one here.

        Used for item evidence and for the files of typical cases and deliverables alike.
        """
        store = self.service.evidence_store

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> Batch:
            return ingest_many(store, files, progress, cancelled)

        def done(batch: Batch) -> None:
            if batch.cancelled:
                for ingested in batch.stored:
                    self.service.discard(ingested)
                self.finished.emit("已取消添加，没有保存任何文件。")
                return
            added, refused = 0, list(batch.refused)
            for ingested in batch.stored:
                try:
                    record(ingested)
                    added += 1
                except ServiceError as exc:
                    self.service.discard(ingested)
                    refused.append((ingested.original_name, str(exc)))
            if added:
                after()
            skipped = f"，{len(refused)} 个未添加" if refused else ""
            self.finished.emit(f"{where} 已添加 {added} 个文件{skipped}")
            if refused:
                self._error("部分文件未添加", "\n".join(reason for _name, reason in refused))

        return self._run(
            f"正在复制并校验 {len(files)} 个文件…", work, done, lambda exc: self._error("添加失败", str(exc))
        )

    # -- single files --------------------------------------------------------------------------
    def open(self, record: EvidenceRecord) -> None:
        try:
            path = self.service.open_copy(record.id)
        except (ServiceError, OSError) as exc:
            self._error("无法打开", f"无法打开「{record.original_name}」:{exc}")
            return
        if not self.opener(path):
            self._error("无法打开", f"系统中没有可以打开「{record.original_name}」的程序。")

    def reveal(self, record: EvidenceRecord) -> None:
        try:
            path = self.service.open_copy(record.id)
        except (ServiceError, OSError) as exc:
            self._error("无法打开", str(exc))
            return
        if not self.opener(path.parent):
            self.fallback = show_copy_dialog(
                self.window,
                "打开所在文件夹",
                "没能打开文件管理器。这个佐证材料的副本在下面的文件夹中，可以复制路径后粘贴到文件管理器的地址栏。",
                [("文件夹", str(path.parent)), ("文件", str(path))],
            )

    def describe(self, record: EvidenceRecord, text: str) -> EvidenceRecord | None:
        try:
            updated = self.service.describe_evidence(record.id, text)
        except ServiceError as exc:
            self._error("说明未保存", str(exc))
            return None
        self.changed.emit(updated.item_code)
        return updated

    def remove(self, record: EvidenceRecord, confirm: bool = True) -> bool:
        question = f"从 {record.item_code} 移除「{record.original_name}」?\n移除会记入修改记录。"
        if confirm and not confirmed(self.window, "移除佐证材料", question):
            return False
        try:
            self.service.remove_evidence(record.id)
        except ServiceError as exc:
            self._error("无法移除", str(exc))
            return False
        self.changed.emit(record.item_code)
        self.finished.emit(f"已移除「{record.original_name}」")
        return True

    # -- verify and bundle -------------------------------------------------------------------
    def verify(self) -> BackgroundTask:
        inventory = self.service.evidence_inventory()
        store = self.service.evidence_store

        def done(verdicts: dict[str, str]) -> None:
            problems = self.service.problems_in(inventory, verdicts)
            if not problems:
                self.finished.emit(f"已校验 {len(inventory)} 个文件，全部齐全、未被改动。")
                QMessageBox.information(
                    self.window, "校验佐证材料", f"已校验 {len(inventory)} 个文件，全部齐全、未被改动。"
                )
                return
            lines = [f"{p.unit} {p.item_code}「{p.original_name}」:{p.label}" for p in problems]
            self.finished.emit(f"校验发现 {len(problems)} 个问题")
            QMessageBox.warning(
                self.window, "校验佐证材料", f"发现 {len(problems)} 个问题:\n" + "\n".join(lines[:30])
            )

        return self._run(
            "正在校验佐证材料…",
            lambda p, c: find_problems(store, [row[3] for row in inventory], p, c),
            done,
            lambda exc: self._error("校验中断", str(exc)),
        )

    def bundle(
        self,
        unit: str,
        out: Path | None = None,
        split_mb: float | None = None,
    ) -> BackgroundTask | None:
        period = self.period()
        files = self.service.bundle_files(unit, period)
        if not files:
            self._error("没有可打包的文件", f"{unit} 在 {period} 报送期没有添加佐证材料。")
            return None
        if out is None:
            out, split_mb = self._ask_bundle_target(unit, period)
            if out is None:
                return None

        def done(result: BundleResult) -> None:
            self.last_bundle = result
            self.machine.remember_folder(BUNDLE_DIR, result.parts[0].parent)
            text = (
                f"已打包 {result.files} 个文件({human_size(result.total_bytes)})，"
                f"共 {len(result.parts)} 个分卷，保存在 {result.parts[0].parent}"
            )
            if result.oversized:
                text += "\n以下文件本身超过分卷大小，已单独成卷:" + "、".join(result.oversized)
            self.finished.emit(text.splitlines()[0])
            QMessageBox.information(self.window, "佐证材料包", text)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, CopyCancelled):
                self.finished.emit("已取消打包，没有留下文件。")
            else:
                self._error("打包失败", str(exc))

        return self._run(
            "正在打包佐证材料…", lambda p, c: write_bundle(files, out, split_mb, p, c), done, failed
        )

    def _ask_bundle_target(self, unit: str, period: str) -> tuple[Path | None, float | None]:
        folder = self.machine.folder(BUNDLE_DIR, documents_folder())
        default = Path(folder) / bundle_file_name(unit, period)
        name, _filter = QFileDialog.getSaveFileName(
            self.window, "保存佐证材料包", str(default), "zip 压缩包 (*.zip)"
        )
        if not name:
            return None, None
        split, ok = QInputDialog.getInt(
            self.window,
            "分卷",
            "邮件附件有大小限制。每卷最大(MB)，0 表示不分卷:",
            int(self.service.get(SPLIT_MB)),
            0,
            2048,
        )
        if not ok:
            return None, None
        self.service.put({SPLIT_MB: split})
        path = Path(name if name.lower().endswith(".zip") else name + ".zip")
        return path, (float(split) or None)
