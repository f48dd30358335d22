"""The office ledger beyond the register (#16): overdue milestones in the trend, read from the
returns' 时间节点 sheets; the liaison's mail address from the cover; typical cases received in
the 通报; the ledger's ranking and trend written into the 汇总. Real files, through the CLI."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from liaison_app import paths
from liaison_app.clock import FixedClock
from liaison_app.reports.report_reader import read_report
from liaison_app.reports.unit_report import default_file_name
from liaison_app.store.duties import DutiesService
from liaison_app.store.records import LiaisonProfile
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.vocabulary import SETTLED
from tests.helpers import cli_run as run
from tests.helpers import open_with_clock

UNIT = "区市场监管局"  # leads 63.1: two milestones, 2019-12-31 and 2020-12-31
DEC = "2019-12"


@pytest.fixture
def unit_side(tmp_path: Path, bundled_template: Path) -> LiaisonService:
    shutil.copytree(bundled_template, tmp_path / "unit" / "data")
    service = LiaisonService.open(tmp_path / "unit" / "data", clock=FixedClock(dt.datetime(2019, 12, 18, 9)))
    yield service  # type: ignore[misc]
    service.close()


@pytest.fixture
def office(data_dir: Path, bundled_template: Path, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    shutil.copytree(bundled_template, data_dir)
    clock = FixedClock(dt.datetime(2019, 12, 24, 9, 0))
    open_with_clock(monkeypatch, clock)
    return clock


def export(service: LiaisonService, folder: Path) -> Path:
    folder.mkdir(parents=True)
    path = folder / default_file_name(UNIT, DEC)
    ReportService(service).export(UNIT, DEC, dt.date(2019, 12, 18), path)
    assert isinstance(service.clock, FixedClock)
    service.clock.advance(minutes=10)
    return path


def overdue_milestones(path: Path) -> int:
    """From the file itself: milestones dated by the period's end, not done, item not settled."""
    report = read_report(path)
    assert report.promises is not None
    settled = {row.code for row in report.rows if report.status_of(row.code) in SETTLED}
    return sum(
        1
        for m in report.promises.milestones
        if dt.date.fromisoformat(m.date) <= dt.date(2019, 12, 31) and not m.done_on and m.code not in settled
    )


def test_overdue_milestones_follow_the_returns_ticks(
    unit_side: LiaisonService,
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    data_dir: Path,
) -> None:
    unit_side.update(UNIT, "63.1", status="推进中", note="正在推进")
    before = export(unit_side, tmp_path / "before")
    unit_side.tick_milestone(UNIT, "63.1", 1, dt.date(2019, 12, 10))
    after = export(unit_side, tmp_path / "after")
    assert overdue_milestones(before) == overdue_milestones(after) + 1 > 1

    assert run(capsys, "office", "receive", str(before))[0] == 0
    (point,) = json.loads(run(capsys, "office", "trend", "--unit", UNIT, "--json")[1])["trend"]
    assert point["overdue_milestones"] == overdue_milestones(before)
    schedule_before = point["schedule"]
    assert run(capsys, "office", "receive", str(after))[0] == 0  # the newer export supersedes
    (point,) = json.loads(run(capsys, "office", "trend", "--unit", UNIT, "--json")[1])["trend"]
    assert point["overdue_milestones"] == overdue_milestones(after)
    assert point["schedule"] > schedule_before
    connection = sqlite3.connect(paths.database_path(data_dir))
    try:  # the tick is kept from the return, the item itself still open
        assert connection.execute("SELECT number, done_on FROM office_return_milestone").fetchall() == [
            (1, "2019-12-10")
        ]
    finally:
        connection.close()
    assert read_report(after).status_of("63.1") not in SETTLED
    code, out, _ = run(capsys, "office", "trend")
    assert code == 0 and "逾期时间节点" in out.splitlines()[0]
    assert f"\t{overdue_milestones(after)}\t" in out.splitlines()[1]


def test_contact_cases_and_the_ledgers_sheets_in_the_summary(
    unit_side: LiaisonService, office: FixedClock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    unit_side.set_liaison(UNIT, LiaisonProfile("李四", "023-62900000", "lisi@example.gov.cn"))
    DutiesService(unit_side).save_case(
        UNIT, period=DEC, kind="正面", title="企业开办一网通办", body="全程网办，平均 1 天办结。"
    )
    DutiesService(unit_side).save_case(UNIT, period="2019-11", kind="反面", title="上月的案例")
    path = export(unit_side, tmp_path / "dec")
    assert read_report(path).cover_email == "lisi@example.gov.cn"
    assert run(capsys, "office", "receive", str(path))[0] == 0
    office.advance(days=10)  # 2020-01-03: after the due day, to chase
    # the 催办 of a unit that reported names its liaison's mail address from the cover
    code, _out, _ = run(capsys, "office", "remind", "--period", DEC, "-o", str(tmp_path / "催办"))
    assert code == 0
    notice = load_workbook(tmp_path / "催办" / f"催办通知-{UNIT}-{DEC}.xlsx")["催办通知"]
    texts = {str(c) for row in notice.iter_rows(values_only=True) for c in row if c}
    assert "李四 023-62900000 lisi@example.gov.cn" in texts

    bulletin = tmp_path / "通报.xlsx"
    assert run(capsys, "office", "bulletin", "--period", DEC, "-o", str(bulletin))[0] == 0
    cases = list(load_workbook(bulletin)["典型案例"].iter_rows(min_row=3, values_only=True))
    assert cases == [(1, UNIT, "正面", "企业开办一网通办", "全程网办，平均 1 天办结。")]  # December's only

    # a one-off 汇总 in the office's folder carries the ledger's ranking and trend, with bars
    out = tmp_path / "汇总.xlsx"
    code, _out, err = run(capsys, "consolidate", str(path), "-o", str(out))
    assert code == 0, err
    workbook = load_workbook(out)
    ranking = workbook["台账排名"]
    trend = json.loads(run(capsys, "office", "trend", "--json")[1])
    (line,) = trend["ranking"]["units"]
    rows = list(ranking.iter_rows(min_row=3, values_only=True))
    assert [tuple(round(v, 4) if isinstance(v, float) else v for v in r) for r in rows] == [
        (
            1,
            UNIT,
            line["schedule"],
            line["completion"],
            line["overdue"],
            line["overdue_milestones"],
            line["items"],
        )
    ]
    assert ranking["C3"].number_format == "0.0%"
    assert [rule.dataBar is not None for rng in ranking.conditional_formatting for rule in rng.rules] == [
        True,
        True,
    ]
    (point,) = trend["trend"]
    trend_rows = list(workbook["台账趋势"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], round(r[1], 4), r[3], r[4], round(r[5], 4)) for r in trend_rows] == [
        (DEC, point["completion"], point["overdue"], point["overdue_milestones"], point["schedule"])
    ]
    workbook.close()


def test_the_office_window_shows_overdue_milestones_in_its_trend(
    qtbot: QtBot,
    unit_side: LiaisonService,
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    data_dir: Path,
) -> None:
    from liaison_app.ui.main_window import MainWindow
    from liaison_app.ui.workers import ImmediateRunner

    path = export(unit_side, tmp_path / "dec")
    assert run(capsys, "office", "receive", str(path))[0] == 0
    service = LiaisonService.open(data_dir)
    try:
        window = MainWindow(service, runner=ImmediateRunner())
        qtbot.addWidget(window)
        panel = window.open_office().ledger_panel
        model = panel.trend
        qtbot.waitUntil(lambda: model.rowCount() == 1)  # read off the GUI thread, after the register
        headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
        assert headers == ["报送期", "完成率", "环比", "逾期事项", "逾期节点", "序时进度"]
        shown = [str(model.data(model.index(0, c))) for c in range(model.columnCount())]
        assert shown[0] == "2019年12月" and shown[4] == str(overdue_milestones(path)) != "0"
        ranking = panel.ranking
        assert str(ranking.data(ranking.index(0, 5))) == str(overdue_milestones(path))
    finally:
        window.close()
        service.close()


def test_a_return_without_signature_is_refused_once_the_units_key_is_on_record(
    office: FixedClock, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    """Version 2 returns carry no signature: accepted while the office knows no key of the unit
    (and no key is pinned from them), 签名不符 once it has one."""
    v2 = Path(__file__).parent / "fixtures" / "reports" / "v2"
    code, out, _ = run(capsys, "office", "receive", str(v2 / "南岸供电公司_2019年11月_营商环境工作进展.xlsx"))
    assert code == 0 and out.startswith("已接收")
    assert json.loads(run(capsys, "office", "keys", "--json")[1])["keys"] == []
    assert run(capsys, "office", "keys", "register", "--unit", "区城管局", "0123456789ABCDEF" * 2)[0] == 0
    code, out, _ = run(capsys, "office", "receive", str(v2 / "区城管局_2019年11月_营商环境工作进展.xlsx"))
    assert code == 1 and out.startswith("签名不符") and "没有有效签名" in out
    connection = sqlite3.connect(paths.database_path(data_dir))
    try:
        assert connection.execute("SELECT verdict FROM office_return ORDER BY id").fetchall() == [
            ("accepted",),
            ("bad_signature",),
        ]
    finally:
        connection.close()
