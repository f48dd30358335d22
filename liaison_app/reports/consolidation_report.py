"""Writing the office's consolidated workbook (汇总_{YYYY年MM月}_营商环境工作进展.xlsx)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.drawing.text import Font as DrawingFont
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from liaison_app.filenames import safe_name
from liaison_app.reports import promises_sheets
from liaison_app.reports.consolidation import (
    STATUS_COLUMNS,
    Consolidation,
    GroupLine,
    ItemView,
    UnitLine,
    figures,
    status_label,
    total_figures,
)
from liaison_app.reports.styles import (
    BODY,
    BOLD,
    HEADER_FILL,
    LINE_HEIGHT,
    OVERDUE_FILL,
    print_setup,
    set_text,
    title_row,
    write_table,
)
from liaison_app.reports.unit_report import as_date
from liaison_app.reports.workbook_io import save_atomically
from liaison_app.vocabulary import Role, Status, period_label

log = logging.getLogger(__name__)

SHEET_OVERVIEW = "总览"
SHEET_CHASE = "督办清单"
SHEET_MISSING = "未报送单位"
SHEET_DETAIL = "全部明细"
SHEET_CASES = "典型案例汇总"
SHEET_DELIVERABLES = "牵头单位具体措施和调研报告"
SHEET_LOG = "接收记录"

# Every sheet is sized for landscape A4 at 100 % (text stays 10.5 pt): at most about 108 width
# units, the columns a paper reader needs first. Long texts continue on the next rows.
SHEET_CHART_AREAS = "图表-领域"
SHEET_CHART_UNITS = "图表-单位"
_STATUS_COLUMNS = tuple((status_label(status), 6, True) for status in STATUS_COLUMNS)
AREA_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 5, False),
    ("领域", 20, True),
    ("工作措施", 6, True),
    *_STATUS_COLUMNS,
    ("逾期", 6, False),
    ("完成率(%)", 7, True),
)
MEASURE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("编号", 5, False),
    ("目标任务", 20, True),
    *AREA_COLUMNS[2:],
)
# The overview stacks three tables in the same columns: 序号, a wide name, then figures.
UNIT_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 5, False),
    ("单位", 20, True),
    *AREA_COLUMNS[2:],
    ("报表导出时间", 16, False),
    ("本月典型案例", 7, True),
)
CHASE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 5, False),
    ("编号", 6, False),
    ("工作措施", 24, True),
    ("牵头单位", 12, True),
    ("配合单位", 14, True),
    ("完成时限", 11, False),
    ("逾期天数", 6, True),
    ("事项状态", 7, True),
    ("最新进展", 22, True),
)
MISSING_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 5, False),
    ("单位", 24, True),
    ("承担工作措施", 8, True),
    ("其中牵头", 8, True),
    ("其中逾期", 8, True),
    ("说明", 50, True),
)
# The first eight columns print; 领域 and 目标任务 stay on screen only.
DETAIL_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("编号", 6, False),
    ("工作措施", 24, True),
    ("完成时限", 11, False),
    ("事项状态", 7, True),
    ("逾期天数", 6, True),
    ("牵头单位报送情况", 20, True),
    ("配合单位报送情况", 24, True),
    ("不一致", 10, True),
    ("领域", 12, True),
    ("目标任务", 16, True),
)
DETAIL_PRINTED = 8
DELIVERABLE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 5, False),
    ("牵头单位", 24, True),
    ("任务", 10, False),
    ("状态", 10, False),
    ("完成时限", 11, False),
    ("问题", 24, True),
)
CASE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("单位", 14, True),
    ("月份", 8, False),
    ("类型", 5, False),
    ("标题", 16, True),
    ("内容", 36, True),
    ("关联工作措施", 10, True),
    ("附件", 14, True),
)
LOG_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 5, False),
    ("文件", 28, True),
    ("单位", 14, True),
    ("报送期", 8, False),
    ("导出时间", 16, False),
    ("结果", 12, True),
    ("原因", 24, True),
)
CHART_FONT_SIZE = 9  # points: the smallest text on the printed charts


def default_file_name(period: str, lead_scope: str = "") -> str:
    scope = f"{lead_scope}牵头事项_" if lead_scope else ""
    return safe_name(f"汇总_{scope}{period_label(period)}_营商环境工作进展.xlsx", 120)


def _states(view: ItemView, role: Role) -> str:
    return "\n".join(f"{s.unit}【{s.status_label}】{s.note}".rstrip() for s in view.states if s.role is role)


def build_workbook(result: Consolidation, continued: list[str] | None = None) -> Workbook:
    """The 汇总 workbook; ``continued`` collects "sheet: row" of rows continued over several rows."""
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
    _charts(workbook, result)
    found = continued if continued is not None else []
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
                v.item.deadline or "",
                v.overdue_days,
                v.status_label,
                v.latest_note,
            ]
            for n, v in enumerate(result.overdue, start=1)
        ],
        found,
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
            [
                n,
                u.unit,
                u.items,
                sum(1 for v in result.items if u.unit in v.item.lead),
                u.overdue,
                result.missing_reasons.get(u.unit, ""),
            ]
            for n, u in enumerate(missing, start=1)
        ],
        found,
    )
    detail = workbook.create_sheet(SHEET_DETAIL)
    _simple(
        detail,
        f"全部明细(不一致 {len(result.inconsistent)} 条)",
        DETAIL_COLUMNS,
        [
            [
                v.item.id,
                v.item.text,
                v.item.deadline or "",
                v.status_label,
                v.overdue_days or "",
                _states(v, Role.LEAD),
                _states(v, Role.COOP) or "—",
                f"不一致:{v.inconsistent}" if v.inconsistent else "",
                v.item.area_name,
                f"{v.item.measure}.{v.item.measure_title}",
            ]
            for v in result.items
        ],
        found,
        printed=DETAIL_PRINTED,
    )
    flag = DETAIL_COLUMNS.index(("不一致", 10, True)) + 1
    for row in range(3, detail.max_row + 1):
        if detail.cell(row=row, column=flag).value:
            detail.cell(row=row, column=flag).fill = OVERDUE_FILL
    _simple(
        workbook.create_sheet(SHEET_DELIVERABLES),
        f"牵头单位具体措施和调研报告:缺报或逾期 {len(result.deliverable_issues)} 项",
        DELIVERABLE_COLUMNS,
        [
            [n, d.unit, d.label, d.status_label, as_date(d.due), d.problem]
            for n, d in enumerate(result.deliverable_issues, start=1)
        ],
        found,
    )
    if result.cases:
        _simple(
            workbook.create_sheet(SHEET_CASES),
            f"典型案例汇总 {len(result.cases)} 篇",
            CASE_COLUMNS,
            result.cases,
            found,
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
                v.exported_at.replace(microsecond=0) if v.exported_at else "",
                v.verdict.label,
                v.reason,
            ]
            for n, v in enumerate(result.verdicts, start=1)
        ],
        found,
    )
    return workbook


def _totals(lines: Sequence[GroupLine | UnitLine]) -> list[Any]:
    return ["", "合计", *total_figures(lines)]


# Sheets added after the 汇总's own: the office ledger's ranking and trend (reports/ledger_report).
Appendix = Callable[[Workbook], None]


def write_consolidation(result: Consolidation, path: Path, appendix: Appendix | None = None) -> list[str]:
    """Write atomically: a temporary name, flushed, then renamed. Returns the rows whose long
    text was continued over several printed rows ("sheet: first cell")."""
    continued: list[str] = []
    workbook = build_workbook(result, continued)
    if appendix is not None:
        appendix(workbook)
    save_atomically(workbook, path)
    log.info("consolidation for %s written to %s", result.period, path)
    return continued


def _simple(
    ws: Worksheet,
    title: str,
    columns: tuple[tuple[str, float, bool], ...],
    rows: list[list[Any]],
    continued: list[str],
    printed: int = 0,
) -> None:
    title_row(ws, title, printed or len(columns))
    here: list[str] = []
    last = write_table(ws, 2, columns, rows, continued=here)
    continued += [f"{ws.title}:{first}" for first in here]
    ws.freeze_panes = ws.cell(row=3, column=1)
    if rows:
        ws.auto_filter.ref = f"A2:{ws.cell(row=last, column=len(columns)).coordinate}"
    print_setup(ws, "1:2")
    if printed:
        ws.print_area = f"A1:{get_column_letter(printed)}{max(last, 2)}"


def _bold_row(ws: Worksheet, row: int, columns: int) -> None:
    for column in range(1, columns + 1):
        cell = ws.cell(row=row, column=column)
        cell.font = BOLD
        cell.fill = HEADER_FILL


def _overview(ws: Worksheet, result: Consolidation, heading: str) -> None:
    title_row(ws, heading, len(UNIT_COLUMNS))
    ws.row_dimensions[1].height = 34
    reported = sum(u.reported for u in result.units)
    done = sum(v.status is Status.DONE for v in result.items)
    missing = len(result.units) - reported
    note = ws.cell(row=2, column=1)
    set_text(
        note,
        (
            f"应报单位 {len(result.units)} 个，已报送 {reported} 个，未报送 {missing} 个;"
            f"工作措施 {len(result.items)} 条，已完成 {done} 条，逾期 {len(result.overdue)} 条，"
            f"牵头与配合单位说法不一致 {len(result.inconsistent)} 条。"
            f"“未报送”:牵头单位未报送，事项状态无从得知。图表见“{SHEET_CHART_AREAS}”“{SHEET_CHART_UNITS}”表。"
        ),
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(UNIT_COLUMNS))
    note.font = BODY
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[2].height = LINE_HEIGHT * 2 + 4
    area_header = 4
    last = write_table(
        ws,
        area_header,
        AREA_COLUMNS,
        [[a.number, a.name, *figures(a)] for a in result.areas] + [_totals(result.areas)],
    )
    _bold_row(ws, last, len(AREA_COLUMNS))
    unit_header = last + 3
    last_unit = write_table(
        ws,
        unit_header,
        UNIT_COLUMNS,
        [
            [
                n,
                u.unit,
                *figures(u),
                u.exported_at.replace(microsecond=0) if u.exported_at else "未报送",
                u.case_sent,
            ]
            for n, u in enumerate(result.units, start=1)
        ]
        + [[*_totals(result.units), "", ""]],
    )
    _bold_row(ws, last_unit, len(UNIT_COLUMNS))
    exported = len(UNIT_COLUMNS) - 1
    for row in range(unit_header + 1, last_unit):
        if ws.cell(row=row, column=exported).value == "未报送":
            ws.cell(row=row, column=exported).fill = OVERDUE_FILL
    measure_header = last_unit + 3
    last_measure = write_table(
        ws,
        measure_header,
        MEASURE_COLUMNS,
        [[m.number, m.name, *figures(m)] for m in result.measures] + [_totals(result.measures)],
    )
    _bold_row(ws, last_measure, len(MEASURE_COLUMNS))
    ws.freeze_panes = "A3"
    print_setup(ws, "1:1")


def _charts(workbook: Workbook, result: Consolidation) -> None:
    """Horizontal bars sorted by value, every category labelled, one portrait page each."""
    areas = sorted(((a.name, a.percent) for a in result.areas), key=lambda x: -x[1])
    units = sorted(((u.unit, u.overdue) for u in result.units), key=lambda x: -x[1])
    for title, (name_header, value_header), rows, sheet, percent in (
        ("各领域完成率(%)", ("领域", "完成率(%)"), areas, SHEET_CHART_AREAS, True),
        ("各单位逾期工作措施数", ("单位", "逾期(条)"), units, SHEET_CHART_UNITS, False),
    ):
        ws = workbook.create_sheet(sheet)
        title_row(ws, title, 2)
        columns = ((name_header, 20, True), (value_header, 7, True))
        last = write_table(ws, 2, columns, [list(r) for r in rows])
        for row in range(3, last + 1):
            ws.row_dimensions[row].height = 13  # 52 units and the chart fit one page at 100 %
        ws.column_dimensions["C"].width = 2
        if rows:
            ws.add_chart(_bar_chart(ws, title, len(rows), percent), "D2")
        print_setup(ws, "1:2", landscape=False, fit_width=True)


def _axis_text() -> RichText:
    size = CharacterProperties(
        sz=CHART_FONT_SIZE * 100, latin=DrawingFont(typeface=BODY.name), ea=DrawingFont(typeface=BODY.name)
    )
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=size), endParaRPr=size)])


def _bar_chart(ws: Worksheet, title: str, count: int, percent: bool) -> BarChart:
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.add_data(Reference(ws, min_col=2, min_row=2, max_row=2 + count), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=2 + count))
    chart.legend = None
    chart.x_axis.delete = False  # categories: every one labelled, the largest at the top
    chart.x_axis.tickLblSkip = 1
    chart.x_axis.tickMarkSkip = 1
    chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.txPr = _axis_text()
    chart.y_axis.delete = False  # values: whole numbers
    chart.y_axis.scaling.min = 0
    chart.y_axis.number_format = "0"
    chart.y_axis.txPr = _axis_text()
    chart.y_axis.crosses = "max"  # the value axis under the bars, since categories run top-down
    values = [ws.cell(row=r, column=2).value or 0 for r in range(3, 3 + count)]
    if percent:
        chart.y_axis.scaling.max = 100
        chart.y_axis.majorUnit = 20
    else:
        top = max(values) if values else 0
        chart.y_axis.majorUnit = max(1, -(-top // 8))
        chart.y_axis.scaling.max = max(1, top + (-top % chart.y_axis.majorUnit))
    chart.y_axis.majorGridlines = None
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.dataLabels.showSerName = chart.dataLabels.showCatName = False
    chart.dataLabels.showLegendKey = chart.dataLabels.showPercent = False
    chart.dataLabels.txPr = _axis_text()
    chart.gapWidth = 40
    chart.width = 9.5  # cm: the table and the chart side by side on portrait A4 at 100 %
    chart.height = max(7.0, 0.42 * count + 2.5)
    return chart
