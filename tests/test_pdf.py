"""The PDF drawn by Qt: from the command line and from the window; fonts embedded, A4, the
xlsx's SHA-256 in every footer, the table header on every detail page."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from liaison_app.clock import FixedClock
from liaison_app.store.records import LiaisonProfile
from liaison_app.store.service import LiaisonService
from tests.helpers import first_start

pytestmark = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils is not installed")
UNIT = "区城管局"


def run_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A real process with no display and no Qt platform set: the CLI must manage alone."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("LIAISON_APP_DATA_DIR", "QT_QPA_PLATFORM", "DISPLAY")
    }
    return subprocess.run(
        [sys.executable, "-m", "liaison_app", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=180,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_pdf(pdf: Path, xlsx: Path, header: str) -> list[str]:
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    cjk = re.compile(r"WenQuanYi|SimSun|YaHei|Noto.*CJK|SourceHan|宋体|微软雅黑", re.I)
    assert any(cjk.search(row[0]) and "yes" in row for row in rows), fonts  # embedded CJK font
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True
    ).stdout
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert len(sizes) == pages and pages >= 2
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    texts = text.split("\f")[:pages]
    digest = sha256(xlsx)
    for number, page in enumerate(texts, start=1):
        flat = page.replace(" ", "")
        assert digest in flat, f"page {number}: no SHA-256 of the xlsx"
        assert f"第{number}页，共{pages}页" in flat, number
    return texts


def test_cli_export_pdf(service: LiaisonService, data_dir: Path, tmp_path: Path) -> None:
    service.update(UNIT, "16", status="推进中", note="已开通网上营业厅\n第二行")
    service.close()
    out = tmp_path / "报表.pdf"
    result = run_cli(data_dir, "export", "--unit", UNIT, "--period", "2019-12", "-o", str(out))
    assert result.returncode == 0, result.stderr
    xlsx = out.with_suffix(".xlsx")
    assert xlsx.exists() and out.exists() and "已生成 PDF" in result.stdout
    pages = check_pdf(out, xlsx, "进展情况")
    assert "填报人(签字)" in pages[0] and "单位(盖章)" in pages[0]  # the cover first
    detail = [p for p in pages[1:] if not p.lstrip().startswith("编号\n\n尚不完整之处")]  # the checks last
    assert len(detail) >= 2
    for page in detail:  # the detail: the table header repeated on every page
        assert "进展情况" in page and "工作措施" in page
    assert "已开通网上营业厅" in "".join(pages)
    from liaison_app.reports.report_reader import read_report

    assert not read_report(xlsx).modified


def test_cli_consolidate_pdf(service: LiaisonService, data_dir: Path, tmp_path: Path) -> None:
    from liaison_app.reports.unit_report import default_file_name
    from liaison_app.store.reporting import ReportService

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for unit in ("区城管局", "区市场监管局"):
        ReportService(service).export(
            unit, "2019-12", dt.date(2020, 1, 6), inbox / default_file_name(unit, "2019-12")
        )
    service.close()
    out = tmp_path / "汇总.pdf"
    result = run_cli(data_dir, "consolidate", str(inbox), "-o", str(out))
    assert result.returncode == 0, result.stderr
    pages = check_pdf(out, out.with_suffix(".xlsx"), "工作措施")
    assert "合计" in pages[0] and "未报送" in pages[0]


def test_cli_keeps_qt_out_unless_a_pdf_is_asked_for(
    service: LiaisonService, data_dir: Path, tmp_path: Path
) -> None:
    service.close()
    code = (
        "import sys; from liaison_app.cli import run; "
        f"rc = run(['--data-dir', {str(data_dir)!r}, 'export', '--unit', {UNIT!r}, '--period', '2019-12', "
        f"'-o', {str(tmp_path / 'r.xlsx')!r}]); "
        "print(rc, any(m.startswith('PySide6') for m in sys.modules))"
    )
    env = {k: v for k, v in os.environ.items() if k != "LIAISON_APP_DATA_DIR"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.stdout.split()[-2:] == ["0", "False"], done.stderr


def test_window_exports_a_pdf_and_prints(
    qtbot: QtBot, data_dir: Path, clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QFileDialog

    from liaison_app.ui.export_dialogs import ExportCheckDialog
    from liaison_app.ui.main_window import MainWindow
    from liaison_app.ui.workers import ImmediateRunner

    first_start(data_dir)  # the bundled plan's first start, copied (~0.4 s to create)
    service = LiaisonService.open(data_dir, clock=clock, actor="联络员甲")
    service.set_settings({"ui.last_unit": UNIT})
    service.set_liaison(UNIT, LiaisonProfile("联络员甲"))
    window = MainWindow(service, runner=ImmediateRunner(), opener=lambda p: True, url_opener=lambda u: True)
    qtbot.addWidget(window)
    window.show()
    window.period.setDate(QDate(2019, 12, 1))
    window.as_of.setDate(QDate(2020, 1, 6))
    out = tmp_path / "从窗口.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(ExportCheckDialog, "exec", lambda self: ExportCheckDialog.DialogCode.Accepted)
    window.pdf_action.trigger()  # 文件 → 导出 PDF…
    check_pdf(out, out.with_suffix(".xlsx"), "进展情况")
    # 文件 → 打印…: the print dialog (accepted), the pages go to the chosen printer
    printed = tmp_path / "printer.pdf"

    def printer() -> QPrinter:
        device = QPrinter(QPrinter.PrinterMode.HighResolution)
        device.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        device.setOutputFileName(str(printed))
        return device

    window.reports.printer_factory = printer
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QPrintDialog.DialogCode.Accepted)
    second = tmp_path / "打印用.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(second), ""))
    window.print_action.trigger()
    check_pdf(printed, second, "进展情况")
    if window.reports.done_dialog:
        window.reports.done_dialog.close()
    window.close()
    service.close()
