"""Realistic plan files written for the import tests (task tables as real xlsx, Word files)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

FIXTURES = Path(__file__).parent / "fixtures" / "plans"
NOTICE_TXT = FIXTURES / "nanan-2020-yaodian.txt"
REVISION_OLD, REVISION_NEW = FIXTURES / "revision-old.txt", FIXTURES / "revision-new.txt"

# What the notice (NOTICE_TXT) assigns, per unit: (item, role)
EXPECTED_NOTICE = {
    "区市场监管局": [("1.1", "lead"), ("1.2", "lead")],
    "区税务局": [("1.1", "coop")],
    "区公安分局": [("1.1", "coop")],
    "区大数据发展局": [("1.2", "coop")],
    "区住房城乡建委": [("2.1", "lead"), ("2.2", "lead")],
    "区规划自然资源局": [("2.1", "coop")],
    "经开区建管局": [("2.1", "coop")],
    "区城管局": [("2.2", "coop")],
    "区法院": [("3", "lead")],
    "区司法局": [("3", "lead")],
}

# A 2020-style 任务分解表 as offices circulate them: title rows above a two-row header with
# variant names (编号/重点领域/重点任务/具体措施/责任单位 over 牵头单位|配合单位/时间节点), areas and
# tasks merged over their rows, a lead cell merged over two items, a header repeated at a page
# break, a blank row, an area cell left empty, units separated every which way, an alias, names
# nobody knows yet, a row without units and a deadline nobody can read.
TABLE_2020: list[list[object]] = [
    ["南岸区2020年优化营商环境重点任务分解表", None, None, None, None, None, None],
    [None, None, None, None, None, None, None],
    ["编号", "重点领域", "重点任务", "具体措施", "责任单位", None, "时间节点"],
    [None, None, None, None, "牵头单位", "配合单位", None],
    [
        1,
        "一、开办企业",
        "（一）压缩开办时间",
        "1.推行企业开办“一网通办”，2020年6月底前实现全程网上办理。",
        "区市场监管局",
        "区税务局、区公安分局",
        "2020年6月底前",
    ],
    [
        2,
        None,
        None,
        "2.压缩企业开办时间至2个工作日以内。",
        "区市场监管局",
        "区税务局，区人力社保局",
        dt.datetime(2020, 9, 30),
    ],
    [
        3,
        None,
        "（二）降低开办成本",
        "免费为新开办企业刻制公章。",
        "区市场监管局",
        "区公安分局/区财政局",
        "2020年底前",
    ],
    [4, None, None, "推行税务Ukey免费发放。", None, "区税务局", "长期坚持"],
    ["编号", "重点领域", "重点任务", "具体措施", "牵头单位", "配合单位", "时间节点"],
    [
        5,
        "二、办理建筑许可",
        "（一）优化审批流程",
        "推行工程建设项目审批“一窗受理”。",
        "区住房城乡建委",
        "区规划自然资源局\n区发改委",
        "2020.12",
    ],
    [6, None, "（一）优化审批流程", "推进施工图数字化审查。", "区住房城乡建委；经开区建管局", None, "明年"],
    [None, None, None, None, None, None, None],
    [
        7,
        "三、获得电力",
        "提升供电可靠性",
        "低压小微企业接电时间压缩至10个工作日以内。",
        "南岸供电公司",
        "区政府外办、区城管局",
        "2020年底前",
    ],
    [8, "三、获得电力", "提升供电可靠性", "推行用电报装“零上门”。", None, None, None],
    [
        9,
        "四、政务服务",
        "推进“一网通办”",
        "建设区级政务服务中心“综合窗口”。",
        "区政务服务办",
        "区大数据局",
        "2020年10月底前",
    ],
    [10, "四、政务服务", "推进“一网通办”", "开展政务服务“好差评”工作。", "区营商环境服务中心", None, None],
]
# (first row, last row, column) of the vertical merges, 1-based as Excel shows them.
MERGES_2020 = [(5, 8, 2), (5, 6, 3), (7, 8, 3), (7, 8, 5)]

# Per unit, the items it must see after import (code, role), with the default registry.
EXPECTED_2020 = {
    "区市场监管局": [("1.1", "lead"), ("1.2", "lead"), ("2.1", "lead"), ("2.2", "lead")],
    "区税务局": [("1.1", "coop"), ("1.2", "coop"), ("2.2", "coop")],
    "区公安分局": [("1.1", "coop"), ("2.1", "coop")],
    "区人力社保局": [("1.2", "coop")],
    "区财政局": [("2.1", "coop")],
    "区住房城乡建委": [("3.1", "lead"), ("3.2", "lead")],
    "区规划自然资源局": [("3.1", "coop")],
    "区发改委": [("3.1", "coop")],
    "经开区建管局": [("3.2", "lead")],
    "南岸供电公司": [("4.1", "lead")],
    "区政府外办(区招商投资局)": [("4.1", "coop")],
    "区城管局": [("4.1", "coop")],
    "区政务服务办": [("5.1", "lead")],
    "区大数据局": [("5.1", "coop")],
    "区营商环境服务中心": [("5.2", "lead")],
}
DEADLINES_2020 = {
    "1.1": dt.date(2020, 6, 30),
    "1.2": dt.date(2020, 9, 30),
    "2.1": dt.date(2020, 12, 31),
    "2.2": None,
    "3.1": dt.date(2020, 12, 31),
    "3.2": None,
    "4.1": dt.date(2020, 12, 31),
    "4.2": None,
    "5.1": dt.date(2020, 10, 31),
    "5.2": None,
}


def write_table(
    path: Path,
    rows: list[list[object]],
    merges: list[tuple[int, int, int]] | None = None,
    ranges: tuple[str, ...] = (),
) -> Path:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "任务分解表"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)
    for cell_range in ranges:
        ws.merge_cells(cell_range)
    for first, last, col in merges or []:
        ws.merge_cells(start_row=first, start_column=col, end_row=last, end_column=col)
    workbook.save(path)
    return path


def write_2020_table(path: Path) -> Path:
    return write_table(path, TABLE_2020, MERGES_2020, ranges=("A1:G1", "E3:F3"))


def write_notice_docx(path: Path, text: str | None = None) -> Path:
    import docx

    document = docx.Document()
    for line in (text or NOTICE_TXT.read_text(encoding="utf-8")).splitlines():
        document.add_paragraph(line)
    document.save(str(path))
    return path
