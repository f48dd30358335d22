"""Shared xlsx styling: fonts that exist on Chinese Windows, literal text, row heights, printing.

Every report and consolidation goes through these helpers so they look and print alike.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from liaison_app.reports.report_format import EXCEL_DATE, EXCEL_MINUTE, EXCEL_SECOND, normalise_text

# 宋体 ships with every Chinese Windows and WPS; LibreOffice substitutes a CJK font if absent.
BODY_FONT = "宋体"
HEADING_FONT = "黑体"
FONT_SIZE = 10.5
LINE_HEIGHT = 15.0  # points per wrapped line at 10.5 pt

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
OVERDUE_FILL = PatternFill("solid", fgColor="F8CBAD")
DUE_SOON_FILL = PatternFill("solid", fgColor="FFE699")
BODY = Font(name=BODY_FONT, size=FONT_SIZE)
BOLD = Font(name=BODY_FONT, size=FONT_SIZE, bold=True)
TITLE = Font(name=HEADING_FONT, size=16, bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
NO_WRAP = Alignment(vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

FORMULA_STARTS = ("=", "+", "-", "@")


def set_text(cell: Cell, value: str) -> None:
    """Store ``value`` as literal text, never as a formula (``=HYPERLINK(…)`` stays text).

    openpyxl treats any string starting with ``=`` as a formula; forcing the string type and the
    quote prefix makes Excel, WPS and LibreOffice show and keep it as typed.
    """
    if not value:
        cell.value = None  # a truly empty cell: an empty inline string is a needless oddity
        return
    value = normalise_text(value)  # a lone "\r" would come back as "\n" from any reader
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def set_value(cell: Cell, value: Any) -> None:
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value
        if isinstance(value, dt.datetime):
            cell.number_format = EXCEL_SECOND if value.second else EXCEL_MINUTE
        elif isinstance(value, dt.date):
            cell.number_format = EXCEL_DATE


def display_width(text: str) -> float:
    """Width in Excel character units: CJK characters take two."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def lines_needed(text: str, width: float) -> int:
    usable = max(1.0, width - 1.0)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


class CellStyles:
    """Prepared style arrays, copied onto cells in one assignment each.

    Setting ``font``, ``border`` and ``alignment`` one by one makes openpyxl hash and look up
    each style object per cell, which dominates large exports; copying a ready ``StyleArray``
    (what openpyxl itself does when copying cells) costs almost nothing.
    """

    def __init__(self, ws: Worksheet) -> None:
        probe = ws.cell(row=ws.max_row + 1000, column=1)  # a scratch cell, removed below
        self.header = self._make(probe, BOLD, CENTER, HEADER_FILL)
        self.label = self._make(probe, BOLD, WRAP, HEADER_FILL)
        self.wrap = self._make(probe, BODY, WRAP, None)
        self.plain = self._make(probe, BODY, NO_WRAP, None)
        del ws._cells[(probe.row, probe.column)]

    @staticmethod
    def _make(cell: Cell, font: Font, alignment: Alignment, fill: PatternFill | None) -> Any:
        cell.font, cell.alignment, cell.border = font, alignment, BORDER
        cell.fill = fill if fill is not None else PatternFill()
        return copy(cell._style)

    @staticmethod
    def apply(cell: Cell, style: Any) -> None:
        cell._style = copy(style)


def write_table(
    ws: Worksheet, header_row: int, columns: Sequence[tuple[str, float, bool]], rows: Iterable[Sequence[Any]]
) -> int:
    """Header plus rows with borders, fonts, wrapping and explicit row heights.

    LibreOffice does not grow wrapped rows by itself, so each row's height is computed from the
    longest cell. Returns the last row written.
    """
    styles = CellStyles(ws)
    for col, (header, width, _wraps) in enumerate(columns, start=1):
        cell = ws.cell(row=header_row, column=col)
        styles.apply(cell, styles.header)
        set_text(cell, header)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[header_row].height = LINE_HEIGHT * 1.6
    row_number = header_row
    layout = [(width, wraps, styles.wrap if wraps else styles.plain) for _h, width, wraps in columns]
    for row_number, values in enumerate(rows, start=header_row + 1):
        lines = 1
        for col, ((width, wraps, style), value) in enumerate(zip(layout, values, strict=True), start=1):
            cell = ws.cell(row=row_number, column=col)
            styles.apply(cell, style)
            set_value(cell, value)
            if wraps and isinstance(value, str) and value:
                lines = max(lines, lines_needed(value, width))
        ws.row_dimensions[row_number].height = min(409.0, LINE_HEIGHT * lines + 3)
    return row_number


def print_setup(ws: Worksheet, title_rows: str, landscape: bool = True) -> None:
    """A4, fit to page width, header rows on every page, page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = BODY_FONT


def title_row(ws: Worksheet, text: str, columns: int) -> None:
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    cell = ws.cell(row=1, column=1)
    set_text(cell, text)
    cell.font = Font(name=HEADING_FONT, size=13, bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 26
