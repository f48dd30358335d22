"""The office window's 报送登记 tab, driven by clicks: record the dropped returns, read the
register, switch period, and the ranking's painted bars."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from liaison_app.clock import FixedClock
from liaison_app.reports.unit_report import default_file_name
from liaison_app.store.ledger_register import RegisterState
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.workers import ImmediateRunner
from tests.helpers import drop_files

REPORTED = ["区城管局", "区市场监管局"]


def export(service: LiaisonService, folder: Path, period: str, as_of: dt.date) -> Path:
    folder.mkdir()
    for unit in REPORTED:
        ReportService(service).export(unit, period, as_of, folder / default_file_name(unit, period))
    return folder


def test_record_returns_and_switch_periods(
    qtbot: QtBot, service: LiaisonService, clock: FixedClock, tmp_path: Path
) -> None:
    service.update("区城管局", "16", status="done", note="网上营业厅已开通")
    november = export(service, tmp_path / "nov", "2019-11", dt.date(2019, 11, 18))
    window = MainWindow(service, runner=ImmediateRunner())
    qtbot.addWidget(window)
    page = window.open_office()
    panel = page.ledger_panel
    assert panel.register.rowCount() == 0 and "还没有接收过报表" in panel.summary.text()

    drop_files(page, page.rect().center(), [november])
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert page.tabs.currentWidget() is panel
    states = {line.unit: line.state for line in panel.register.rows()}
    assert {u for u, s in states.items() if s == RegisterState.ON_TIME} == set(REPORTED)
    assert all(s == RegisterState.MISSING for u, s in states.items() if u not in REPORTED)
    assert [line.unit for line in panel.ranking.rows()] and {r.unit for r in panel.ranking.rows()} == set(
        REPORTED
    )

    clock.advance(days=30)  # 2019-12-20
    service.update("区市场监管局", "1.1", status="done", note="已上线")
    page.clear()
    drop_files(
        page, page.rect().center(), [export(service, tmp_path / "dec", "2019-12", dt.date(2019, 12, 18))]
    )
    qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert panel.period.currentText() == "2019年12月"
    panel.period.setFocus()
    qtbot.keyClick(panel.period, Qt.Key.Key_Down)
    assert panel.period.currentText() == "2019年11月"
    assert {line.unit for line in panel.register.rows() if line.state == RegisterState.ON_TIME} == set(
        REPORTED
    )

    # the bars are painted: the 序时进度 cell is not blank where the share is above zero
    panel.ranking_view.resize(700, 200)
    page.tabs.setCurrentWidget(panel)
    page.show()
    qtbot.waitExposed(page)
    image = panel.ranking_view.viewport().grab().toImage()
    rect = panel.ranking_view.visualRect(panel.ranking.index(0, 2))
    bar = panel.bars.COLOR.rgb()
    share = panel.ranking.rows()[0].figures.schedule
    painted = [
        image.pixel(rect.left() + x, rect.center().y() + rect.height() // 2 - 4) == bar
        for x in range(3, rect.width() - 3)
    ]
    assert share > 0 and any(painted)


def test_the_office_opens_on_the_latest_period_in_use_not_on_a_refused_future_one(
    qtbot: QtBot, service: LiaisonService, tmp_path: Path
) -> None:
    november = export(service, tmp_path / "nov", "2019-11", dt.date(2019, 11, 18))
    future = export(service, tmp_path / "jan", "2020-01", dt.date(2020, 1, 10))  # refused: not yet
    window = MainWindow(service, runner=ImmediateRunner())
    qtbot.addWidget(window)
    page = window.open_office()
    drop_files(page, page.rect().center(), [november, future])
    qtbot.mouseClick(page.ledger_panel.record_button, Qt.MouseButton.LeftButton)
    # the next time the office opens the ledger
    later = MainWindow(service, runner=ImmediateRunner())
    qtbot.addWidget(later)
    panel = later.open_office().ledger_panel
    listed = [panel.period.itemText(i) for i in range(panel.period.count())]
    assert listed == ["2020年01月", "2019年11月"]  # the refused period stays on record
    assert panel.period.currentText() == "2019年11月"
    states = {line.unit: line.state for line in panel.register.rows()}
    assert {u for u, s in states.items() if s == RegisterState.ON_TIME} == set(REPORTED)
