"""The office consolidation: every unit's real report, judged and merged, and hostile files."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from liaison_app.reports import consolidation_report as sheets
from liaison_app.reports import report_format as fmt
from liaison_app.reports.consolidation import Intake, Verdict, consolidate, default_as_of, receive
from liaison_app.reports.consolidation_report import write_consolidation
from liaison_app.reports.unit_report import default_file_name
from liaison_app.store.reporting import ReportService
from liaison_app.store.status import Status
from liaison_app.vocabulary import Role
from tests.helpers import NOT_REPORTING as REMOVED
from tests.helpers import RETURNS_AS_OF as AS_OF
from tests.helpers import RETURNS_PERIOD as PERIOD
from tests.helpers import SMALL_AS_OF, SMALL_NOT_REPORTING, SMALL_PERIOD, catalog, cli_in_process, copy_folder

NOTE = fmt.DETAIL_HEADERS.index("进展情况") + 1


@pytest.fixture(scope="module")
def intake(world) -> Intake:
    """The world's inbox received once for the module: reading sixty returns takes ~2 s, and
    the tests below only read what came in."""
    service, inbox = world
    return receive([inbox], catalog(service), PERIOD)


def test_counts_match_the_database(world, intake: Intake) -> None:
    service, _inbox = world
    assert all(v.verdict is Verdict.ACCEPTED for v in intake.verdicts)
    result = consolidate(intake, catalog(service), AS_OF, dt.datetime(2020, 1, 10, 12))
    assert len(result.items) == len(service.catalog())  # every item of the plan, reported or not
    for view in result.items:
        for state in view.states:
            if state.unit == REMOVED:
                assert state.status is None and state.status_label == "未报送"
                continue
            task = service.task(state.unit, view.item.id)
            assert (state.status, state.note) == (task.status, task.note)  # codes, not labels
    for line in result.units:
        if line.unit == REMOVED:
            assert not line.reported
            continue
        tasks = service.tasks(line.unit)
        assert line.items == len(tasks)
        assert line.done == sum(t.status is Status.DONE for t in tasks)
        assert line.overdue == sum(1 for t in tasks if t.light(AS_OF).value == "overdue")
    done_items = sum(v.status is Status.DONE for v in result.items)
    assert sum(a.done for a in result.areas) == done_items == sum(m.done for m in result.measures)


def test_a_unit_left_out_is_listed_as_not_reported(world, intake: Intake) -> None:
    service, _inbox = world
    result = consolidate(intake, catalog(service), AS_OF, dt.datetime(2020, 1, 10))
    assert [u.unit for u in result.missing_units] == [REMOVED]


def test_planted_inconsistency_is_found(world, intake: Intake) -> None:
    service, _inbox = world
    result = consolidate(intake, catalog(service), AS_OF, dt.datetime(2020, 1, 10))
    flagged = {v.item.id: v.inconsistent for v in result.inconsistent}
    assert "11.2" in flagged and "区经济信息委称已完成" in flagged["11.2"]
    assert "区城管局称未启动" in flagged["11.2"]


def test_overdue_chase_list_is_sorted_by_days_late(world, intake: Intake) -> None:
    service, _inbox = world
    result = consolidate(intake, catalog(service), AS_OF, dt.datetime(2020, 1, 10))
    days = [v.overdue_days for v in result.overdue]
    assert days == sorted(days, reverse=True)
    assert result.overdue[0].item.id == "1.1" and days[0] == (AS_OF - dt.date(2019, 9, 30)).days
    assert result.overdue[0].latest_note == "系统联调中"
    assert all(v.status not in (Status.DONE, Status.ONGOING) for v in result.overdue)


def test_edited_duplicate_and_hostile_files(small_world, tmp_path: Path) -> None:
    service, inbox = small_world
    box = copy_folder(inbox, tmp_path / "box")
    # a return edited after export
    edited = box / default_file_name("区甲局", SMALL_PERIOD)
    workbook = load_workbook(edited)
    workbook[fmt.SHEET_DETAIL].cell(row=3, column=NOTE).value = "事后改过的说明"
    workbook.save(edited)
    # an older export of the same unit, kept under another name
    older = box / "区乙局_旧版.xlsx"
    shutil.copy(box / default_file_name("区乙局", SMALL_PERIOD), older)
    service.clock.advance(days=1)
    ReportService(service).export(
        "区乙局", SMALL_PERIOD, SMALL_AS_OF, box / default_file_name("区乙局", SMALL_PERIOD)
    )
    # hostile and foreign files
    (box / "损坏.xlsx").write_bytes(zipfile.ZipFile.__doc__.encode()[:300])
    (box / "改了扩展名.xlsx").write_text("这其实是一个文本文件", encoding="utf-8")
    from openpyxl import Workbook

    Workbook().save(box / "无关的表格.xlsx")
    other_plan = box / "另一方案.xlsx"
    shutil.copy(box / default_file_name("区丙中心", SMALL_PERIOD), other_plan)
    workbook = load_workbook(other_plan)
    meta = workbook[fmt.SHEET_META]
    for row in range(1, meta.max_row + 1):
        if meta.cell(row=row, column=1).value == "plan_id":
            meta.cell(row=row, column=2).value = "jiangbei-2020"
        if meta.cell(row=row, column=1).value == "plan_name":
            meta.cell(row=row, column=2).value = "江北区工作方案"
    workbook.save(other_plan)
    make_zip_bomb(box / "压缩炸弹.xlsx")
    make_billion_laughs(box / default_file_name("区丙中心", SMALL_PERIOD), box / "实体炸弹.xlsx")

    intake = receive([box], catalog(service), SMALL_PERIOD)
    by_name = {v.path.name: v for v in intake.verdicts}
    assert by_name[edited.name].verdict is Verdict.MODIFIED
    assert by_name[older.name].verdict is Verdict.SUPERSEDED
    for name, reason in (
        ("损坏.xlsx", "不是 xlsx"),
        ("改了扩展名.xlsx", "不是 xlsx"),
        ("无关的表格.xlsx", "不是营商环境工作进展报表"),
        ("另一方案.xlsx", "另一份工作方案(江北区工作方案)"),
        ("压缩炸弹.xlsx", "压缩"),
        ("实体炸弹.xlsx", "不安全"),
    ):
        assert by_name[name].verdict is Verdict.REJECTED, name
        assert reason in by_name[name].reason, (name, by_name[name].reason)
    assert "区甲局" not in intake.reports  # edited: excluded unless accepted
    assert intake.reports["区乙局"].exported_at == max(
        v.exported_at for v in intake.verdicts if v.unit == "区乙局"
    )
    result = consolidate(intake, catalog(service), SMALL_AS_OF, dt.datetime(2020, 6, 10))
    assert {u.unit for u in result.missing_units} == {SMALL_NOT_REPORTING, "区甲局"}
    accepted = receive([box], catalog(service), SMALL_PERIOD, accept_modified=[edited])
    assert {v.path.name: v.verdict for v in accepted.verdicts}[edited.name] is Verdict.MODIFIED_ACCEPTED
    assert accepted.reports["区甲局"].rows[0].note == "事后改过的说明"


def make_zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as handle:
            block = b"\0" * (1 << 20)
            for _ in range(64):
                handle.write(block)


def make_billion_laughs(template: Path, path: Path) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10))
        + ']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheets><sheet name="&lol9;" sheetId="1" r:id="rId1" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
        "</sheets></workbook>"
    )
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = laughs.encode() if info.filename == "xl/workbook.xml" else source.read(info)
            target.writestr(info, data)


def test_period_and_default_as_of(small_world, tmp_path: Path) -> None:
    service, inbox = small_world
    box = copy_folder(inbox, tmp_path / "box")
    ReportService(service).export("区丙中心", "2020-04", dt.date(2020, 4, 30), box / "四月.xlsx")
    intake = receive([box], catalog(service))  # the period most files are for
    assert intake.period == SMALL_PERIOD
    (late,) = [v for v in intake.verdicts if v.path.name == "四月.xlsx"]
    assert late.verdict is Verdict.REJECTED and "2020-04" in late.reason
    assert default_as_of(intake, dt.date(2030, 1, 1)) == SMALL_AS_OF


def test_lead_unit_sees_what_its_helpers_reported(world, intake: Intake) -> None:
    service, _inbox = world
    result = consolidate(intake, catalog(service), AS_OF, dt.datetime(2020, 1, 10), lead_scope="区经济信息委")
    assert result.items and all("区经济信息委" in v.item.lead for v in result.items)
    view = next(v for v in result.items if v.item.id == "11.2")
    helpers = {s.unit: s.status for s in view.states if s.role is Role.COOP}
    assert helpers["区城管局"] is Status.NOT_STARTED
    assert helpers["南岸供电公司"] is service.task("南岸供电公司", "11.2").status


@pytest.mark.libreoffice
def test_the_workbook_and_libreoffice(world, intake: Intake, tmp_path: Path) -> None:
    service, _inbox = world
    result = consolidate(intake, catalog(service), AS_OF, dt.datetime(2020, 1, 10))
    out = tmp_path / sheets.default_file_name(PERIOD)
    write_consolidation(result, out)
    assert out.name == "汇总_2019年12月_营商环境工作进展.xlsx"
    workbook = load_workbook(out)
    assert workbook.sheetnames == [
        sheets.SHEET_OVERVIEW,
        sheets.SHEET_CHART_AREAS,
        sheets.SHEET_CHART_UNITS,
        sheets.SHEET_CHASE,
        "指标完成情况",
        sheets.SHEET_MISSING,
        sheets.SHEET_DETAIL,
        sheets.SHEET_DELIVERABLES,
        sheets.SHEET_CASES,
        sheets.SHEET_LOG,
    ]
    assert (
        len(workbook[sheets.SHEET_CHART_AREAS]._charts)
        == len(workbook[sheets.SHEET_CHART_UNITS]._charts)
        == 1
    )
    chase = workbook[sheets.SHEET_CHASE]
    # the overdue items first; the 未达标 targets and overdue milestones follow after a blank row
    first_blank = next(r for r in range(3, chase.max_row + 2) if chase.cell(row=r, column=1).value is None)
    assert first_blank - 3 == len(result.overdue)
    missing = workbook[sheets.SHEET_MISSING]
    assert missing.cell(row=3, column=2).value == REMOVED
    detail = workbook[sheets.SHEET_DETAIL]
    row = next(r for r in range(3, detail.max_row + 1) if detail.cell(row=r, column=1).value == "11.2")
    assert detail.cell(row=row, column=8).value.startswith("不一致")
    assert "区城管局【未启动】" in detail.cell(row=row, column=7).value
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; tasks.sh installs it")
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    source = tmp_path / "c.xlsx"
    shutil.copy(out, source)
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    for target in (csv_filter, "pdf"):
        subprocess.run(
            [soffice, profile, "--headless", "--convert-to", target, "--outdir", str(tmp_path), str(source)],
            check=True,
            capture_output=True,
            timeout=180,
        )
    with (tmp_path / f"c-{sheets.SHEET_CHASE}.csv").open(encoding="utf-8") as handle:
        chase_rows = list(csv.reader(handle))[2:]
    chase_rows = chase_rows[: next(i for i, r in enumerate([*chase_rows, [""]]) if not r or not r[0])]
    assert [r[1] for r in chase_rows] == [v.item.id for v in result.overdue]
    assert [int(r[6]) for r in chase_rows] == [v.overdue_days for v in result.overdue]
    info = subprocess.run(["pdfinfo", str(tmp_path / "c.pdf")], capture_output=True, text=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 5


def test_overview_has_every_status_and_totals(world, intake: Intake, tmp_path: Path) -> None:
    service, _inbox = world
    result = consolidate(intake, catalog(service), AS_OF, dt.datetime(2020, 1, 10))
    out = tmp_path / "o.xlsx"
    write_consolidation(result, out)
    ws = load_workbook(out)[sheets.SHEET_OVERVIEW]
    headers = [h for h, _w, _wrap in sheets.AREA_COLUMNS]
    assert headers[3:9] == ["未启动", "推进中", "已完成", "常态化推进", "需协调", "未报送"]
    first = 5  # the area table's header is row 4
    areas = [
        [ws.cell(row=r, column=c).value for c in range(1, len(headers) + 1)] for r in range(first, first + 18)
    ]
    *rows, totals = areas
    assert totals[1] == "合计" and totals[2] == len(result.items) == sum(r[2] for r in rows)
    for column in range(3, 10):  # each status, 未报送 and 逾期 add up
        assert totals[column] == sum(r[column] for r in rows), headers[column]
    statuses = Counter(v.status_label for v in result.items)
    assert totals[3:9] == [statuses.get(label, 0) for label in headers[3:9]]
    assert totals[9] == len(result.overdue)
    assert totals[10] == round(100 * statuses["已完成"] / len(result.items))
    for row in rows:  # every item of an area is in exactly one status column
        assert sum(row[3:9]) == row[2]
    # the unit table: the unit left out shows all its items under 未报送
    unit_header = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=2).value == "单位")
    by_unit = {ws.cell(row=r, column=2).value: r for r in range(unit_header + 1, unit_header + 60)}
    removed = by_unit[REMOVED]
    assert ws.cell(row=removed, column=9).value == ws.cell(row=removed, column=3).value > 0
    assert ws.cell(row=removed, column=12).value == "未报送"
    total_row = by_unit["合计"]
    assert ws.cell(row=total_row, column=3).value == sum(u.items for u in result.units)


def test_cli_exit_codes(small_world, tmp_path: Path) -> None:
    service, inbox = small_world

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return cli_in_process(service.data_dir, "consolidate", *args)

    ok = run(str(inbox), "-o", str(tmp_path), "--period", SMALL_PERIOD)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("已接收") == len(list(inbox.glob("*.xlsx")))
    assert (tmp_path / sheets.default_file_name(SMALL_PERIOD)).exists()
    bad = tmp_path / "坏.xlsx"
    bad.write_text("x", encoding="utf-8")
    two = sorted(inbox.glob("*.xlsx"))[:2]  # some accepted, one refused: the exit code says so
    some = run(*map(str, two), str(bad), "-o", str(tmp_path / "some.xlsx"))
    assert some.returncode == 1 and "已拒收  坏.xlsx" in some.stdout
    assert (tmp_path / "some.xlsx").exists()
    none = run(str(bad), "-o", str(tmp_path / "none.xlsx"))
    assert none.returncode == 2 and not (tmp_path / "none.xlsx").exists()
    assert "没有可以汇总的报表" in none.stderr


def test_typical_cases_and_deliverables_are_consolidated(world, intake: Intake) -> None:
    service, _inbox = world
    result = consolidate(intake, catalog(service), AS_OF, dt.datetime(2020, 1, 10))
    assert sorted((c[0], c[3]) for c in result.cases) == [
        ("区城管局", "用水报装提速"),
        ("区法院", "执行案件超期"),
    ]
    sent = {u.unit: u.case_sent for u in result.units}
    assert sent["区城管局"] == "是" and sent["区法院"] == "是"
    assert sent["区公安分局"] == "否" and sent[REMOVED] == "未报送"
    issues = {(d.unit, d.label): d.problem for d in result.deliverable_issues}
    assert ("区市场监管局", "具体措施") not in issues  # done on time
    assert issues[("区城管局", "具体措施")] == "逾期未完成"  # due 2019-12-06, not done by 2020-01-10
    assert all(unit != "区公安分局" for unit, _label in issues)  # leads nothing: owes nothing
    workbook_rows = [d.unit for d in result.deliverable_issues]
    assert "区城管局" in workbook_rows


def test_office_can_look_at_one_special_group(world, intake: Intake) -> None:
    from liaison_app.store.duties import DutiesService

    service, _inbox = world
    group = next(g for g in DutiesService(service).groups() if g.number == 3)
    units = frozenset(group.units([u.name for u in service.units()]))
    result = consolidate(
        intake,
        catalog(service),
        AS_OF,
        dt.datetime(2020, 1, 10),
        group=(group.title, units),
    )
    assert result.scope_label == "(三)方便企业获得水电气专项小组"
    assert {u.unit for u in result.units} <= units
    assert result.items and all(set(v.item.lead) & units for v in result.items)


def test_the_completion_rate_rounds_and_the_total_comes_from_the_sums() -> None:
    from liaison_app.reports.consolidation import GroupLine, UnitLine, figures, total_figures

    area = GroupLine(number=1, name="一", items=3, done=2, in_progress=1, overdue=0)
    idle = GroupLine(number=2, name="二", items=0, done=0, in_progress=0, overdue=0)
    unit = UnitLine(unit="区甲局", reported=True, items=4, done=1, overdue=1, exported_at=None)
    assert (area.percent, idle.percent, unit.percent) == (67, 0, 25)
    assert figures(area)[-1] == 67
    assert total_figures([area, idle])[-1] == 67 and total_figures([])[-1] == 0
    assert total_figures([area, unit])[-1] == 43  # 3 of 7, not the mean of 67 and 25
