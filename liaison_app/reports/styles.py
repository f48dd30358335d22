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

from liaison_app.reports.report_format import (
    CONTINUED,
    EXCEL_DATE,
    EXCEL_MINUTE,
    EXCEL_SECOND,
    normalise_text,
)

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


ROW_LIMIT = 409.0  # Excel's (and WPS's) tallest row, in points
# Lines of 10.5 pt text one printed row may hold: a row taller than this is continued on the next
# rows. The margin keeps the text whole when a program wraps a little differently from our estimate.
LINES_PER_ROW = 22


def wrap_lines(text: str, width: float) -> list[str]:
    """``text`` cut into the lines a cell ``width`` characters wide shows (an estimate)."""
    usable = max(1.0, width - 1.0)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for ch in paragraph:
            step = 2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1
            if line and used + step > usable:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += step
        lines.append(line + "\n")
    lines[-1] = lines[-1][:-1]
    return lines


def split_row(
    values: Sequence[Any], columns: Sequence[tuple[str, float, bool]], limit: int = LINES_PER_ROW
) -> list[list[Any]]:
    """One row, or the row and its continuation rows when a wrapped text needs more than ``limit``
    lines. Continuation rows carry ``(续)`` after the first column's value and the rest of the long
    texts; joined back in order, the pieces give every character of the original."""
    pieces: list[list[str] | None] = []
    count = 1
    for (_header, width, wraps), value in zip(columns, values, strict=True):
        if wraps and isinstance(value, str) and value:
            lines = wrap_lines(value, width)
            chunks = ["".join(lines[i : i + limit]) for i in range(0, len(lines), limit)]
            pieces.append(chunks)
            count = max(count, len(chunks))
        else:
            pieces.append(None)
    if count == 1:
        return [list(values)]
    rows = []
    for n in range(count):
        row: list[Any] = []
        for column, (value, piece) in enumerate(zip(values, pieces, strict=True)):
            if piece is not None:
                row.append(piece[n] if n < len(piece) else "")
            elif n == 0:
                row.append(value)
            elif column == 0:
                row.append(f"{value}{CONTINUED}")
            else:
                row.append("")
        rows.append(row)
    return rows


def write_table(
    ws: Worksheet,
    header_row: int,
    columns: Sequence[tuple[str, float, bool]],
    rows: Iterable[Sequence[Any]],
    continued: list[str] | None = None,
) -> int:
    """Header plus rows with borders, fonts, wrapping and explicit row heights.

    LibreOffice does not grow wrapped rows by itself, so each row's height is computed from the
    longest cell. Rows never exceed 409 pt: with ``continued`` (a list), a row whose text would
    not fit goes on over the next rows and its first cell is appended to ``continued``; without
    it (the data sheets, one row per item) the row is as tall as Excel allows. Returns the last
    row written.
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
    for values in rows:
        parts = split_row(values, columns) if continued is not None else [values]
        if len(parts) > 1 and continued is not None:
            continued.append(str(values[0]))
        for part in parts:
            row_number += 1
            lines = 1
            for col, ((width, wraps, style), value) in enumerate(zip(layout, part, strict=True), start=1):
                cell = ws.cell(row=row_number, column=col)
                styles.apply(cell, style)
                set_value(cell, value)
                if wraps and isinstance(value, str) and value:
                    lines = max(lines, lines_needed(value, width))
            ws.row_dimensions[row_number].height = min(ROW_LIMIT, LINE_HEIGHT * lines + 3)
    return row_number


def print_setup(
    ws: Worksheet, title_rows: str | None, landscape: bool = True, fit_width: bool = False
) -> None:
    """A4 at 100 % (text stays 10.5 pt in Excel, WPS and LibreOffice alike: the columns are
    sized to fit the page), header rows on every page, page numbers in a footer that sits inside
    the bottom margin. ``fit_width``: one page wide and one page tall (the cover)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    if fit_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.page_setup.scale = 100
        ws.sheet_properties.pageSetUpPr.fitToPage = False
    if title_rows:
        ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.3 if landscape else 0.5
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.8
    ws.page_margins.header = 0.3
    ws.page_margins.footer = 0.3  # well inside the 0.8 in bottom margin: the footer is never cut
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = BODY_FONT
    ws.oddFooter.center.size = 10


def title_row(ws: Worksheet, text: str, columns: int) -> None:
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    cell = ws.cell(row=1, column=1)
    set_text(cell, text)
    cell.font = Font(name=HEADING_FONT, size=13, bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 26
