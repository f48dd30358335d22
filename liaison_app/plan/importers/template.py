"""The task table layout the app writes: the empty template and a plan's readable table.

The same layout is read back by :mod:`.table`, so a filled-in template and a published package
both import without any column mapping.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from liaison_app.plan.model import Plan

SHEET_TABLE = "任务分解表"
COLUMNS = ("序号", "领域", "目标任务", "工作措施", "牵头单位", "配合单位", "完成时限")
WIDTHS = (8, 14, 22, 60, 24, 30, 14)
TITLE_ROW, HEADER_ROW = 1, 2
EXAMPLE_ROWS: tuple[tuple[str, ...], ...] = (
    (
        "1.1",
        "一、开办企业",
        "1.精简企业开办流程",
        "推行企业开办全程网上办，2020年6月底前实现一网通办。",
        "区市场监管局",
        "区税务局、区公安分局",
        "2020年6月底前",
    ),
    (
        "1.2",
        "一、开办企业",
        "1.精简企业开办流程",
        "压缩企业开办时间至3个工作日以内。",
        "区市场监管局",
        "区税务局",
        "2020年底前",
    ),
    (
        "2",
        "二、办理建筑许可",
        "2.优化工程建设项目审批",
        "推行并联审批、多图联审。",
        "区住房城乡建委",
        "区规划自然资源局",
        "长期坚持",
    ),
)
NOTES = (
    "填写说明:",
    "1. 每行一条工作措施;序号写成“目标任务号.工作措施号”(如 1.2)，目标任务没有分项时只写目标任务号(如 2)。",
    "2. 领域、目标任务跨多行时可以合并单元格，也可以每行重复填写。",
    "3. 多个单位之间用顿号“、”分隔(逗号、分号、斜杠或换行也可以);单位名称请用全称。",
    "4. 完成时限写“2020年底前”“2020年6月底前”或具体日期;持续性工作写“长期坚持”。",
    "5. 第一行标题写方案全称(如《××区2020年优化营商环境工作要点》任务分解表)，导入时作为方案名称。",
)

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="center")


def _sheet_head(ws: Worksheet, title: str) -> None:
    ws.cell(row=TITLE_ROW, column=1, value=title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=len(COLUMNS))
    for col, (header, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True), start=1):
        cell = ws.cell(row=HEADER_ROW, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)


def template_workbook() -> Workbook:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = SHEET_TABLE
    _sheet_head(ws, "《××区××年优化营商环境工作方案》任务分解表")
    for offset, values in enumerate(EXAMPLE_ROWS, start=HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=offset, column=col, value=value)
            cell.border = _BORDER
            cell.alignment = _WRAP
    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 100
    for row, text in enumerate(NOTES, start=1):
        notes.cell(row=row, column=1, value=text)
    return workbook


def table_rows(plan: Plan) -> list[list[Any]]:
    """The readable rows of ``plan`` in template order (all text, so they read back the same)."""
    rows: list[list[Any]] = []
    for measure in plan.measures:
        area = plan.area_of(measure)
        for item in measure.items:
            rows.append(
                [
                    item.code,
                    f"{area.numeral}、{area.name}",
                    f"{measure.number}.{measure.title}",
                    item.text,
                    "、".join(item.lead),
                    "、".join(item.coop),
                    item.deadline.isoformat() if item.deadline else "",
                ]
            )
    return rows


def write_plan_table(ws: Worksheet, plan: Plan, rows: list[list[Any]]) -> None:
    """The readable task table: area and measure cells merged over their items."""
    ws.title = SHEET_TABLE
    _sheet_head(ws, f"《{plan.name}》任务分解表")
    first = HEADER_ROW + 1
    for offset, values in enumerate(rows):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=first + offset, column=col, value=value)
            cell.border = _BORDER
            cell.alignment = _WRAP
            cell.number_format = "@"
    for col in (2, 3):
        start = 0
        for index in range(1, len(rows) + 1):
            if (
                index == len(rows)
                or rows[index][col - 1] != rows[start][col - 1]
                or (col == 3 and rows[index][1] != rows[start][1])
            ):
                if index - start > 1:
                    ws.merge_cells(
                        start_row=first + start, start_column=col, end_row=first + index - 1, end_column=col
                    )
                start = index
