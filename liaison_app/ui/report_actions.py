"""Exporting the unit report from the window: check, choose where, write off the GUI thread,
record it, then offer to open it, bundle the evidence, or mail the office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from liaison_app.reports.evidence_bundle import bundle_file_name
from liaison_app.reports.unit_report import ReportData, write_report
from liaison_app.settings import EXPORT_DIR, OFFICE_EMAIL
from liaison_app.store.reporting import as_of_problem
from liaison_app.ui.copy_dialog import CopyDialog, show_copy_dialog
from liaison_app.ui.evidence_actions import EvidenceActions, Opener
from liaison_app.ui.export_dialogs import ExportCheckDialog, ExportDoneDialog
from liaison_app.ui.item_text import repaired
from liaison_app.ui.machine_settings import documents_folder
from liaison_app.ui.task_model import short_text
from liaison_app.ui.workers import BackgroundTask, Runner
from liaison_app.vocabulary import period_label

if TYPE_CHECKING:
    from liaison_app.store.reporting import ReportService

UrlOpener = Callable[[QUrl], bool]


def _printer() -> Any:
    from PySide6.QtPrintSupport import QPrinter

    return QPrinter(QPrinter.PrinterMode.HighResolution)


def open_url(url: QUrl) -> bool:
    return bool(QDesktopServices.openUrl(url))


def mailto(address: str, unit: str, period: str, files: list[Path]) -> QUrl:
    """A mailto: link with subject and body; attachments cannot travel in a link, so the body
    names the files and the folder holding them is opened beside the mail."""
    subject = f"{unit}{period_label(period)}营商环境工作进展报表"
    body = (
        f"领导小组办公室:\n\n现报送{unit}{period_label(period)}营商环境工作进展报表，请查收。\n"
        "附件(请从随后打开的文件夹中添加):\n" + "\n".join(f"  {f.name}" for f in files)
    )
    return QUrl(f"mailto:{quote(address)}?subject={quote(subject)}&body={quote(body)}")


class ReportActions(QObject):
    go_to_item = Signal(str)
    exported = Signal(object)  # ExportRecord
    message = Signal(str)

    def __init__(
        self,
        window: QWidget,
        reports: ReportService,
        evidence: EvidenceActions,
        runner: Runner,
        opener: Opener,
        url_opener: UrlOpener = open_url,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.reports = reports
        self.evidence = evidence
        self.runner = runner
        self.opener = opener
        self.url_opener = url_opener
        self.done_dialog: ExportDoneDialog | None = None
        self.fallback: CopyDialog | None = None  # the last "do this instead" dialog
        self.printer_factory: Callable[[], Any] = _printer
        self.running: set[BackgroundTask] = set()

    def export(
        self,
        unit: str,
        period: str,
        as_of: dt.date,
        path: Path | None = None,
        confirm_incomplete: bool | None = None,
        kind: str = "xlsx",
    ) -> BackgroundTask | None:
        """The whole flow; ``path`` and ``confirm_incomplete`` skip the dialogs (tests).

        ``kind``: ``xlsx``; ``pdf`` (the workbook and, beside it, a PDF drawn by Qt whose footer
        carries the workbook's SHA-256); ``print`` (the workbook, then the print dialog)."""
        if not unit:
            QMessageBox.information(self.window, "导出报表", "请先选择本单位。")
            return None
        problem = as_of_problem(period, as_of)
        if problem:
            QMessageBox.information(self.window, "导出报表", problem)
            return None
        incomplete = self.reports.export_check(unit, as_of, period)
        if incomplete and confirm_incomplete is None:
            titles = {
                t.item.id: short_text(repaired(t.item.text), 48) for t in self.reports.service.tasks(unit)
            }
            dialog = ExportCheckDialog(incomplete, titles, self.window)
            dialog.go_to_item.connect(self.go_to_item)
            confirm_incomplete = dialog.exec() == ExportCheckDialog.DialogCode.Accepted
        if incomplete and not confirm_incomplete:
            return None
        if path is None:
            path = self._ask_path(unit, period, pdf=kind == "pdf")
            if path is None:
                return None
        pdf = path if path.suffix.lower() == ".pdf" else None
        xlsx = path.with_suffix(".xlsx")
        data = self.reports.report_data(unit, period, as_of, incomplete)

        def work(_progress: object, _cancelled: object) -> str:
            digest = write_report(data, xlsx)
            if pdf is not None:
                from liaison_app.reports.pdf_report import write_unit_pdf

                write_unit_pdf(data, xlsx, pdf)
            return digest

        task = BackgroundTask(work)
        task.signals.finished.connect(
            lambda digest: self._written(task, data, xlsx, str(digest), pdf, then_print=kind == "print")
        )
        task.signals.failed.connect(lambda exc: self._failed(task, path, exc))
        self.running.add(task)
        self.message.emit("正在导出报表…")
        self.runner.start(task)
        return task

    def _ask_path(self, unit: str, period: str, pdf: bool = False) -> Path | None:
        folder = self.evidence.machine.folder(EXPORT_DIR, documents_folder())
        suffix = ".pdf" if pdf else ".xlsx"
        name, _filter = QFileDialog.getSaveFileName(
            self.window,
            "导出 PDF(同时保存对应的 xlsx)" if pdf else "导出工作进展报表",
            str(Path(folder) / Path(self.reports.file_name(unit, period)).with_suffix(suffix)),
            "PDF 文件 (*.pdf)" if pdf else "Excel 工作簿 (*.xlsx)",
        )
        if not name:
            return None
        return Path(name if name.lower().endswith(suffix) else name + suffix)

    def _written(
        self,
        task: BackgroundTask,
        data: ReportData,
        path: Path,
        digest: str,
        pdf: Path | None = None,
        then_print: bool = False,
    ) -> None:
        self.running.discard(task)
        record = self.reports.record_export(data, path, digest)
        self.evidence.machine.remember_folder(EXPORT_DIR, path.parent)
        self.exported.emit(record)
        self.message.emit(f"已导出 {path.name}" + (f" 和 {pdf.name}" if pdf else ""))
        if then_print:
            self.print_report(data, path)
        dialog = ExportDoneDialog(path, len(data.incomplete), self.window)
        dialog.open_file.connect(lambda: self.open_file(path))
        dialog.open_folder.connect(lambda: self.open_folder(path))
        dialog.make_bundle.connect(lambda: self._bundle(data.unit, data.period, path))
        dialog.send_to_office.connect(lambda: self.send_to_office(data.unit, data.period, path))
        self.done_dialog = dialog
        dialog.open()

    def _failed(self, task: BackgroundTask, path: Path, exc: BaseException) -> None:
        self.running.discard(task)
        text = str(exc)
        if isinstance(exc, PermissionError):
            text = f"无法写入 {path}:文件可能正在 Excel/WPS 中打开，请关闭后重试。"
        QMessageBox.warning(self.window, "导出失败", f"报表没有导出。\n{text}")

    def print_report(self, data: ReportData, xlsx: Path) -> bool:
        """The print dialog, then the report drawn by Qt with the SHA-256 of ``xlsx`` in the footer."""
        from PySide6.QtPrintSupport import QPrintDialog

        from liaison_app.reports.pdf_report import PdfError, draw, footer_line, unit_sections

        printer = self.printer_factory()
        dialog = QPrintDialog(printer, self.window)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return False
        try:
            draw(printer, unit_sections(data), footer_line(xlsx))
        except PdfError as exc:
            QMessageBox.warning(self.window, "打印", str(exc))
            return False
        return True

    def _bundle(self, unit: str, period: str, report: Path) -> None:
        """The evidence bundle beside the report, in 20 MB parts for the mail."""
        self.evidence.bundle(unit, report.parent / bundle_file_name(unit, period), 20.0)

    def send_to_office(self, unit: str, period: str, report: Path) -> bool:
        address = self.reports.service.get_text(OFFICE_EMAIL)
        if not address:
            QMessageBox.information(
                self.window,
                "发送给办公室",
                "还没有设置领导小组办公室的邮箱。请在“文件 → 联络员信息”中填写后再发送。",
            )
            return False
        bundle_stem = Path(bundle_file_name(unit, period)).stem
        files = [report, *sorted(report.parent.glob(f"{bundle_stem}*.zip"))]
        folder_shown = self.opener(report.parent)  # mailto cannot carry attachments
        if self.url_opener(mailto(address, unit, period, files)):
            if not folder_shown:
                self.open_folder(report)
            return True
        names = "、".join(f.name for f in files)
        self.fallback = show_copy_dialog(
            self.window,
            "发送给办公室",
            "本机没有可用的邮件程序(或没有设置默认邮件程序)，没能新建邮件。\n"
            "请用您平时收发公文的邮箱(如单位邮箱的网页版)新建一封邮件，收件人填下面的地址，"
            f"主题可用下面的文字，并把这些文件作为附件添加:{names}。",
            [
                ("收件人", address),
                ("主题", f"{unit}{period_label(period)}营商环境工作进展报表"),
                ("文件所在文件夹", str(report.parent)),
            ],
        )
        return False

    def open_file(self, path: Path) -> bool:
        if self.opener(path):
            return True
        self.fallback = show_copy_dialog(
            self.window,
            "打开文件",
            "本机没有可以打开 Excel 工作簿(.xlsx)的程序。请安装 WPS 或 Excel，"
            "或把下面的文件复制到装有它们的电脑上打开。",
            [("文件", str(path))],
        )
        return False

    def open_folder(self, path: Path) -> bool:
        if self.opener(path.parent):
            return True
        self.fallback = show_copy_dialog(
            self.window,
            "打开所在文件夹",
            "没能打开文件管理器。报表已保存在下面的文件夹中:可以复制路径，"
            "再粘贴到文件管理器(或邮件的“添加附件”窗口)的地址栏中。",
            [("文件夹", str(path.parent)), ("文件", str(path))],
        )
        return False
