"""The 指标 and 时间节点 sheets of the unit report, and 指标完成情况 / 督办清单 in the 汇总 (#15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from liaison_app.clock import FixedClock
from liaison_app.reports.consolidation import consolidate, receive
from liaison_app.reports.consolidation_report import SHEET_CHASE, write_consolidation
from liaison_app.reports.promises_sheets import SHEET_MILESTONES, SHEET_TARGET_SUMMARY, SHEET_TARGETS
from liaison_app.reports.report_reader import read_report
from liaison_app.reports.unit_report import default_file_name
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService

PERIOD, AS_OF = "2019-12", dt.date(2020, 1, 6)


def open_service(data_dir: Path) -> LiaisonService:
    return LiaisonService.open(data_dir, clock=FixedClock(dt.datetime(2020, 1, 6, 9)), actor="联络员")


def sheet_rows(path: Path, name: str) -> list[list[object]]:
    workbook = load_workbook(path)
    return [list(r) for r in workbook[name].iter_rows(min_row=2, values_only=True)]


def test_the_unit_report_has_a_targets_sheet_inside_the_hash(data_dir: Path, tmp_path: Path) -> None:
    service = open_service(data_dir)
    service.record_actual("南岸供电公司", "13", "13-t1", "99.90", period="2019-12", source="供电公司年报")
    service.record_actual("南岸供电公司", "13", "13-t2", "99.850", period="2019-11")
    path = tmp_path / default_file_name("南岸供电公司", PERIOD)
    ReportService(service).export("南岸供电公司", PERIOD, AS_OF, path)
    rows = sheet_rows(path, SHEET_TARGETS)
    assert rows[0] == ["编号", "指标", "目标", "基线", "实际", "达标", "报送期", "来源"]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["13-t1"] == [
        "13-t1",
        "城市供电可靠率",
        "≥ 99.96 %",
        None,
        "99.90",
        "未达标",
        "2019-12",
        "供电公司年报",
    ]
    assert by_code["13-t2"][4:7] == ["99.850", "达标", "2019-11"]  # the latest figure up to the period
    assert all(r[5] == "未填报" for code, r in by_code.items() if code not in ("13-t1", "13-t2"))
    lead_items = {t.item.id for t in service.tasks("南岸供电公司") if t.role == "lead"}
    expected = [t.id for i in service.catalog() if i.id in lead_items for t in i.targets]
    assert list(by_code) == expected
    milestones = sheet_rows(path, SHEET_MILESTONES)
    assert milestones[0] == ["编号", "序号", "时限", "时间节点", "完成日期"]
    assert milestones[1 + [r[0] for r in milestones[1:]].index("13")][:3] == ["13", 1, "2019-12-31"]

    report = read_report(path)
    assert not report.modified and report.promises is not None
    assert [t.attainment for t in report.promises.targets if t.code == "13-t1"] == ["未达标"]
    workbook = load_workbook(path)  # someone "improves" the figure after export
    ws = workbook[SHEET_TARGETS]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(row=r, column=1).value == "13-t1")
    ws.cell(row=row, column=5).value = "99.99"
    ws.cell(row=row, column=6).value = "达标"
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    assert read_report(edited).modified
    service.close()


def test_the_consolidation_counts_targets_per_area_and_chases_the_unmet_and_the_late(
    data_dir: Path, tmp_path: Path
) -> None:
    service = open_service(data_dir)
    service.record_actual("南岸供电公司", "13", "13-t1", "99.90", period="2019-12")  # 未达标
    service.record_actual("南岸供电公司", "13", "13-t2", "99.85", period="2019-12")  # 达标
    service.tick_milestone("区市场监管局", "63.1", 1, dt.date(2019, 12, 30))  # on time: not chased
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    reports = ReportService(service)
    for unit in ("南岸供电公司", "区市场监管局", "区司法局"):
        reports.export(unit, PERIOD, AS_OF, inbox / default_file_name(unit, PERIOD))
    catalog = reports.catalog_snapshot()
    result = consolidate(receive([inbox], catalog, PERIOD), catalog, AS_OF, dt.datetime(2020, 1, 7, 9))
    out = tmp_path / "汇总.xlsx"
    write_consolidation(result, out)

    summary = sheet_rows(out, SHEET_TARGET_SUMMARY)
    assert summary[0] == ["序号", "领域", "指标", "达标", "未达标", "未填报"]
    by_area = {r[1]: r[2:] for r in summary[1:]}
    electricity = [i for i in service.catalog() if i.area_name == "获得电力"]
    total = sum(len(i.targets) for i in electricity)
    assert by_area["获得电力"] == [total, 1, 1, total - 2]
    assert by_area["合计"][0] == sum(len(i.targets) for i in service.catalog()) == 57

    chase = sheet_rows(out, SHEET_CHASE)
    unmet_at = next(i for i, r in enumerate(chase) if r[0] and str(r[0]).startswith("未达标指标"))
    assert chase[unmet_at][0] == "未达标指标 1 项"
    assert chase[unmet_at + 2][1:7] == [
        "13-t1",
        "城市供电可靠率",
        "≥ 99.96 %",
        "99.90",
        "2019-12",
        "南岸供电公司",
    ]
    late_at = next(i for i, r in enumerate(chase) if r[0] and str(r[0]).startswith("逾期未完成的时间节点"))
    late = [r for r in chase[late_at + 2 :] if r[0]]
    # 63.1's first step: ticked by 区市场监管局, still open for 区司法局 (due 2019-12-31)
    assert ["63.1 第1个", "区司法局"] in [[r[1], r[5]] for r in late]
    assert ["63.1 第1个", "区市场监管局"] not in [[r[1], r[5]] for r in late]
    assert all(r[4] > 0 for r in late)
    service.close()
