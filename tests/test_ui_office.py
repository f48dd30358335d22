"""The office page driven offscreen: receive files, see verdicts and the merge, export."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from liaison_app.clock import FixedClock
from liaison_app.reports import report_format as fmt
from liaison_app.reports.consolidation import Verdict
from liaison_app.reports.unit_report import default_file_name
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.workers import ImmediateRunner, PoolRunner
from tests.helpers import START, drop_files

UNITS = ["区经济信息委", "区城管局", "南岸供电公司", "区市场监管局", "区法院"]
PERIOD = "2019-12"


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory, bundled_template: Path) -> Path:
    """The units' returns, exported once for the module from the bundled plan's first start."""
    root = tmp_path_factory.mktemp("office-returns")
    shutil.copytree(bundled_template, root / "data")
    units = LiaisonService.open(root / "data", clock=FixedClock(START))
    folder = root / "inbox"
    folder.mkdir()
    units.update("区经济信息委", "11.2", status="已完成", note="牵头已办结")
    for unit in UNITS:
        ReportService(units).export(
            unit, PERIOD, dt.date(2020, 1, 10), folder / default_file_name(unit, PERIOD)
        )
    units.close()
    return folder


@pytest.fixture
def inbox(returns: Path, tmp_path: Path) -> Path:
    """A copy of the returns: a test may add, edit or remove files."""
    return Path(shutil.copytree(returns, tmp_path / "inbox"))


def office(qtbot: QtBot, service: LiaisonService, runner=None):
    window = MainWindow(service, runner=runner or ImmediateRunner())
    qtbot.addWidget(window)
    page = window.open_office()
    qtbot.addWidget(page)
    page.period.setDate(page.period.date().fromString("2019-12-01", "yyyy-MM-dd"))
    return window, page


def test_receive_a_folder_see_the_merge_and_export(
    qtbot: QtBot, service: LiaisonService, inbox: Path, tmp_path: Path
) -> None:
    _window, page = office(qtbot, service)
    (inbox / "说明.xlsx").write_text("不是报表", encoding="utf-8")
    drop_files(page, page.rect().center(), [inbox])
    verdicts = {v.path.name: v.verdict for v in page.verdicts.rows()}
    assert verdicts["说明.xlsx"] is Verdict.REJECTED
    assert sum(v is Verdict.ACCEPTED for v in verdicts.values()) == len(UNITS)
    assert page.areas.rowCount() == service.plan_info().areas  # every area, reported or not
    reported = {u.unit for u in page.units.rows() if u.reported}
    assert reported == set(UNITS)
    assert {v.item.id for v in page.inconsistent.rows()} >= {"11.2"}
    assert page.chase.rowCount() > 0 and "未报送" in page.summary.text()
    assert page.export_button.isEnabled()
    out = tmp_path / "汇总.xlsx"
    page.export(out)
    assert out.exists() and page.last_export == out
    assert load_workbook(out).sheetnames[0] == "总览"


def test_modified_report_is_excluded_until_accepted(
    qtbot: QtBot, service: LiaisonService, inbox: Path
) -> None:
    edited = inbox / default_file_name("区城管局", PERIOD)
    workbook = load_workbook(edited)
    workbook[fmt.SHEET_DETAIL].cell(row=3, column=11).value = "改过"
    workbook.save(edited)
    _window, page = office(qtbot, service)
    page.add_paths([inbox])
    row = next(r for r, v in enumerate(page.verdicts.rows()) if v.path == edited)
    assert page.verdicts.rows()[row].verdict is Verdict.MODIFIED
    assert page.verdicts.index(row, 4).data() == "已被修改(未采用)"
    page.verdict_view.setCurrentIndex(page.verdicts.index(row, 0))
    page.accept_button.click()
    assert next(v for v in page.verdicts.rows() if v.path == edited).verdict is Verdict.MODIFIED_ACCEPTED


def test_lead_scope_shows_only_the_leads_items(qtbot: QtBot, service: LiaisonService, inbox: Path) -> None:
    _window, page = office(qtbot, service)
    page.add_paths([inbox])
    page.scope.setCurrentIndex(page.scope.findData("区经济信息委"))
    assert page.result is not None and page.result.lead_scope == "区经济信息委"
    assert all("区经济信息委" in v.item.lead for v in page.result.items)


def test_reading_runs_in_the_background_and_can_be_cancelled(
    qtbot: QtBot, service: LiaisonService, inbox: Path, monkeypatch
) -> None:
    import liaison_app.ui.office_window as office_window

    gate, real = threading.Event(), office_window.receive

    def gated(paths, catalog, period, edits, progress, cancelled):
        def held(done: int, total: int) -> None:
            progress(done, total)
            gate.wait(20)

        return real(paths, catalog, period, edits, held, cancelled)

    monkeypatch.setattr(office_window, "receive", gated)
    for copy in range(3):
        shutil.copy(inbox / default_file_name("区法院", PERIOD), inbox / f"副本{copy}.xlsx")
    runner = PoolRunner()
    _window, page = office(qtbot, service, runner)
    page.add_paths([inbox])
    qtbot.waitUntil(lambda: page.progress.value() >= 1, timeout=10000)
    assert page.progress_box.isVisible() and not page.export_button.isEnabled()
    page.cancel_button.click()
    gate.set()
    qtbot.waitUntil(lambda: page.task is None, timeout=20000)
    runner.wait()
    assert page.summary.text() == "已取消读取。" and page.result is None
