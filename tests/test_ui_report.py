"""Exporting the report from the window, and what the liaison can do afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from PySide6.QtCore import QDate, QUrl
from pytestqt.qtbot import QtBot

from liaison_app.clock import FixedClock
from liaison_app.reports.report_reader import read_report
from liaison_app.store.records import LiaisonProfile
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.ui.export_dialogs import ExportCheckDialog
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.profile_dialog import ProfileDialog
from liaison_app.ui.workers import ImmediateRunner
from tests.helpers import Dialogs, first_start, make_file

UNIT = "区城管局"


@pytest.fixture
def opened() -> list[object]:
    return []


@pytest.fixture
def window(
    qtbot: QtBot, data_dir: Path, clock: FixedClock, opened: list[object], monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    first_start(data_dir)  # the bundled plan's first start, copied (~0.4 s to create)
    service = LiaisonService.open(data_dir, clock=clock, actor="联络员甲")
    service.set_settings({"ui.last_unit": UNIT})
    service.set_liaison(UNIT, LiaisonProfile("联络员甲"))
    win = MainWindow(
        service,
        runner=ImmediateRunner(),
        opener=lambda p: opened.append(p) or True,
        url_opener=lambda url: opened.append(url) or True,
    )
    qtbot.addWidget(win)
    win.show()
    win.period.setDate(QDate(2019, 12, 1))
    win.as_of.setDate(QDate(2020, 1, 6))
    yield win
    if win.reports and win.reports.done_dialog:
        win.reports.done_dialog.close()
    win.close()
    service.close()


def test_export_from_the_window_writes_records_and_offers_next_steps(
    window: MainWindow, tmp_path: Path, opened: list[object], monkeypatch
) -> None:
    dialogs = Dialogs(monkeypatch)
    window.service.update(UNIT, "16", status="推进中", note="已开通网上营业厅")
    window.service.attach(UNIT, "16", make_file(tmp_path, "营业厅截图.png"), period="2019-12")
    out = tmp_path / "report.xlsx"
    window.reports.export(UNIT, window.current_period(), window.current_as_of(), out, confirm_incomplete=True)
    report = read_report(out)
    assert report.unit == UNIT and report.period == "2019-12" and not report.modified
    assert report.as_of == dt.date(2020, 1, 6)
    assert ReportService(window.service).last_export(UNIT).file_name == "report.xlsx"
    done = window.reports.done_dialog
    assert done is not None and done.isVisible()
    done.buttons["open"].click()
    assert opened[-1] == out
    done.buttons["folder"].click()
    assert opened[-1] == tmp_path
    done.buttons["mail"].click()  # no office address yet: the liaison is told where to set it
    assert "联络员信息" in dialogs.shown[-1][1]
    window.service.set_settings({"office.email": "yshj@example.gov.cn"})
    done.buttons["bundle"].click()
    bundle = tmp_path / "区城管局_2019年12月_佐证材料.zip"
    assert bundle.exists()
    done.buttons["mail"].click()
    url = opened[-1]
    assert isinstance(url, QUrl) and url.scheme() == "mailto"
    text = unquote(url.toString())
    assert "yshj@example.gov.cn" in text and "区城管局2019年12月营商环境工作进展报表" in text
    assert "report.xlsx" in text and bundle.name in text
    assert opened[-2] == tmp_path  # the folder with the files to attach


def test_declining_the_soft_check_exports_nothing(window: MainWindow, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    assert window.reports.export(UNIT, "2019-12", dt.date(2020, 1, 6), out, confirm_incomplete=False) is None
    assert not out.exists() and ReportService(window.service).exports(UNIT) == []


def test_the_check_dialog_jumps_to_an_item(qtbot: QtBot, window: MainWindow) -> None:
    incomplete = ReportService(window.service).export_check(UNIT, dt.date(2020, 1, 6))
    titles = {t.item.id: t.item.text for t in window.service.tasks(UNIT)}
    dialog = ExportCheckDialog(incomplete, titles, window)
    qtbot.addWidget(dialog)
    dialog.go_to_item.connect(window.select_item)
    assert dialog.model.rowCount() == len(incomplete)
    row = next(r for r in range(dialog.model.rowCount()) if dialog.model.index(r, 0).data() == "17")
    dialog.table.setCurrentIndex(dialog.model.index(row, 0))
    dialog.back_button.click()
    assert window.selected_task().item.id == "17"


def test_a_failed_write_says_why_and_records_nothing(window: MainWindow, tmp_path: Path, monkeypatch) -> None:
    dialogs = Dialogs(monkeypatch)
    out = tmp_path / "missing-folder" / "report.xlsx"
    window.reports.export(UNIT, "2019-12", dt.date(2020, 1, 6), out, confirm_incomplete=True)
    assert dialogs.shown[-1][0] == "导出失败"
    assert ReportService(window.service).exports(UNIT) == []
    assert not list(tmp_path.rglob("*.part"))


def test_profile_dialog_checks_the_office_address(qtbot: QtBot, window: MainWindow) -> None:
    dialog = ProfileDialog(
        window.service.units(), UNIT, lambda _u: LiaisonProfile("甲", "023-1234567"), "not-an-address"
    )
    qtbot.addWidget(dialog)
    dialog._accept()
    assert "邮箱格式不正确" in dialog.error.text() and dialog.result() == 0
    dialog.office.setText("yshj@example.gov.cn")
    dialog._accept()
    assert dialog.result() == ProfileDialog.DialogCode.Accepted
    assert dialog.values()[2] == "yshj@example.gov.cn"
