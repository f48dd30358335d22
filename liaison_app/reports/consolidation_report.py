"""Writing the office's consolidated workbook (汇总_{YYYY年MM月}_营商环境工作进展.xlsx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from liaison_app.filenames import safe_name
from liaison_app.reports import promises_sheets
from liaison_app.reports.consolidation import Consolidation, ItemView
from liaison_app.reports.styles import OVERDUE_FILL, print_setup, set_text, title_row, write_table
from liaison_app.reports.workbook_io import save_atomically
from liaison_app.vocabulary import Role, Status, period_label

SHEET_OVERVIEW = "总览"
SHEET_CHASE = "督办清单"
SHEET_MISSING = "未报送单位"
SHEET_DETAIL = "全部明细"
SHEET_CASES = "典型案例汇总"
SHEET_DELIVERABLES = "牵头单位具体措施和调研报告"
SHEET_LOG = "接收记录"

AREA_COLUMNS = (
    ("序号", 6, False),
    ("领域", 22, True),
    ("工作措施", 9, False),
    ("已完成", 8, False),
    ("推进中", 8, False),
    ("逾期", 7, False),
    ("完成率(%)", 10, False),
)
MEASURE_COLUMNS = (
    ("编号", 6, False),
    ("目标任务", 22, True),
    ("工作措施", 9, False),
    ("已完成", 8, False),
    ("推进中", 8, False),
    ("逾期", 7, False),
    ("完成率(%)", 10, False),
)
# The overview stacks three tables in the same columns: 序号, a wide name, then figures.
UNIT_COLUMNS = (
    ("序号", 6, False),
    ("单位", 22, True),
    ("是否报送", 9, False),
    ("工作措施", 8, False),
    ("已完成", 8, False),
    ("逾期", 7, False),
    ("完成率(%)", 10, False),
    ("报表导出时间", 17, False),
    ("本月典型案例", 12, False),
)
CHASE_COLUMNS = (
    ("序号", 6, False),
    ("编号", 7, False),
    ("工作措施", 44, True),
    ("牵头单位", 18, True),
    ("配合单位", 22, True),
    ("完成时限", 11, False),
    ("逾期天数", 9, False),
    ("事项状态", 10, False),
    ("最新进展", 40, True),
)
MISSING_COLUMNS = (
    ("序号", 6, False),
    ("单位", 26, True),
    ("承担工作措施", 12, False),
    ("其中牵头", 10, False),
    ("其中逾期", 10, False),
)
DETAIL_COLUMNS = (
    ("编号", 7, False),
    ("领域", 12, True),
    ("目标任务", 16, True),
    ("工作措施", 40, True),
    ("完成时限", 11, False),
    ("事项状态", 10, False),
    ("逾期天数", 9, False),
    ("牵头单位报送情况", 36, True),
    ("配合单位报送情况", 44, True),
    ("不一致", 24, True),
)
DELIVERABLE_COLUMNS = (
    ("序号", 6, False),
    ("牵头单位", 24, True),
    ("任务", 10, False),
    ("状态", 10, False),
    ("完成时限", 11, False),
    ("问题", 24, True),
)
CASE_COLUMNS = (
    ("单位", 20, True),
    ("月份", 9, False),
    ("类型", 7, False),
    ("标题", 28, True),
    ("内容", 50, True),
    ("关联工作措施", 14, True),
    ("附件", 24, True),
)
LOG_COLUMNS = (
    ("序号", 6, False),
    ("文件", 40, True),
    ("单位", 20, True),
    ("报送期", 9, False),
    ("导出时间", 17, False),
    ("结果", 18, False),
    ("原因", 44, True),
)


def default_file_name(period: str, lead_scope: str = "") -> str:
    scope = f"{lead_scope}牵头事项_" if lead_scope else ""
    return safe_name(f"汇总_{scope}{period_label(period)}_营商环境工作进展.xlsx", 120)


def _states(view: ItemView, role: Role) -> str:
    return "\n".join(f"{s.unit}【{s.status_label}】{s.note}".rstrip() for s in view.states if s.role is role)


def build_workbook(result: Consolidation) -> Workbook:
    workbook = Workbook()
    overview = workbook.active
    assert overview is not None
    overview.title = SHEET_OVERVIEW
    scope = (
        f"({result.lead_scope}牵头事项)"
        if result.lead_scope
        else f"({result.scope_label})"
        if result.scope_label
        else ""
    )
    heading = (
        f"{result.plan_name} {period_label(result.period)}工作进展汇总{scope}"
        f"(统计截至 {result.as_of.isoformat()})"
    )
    _overview(overview, result, heading)
    _simple(
        workbook.create_sheet(SHEET_CHASE),
        f"督办清单:逾期工作措施 {len(result.overdue)} 条",
        CHASE_COLUMNS,
        [
            [
                n,
                v.item.id,
                v.item.text,
                "、".join(v.item.lead),
                "、".join(v.item.coop) or "—",
                v.item.deadline.isoformat() if v.item.deadline else "",
                v.overdue_days,
                v.status_label,
                v.latest_note,
            ]
            for n, v in enumerate(result.overdue, start=1)
        ],
    )
    if result.promises is not None:
        promises_sheets.append_to_chase(workbook[SHEET_CHASE], result.promises)
        promises_sheets.write_summary_sheet(
            workbook.create_sheet(promises_sheets.SHEET_TARGET_SUMMARY), result.promises
        )
    missing = result.missing_units
    _simple(
        workbook.create_sheet(SHEET_MISSING),
        f"未报送单位 {len(missing)} 个",
        MISSING_COLUMNS,
        [
            [n, u.unit, u.items, sum(1 for v in result.items if u.unit in v.item.lead), u.overdue]
            for n, u in enumerate(missing, start=1)
        ],
    )
    detail = workbook.create_sheet(SHEET_DETAIL)
    _simple(
        detail,
        f"全部明细(不一致 {len(result.inconsistent)} 条)",
        DETAIL_COLUMNS,
        [
            [
                v.item.id,
                v.item.area_name,
                f"{v.item.measure}.{v.item.measure_title}",
                v.item.text,
                v.item.deadline.isoformat() if v.item.deadline else "",
                v.status_label,
                v.overdue_days or "",
                _states(v, Role.LEAD),
                _states(v, Role.COOP) or "—",
                f"不一致:{v.inconsistent}" if v.inconsistent else "",
            ]
            for v in result.items
        ],
    )
    for row in range(3, detail.max_row + 1):
        if detail.cell(row=row, column=10).value:
            detail.cell(row=row, column=10).fill = OVERDUE_FILL
    _simple(
        workbook.create_sheet(SHEET_DELIVERABLES),
        f"牵头单位具体措施和调研报告:缺报或逾期 {len(result.deliverable_issues)} 项",
        DELIVERABLE_COLUMNS,
        [
            [n, d.unit, d.label, d.status_label, d.due, d.problem]
            for n, d in enumerate(result.deliverable_issues, start=1)
        ],
    )
    if result.cases:
        _simple(
            workbook.create_sheet(SHEET_CASES),
            f"典型案例汇总 {len(result.cases)} 篇",
            CASE_COLUMNS,
            result.cases,
        )
    _simple(
        workbook.create_sheet(SHEET_LOG),
        f"接收记录:收到 {len(result.verdicts)} 个文件",
        LOG_COLUMNS,
        [
            [
                n,
                v.path.name,
                v.unit,
                v.period,
                v.exported_at.strftime("%Y-%m-%d %H:%M") if v.exported_at else "",
                v.verdict.label,
                v.reason,
            ]
            for n, v in enumerate(result.verdicts, start=1)
        ],
    )
    return workbook


def write_consolidation(result: Consolidation, path: Path) -> None:
    """Write atomically: a temporary name, flushed, then renamed."""
    save_atomically(build_workbook(result), path)


def _simple(
    ws: Worksheet, title: str, columns: tuple[tuple[str, float, bool], ...], rows: list[list[Any]]
) -> None:
    title_row(ws, title, len(columns))
    last = write_table(ws, 2, columns, rows)
    ws.freeze_panes = ws.cell(row=3, column=1)
    if rows:
        ws.auto_filter.ref = f"A2:{ws.cell(row=last, column=len(columns)).coordinate}"
    print_setup(ws, "1:2")


def _overview(ws: Worksheet, result: Consolidation, heading: str) -> None:
    title_row(ws, heading, len(UNIT_COLUMNS))
    reported = sum(u.reported for u in result.units)
    done = sum(v.status is Status.DONE for v in result.items)
    missing = len(result.units) - reported
    set_text(
        ws.cell(row=2, column=1),
        (
            f"应报单位 {len(result.units)} 个，已报送 {reported} 个，未报送 {missing} 个;"
            f"工作措施 {len(result.items)} 条，已完成 {done} 条，逾期 {len(result.overdue)} 条，"
            f"牵头与配合单位说法不一致 {len(result.inconsistent)} 条。"
        ),
    )
    area_header = 4
    last = write_table(
        ws,
        area_header,
        AREA_COLUMNS,
        [[a.number, a.name, a.items, a.done, a.in_progress, a.overdue, a.percent] for a in result.areas],
    )
    unit_header = last + 3
    last_unit = write_table(
        ws,
        unit_header,
        UNIT_COLUMNS,
        [
            [
                n,
                u.unit,
                "已报送" if u.reported else "未报送",
                u.items,
                u.done,
                u.overdue,
                u.percent,
                u.exported_at.strftime("%Y-%m-%d %H:%M") if u.exported_at else "",
                u.case_sent,
            ]
            for n, u in enumerate(result.units, start=1)
        ],
    )
    for row in range(unit_header + 1, last_unit + 1):
        if ws.cell(row=row, column=3).value == "未报送":
            ws.cell(row=row, column=3).fill = OVERDUE_FILL
    measure_header = last_unit + 3
    write_table(
        ws,
        measure_header,
        MEASURE_COLUMNS,
        [[m.number, m.name, m.items, m.done, m.in_progress, m.overdue, m.percent] for m in result.measures],
    )
    if result.areas:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "各领域完成率(%)"
        chart.y_axis.title = "完成率(%)"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.add_data(
            Reference(ws, min_col=7, min_row=area_header, max_row=area_header + len(result.areas)),
            titles_from_data=True,
        )
        chart.set_categories(
            Reference(ws, min_col=2, min_row=area_header + 1, max_row=area_header + len(result.areas))
        )
        chart.legend = None
        chart.height, chart.width = 10, 16
        ws.add_chart(chart, "J4")
    if result.units:
        chart = BarChart()
        chart.type = "col"
        chart.title = "各单位逾期工作措施数"
        chart.add_data(
            Reference(ws, min_col=6, min_row=unit_header, max_row=unit_header + len(result.units)),
            titles_from_data=True,
        )
        chart.set_categories(
            Reference(ws, min_col=2, min_row=unit_header + 1, max_row=unit_header + len(result.units))
        )
        chart.legend = None
        chart.height, chart.width = 10, 28
        ws.add_chart(chart, f"J{unit_header}")
    ws.freeze_panes = "A3"
    print_setup(ws, "1:1")
