"""Writing a unit's progress report (see report_format.py and docs/report-format.md).

Takes plain :class:`ReportData` (the service assembles it) and writes the workbook; no database
here. The SHA-256 in the hidden metadata sheet covers every value written to every other sheet,
the cover included, so the reader can tell a return edited after export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from liaison_app.filenames import safe_name
from liaison_app.reports import promises_sheets
from liaison_app.reports import report_format as fmt
from liaison_app.reports.promises_sheets import Promises
from liaison_app.reports.report_format import normalise_text
from liaison_app.reports.styles import (
    BODY,
    BOLD,
    DUE_SOON_FILL,
    LINE_HEIGHT,
    OVERDUE_FILL,
    TITLE,
    CellStyles,
    lines_needed,
    print_setup,
    set_text,
    set_value,
    split_row,
    title_row,
    write_table,
)
from liaison_app.reports.workbook_io import save_atomically
from liaison_app.signing import Signer
from liaison_app.vocabulary import DeliverableKind, Light, Role, Status, period_label

log = logging.getLogger(__name__)

# Labels written in the sheets -> the stable codes written beside them in the hidden sheets.
STATUS_CODES = {status.label: status.value for status in Status}
LIGHT_CODES = {light.label: light.value for light in Light}
ROLE_CODES = {role.label: role.value for role in Role}

COVER_WIDTHS = (12, 25, 12, 23)  # portrait A4 at 100 % in LibreOffice, Excel and WPS
COVER_TEXT_LIMIT = 150  # characters of a deliverable's note shown on the cover
STATUS_LABELS = tuple(status.label for status in Status)
LEFT_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)


@dataclass(frozen=True)
class ReportRow:
    code: str
    area: str
    measure: str
    text: str
    deadline: str
    lead: str
    coop: str
    role: str
    status: str
    note: str
    completed_on: str
    evidence: str
    light: str
    updated_at: str
    change: str


@dataclass(frozen=True)
class EvidenceLine:
    code: str
    name: str
    size: int
    sha256: str
    period: str
    added_at: str
    description: str


@dataclass(frozen=True)
class CaseLine:
    period: str
    kind: str  # 正面 / 反面
    title: str
    body: str
    related: str
    attachments: str


@dataclass(frozen=True)
class DeliverableLine:
    kind: str  # measures | research
    label: str  # 具体措施 / 调研报告
    due: str
    status: str
    light: str
    note: str
    files: str


@dataclass(frozen=True)
class ReportData:
    plan_id: str
    plan_name: str
    unit: str
    liaison: str
    phone: str
    period: str  # "2019-11"
    as_of: dt.date
    exported_at: dt.datetime
    app_version: str
    rows: list[ReportRow]
    evidence: list[EvidenceLine]
    counts: dict[str, int]
    incomplete: list[tuple[str, str]] = field(default_factory=list)  # (item id, what is missing)
    previous_export: str = ""  # when the unit last reported, "" for the first report
    cases: list[CaseLine] = field(default_factory=list)  # this period's typical cases
    deliverables: list[DeliverableLine] = field(default_factory=list)  # lead units only
    # This installation's key: signs the content hash (version 3). None: an unsigned report.
    signer: Signer | None = field(default=None, repr=False, compare=False)
    plan_revision: int = 1
    email: str = ""  # the liaison's mail address
    promises: Promises = field(default_factory=Promises)  # 指标 and 时间节点 (#15)

    def deliverable_meta(self) -> dict[str, str]:
        found = {d.kind: d for d in self.deliverables}
        meta = {}
        for kind in DeliverableKind:
            line = found.get(kind)
            meta[f"{kind}_status"] = line.status if line else ""
            meta[f"{kind}_due"] = line.due if line else ""
        return meta


def default_file_name(unit: str, period: str) -> str:
    return safe_name(f"{unit}_{period_label(period)}_营商环境工作进展.xlsx", 120)


def as_date(text: str) -> dt.date | dt.datetime | str:
    """``2019-12-31`` as a date, ``2019-11-20 09:30[:00]`` as a date and time; "" stays ""."""
    if not text:
        return ""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
    except ValueError:
        return text  # not a date after all: written as the text it is


DATE_FIELDS = ("deadline", "completed_on", "updated_at")


def detail_values(data: ReportData) -> list[list[Any]]:
    """One list per item, in the column order of 任务进展 (version 3)."""
    found = []
    for seq, row in enumerate(data.rows, start=1):
        values: list[Any] = []
        for header in fmt.DETAIL_HEADERS:
            name = fmt.DETAIL_FIELDS.get(header)
            if name is None:
                values.append(seq)
                continue
            value = getattr(row, name)
            values.append(as_date(value) if name in DATE_FIELDS else normalise_text(value))
        found.append(values)
    return found


def evidence_values(data: ReportData) -> list[list[Any]]:
    return [
        [e.code, e.name, e.size, e.sha256, e.period, as_date(e.added_at), e.description]
        for e in data.evidence
    ]


def code_values(data: ReportData) -> list[list[str]]:
    """The codes behind 本单位职责, 进展状态 and 预警 (labels may be reworded; codes do not change)."""
    return [
        [r.code, ROLE_CODES.get(r.role, ""), STATUS_CODES.get(r.status, ""), LIGHT_CODES.get(r.light, "")]
        for r in data.rows
    ]


def sheet_cells(ws: Any) -> Iterator[tuple[str, Any]]:
    """(reference, value) of every non-empty cell, row by row (write-mode and read-only sheets)."""
    for row in ws.iter_rows():
        for cell in row:
            value = cell.value
            if value is not None and value != "":
                yield cell.coordinate, value


def case_values(data: ReportData) -> list[list[Any]]:
    return [[c.period, c.kind, c.title, c.body, c.related, c.attachments] for c in data.cases]


def _canonical(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def data_hash(
    unit: str,
    period: str,
    as_of: str,
    detail: Sequence[Sequence[Any]],
    evidence: Sequence[Sequence[Any]],
    cases: Sequence[Sequence[Any]] | None = None,
    deliverables: dict[str, str] | None = None,
    promises: Sequence[Sequence[Any]] | None = None,
) -> str:
    """SHA-256 over the report's data as written (and as read back).

    Version 1 covered the detail and evidence rows; version 2 adds the cases and deliverables;
    a report with the 指标 and 时间节点 sheets adds their rows.
    """
    payload: list[Any] = [
        unit,
        period,
        as_of,
        [[_canonical(v) for v in row] for row in detail],
        [[_canonical(v) for v in row] for row in evidence],
    ]
    if cases is not None:
        payload.append([[_canonical(v) for v in row] for row in cases])
        payload.append([deliverables.get(k, "") if deliverables else "" for k in fmt.DELIVERABLE_META_KEYS])
    if promises is not None:
        payload.append([[_canonical(v) for v in row] for row in promises])
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def build_workbook(data: ReportData) -> tuple[Workbook, str]:
    """The report workbook and its content SHA-256 (every sheet but ``_meta``, the cover too)."""
    detail, evidence, cases = detail_values(data), evidence_values(data), case_values(data)
    workbook = Workbook()
    cover = workbook.active
    assert cover is not None
    cover.title = fmt.SHEET_COVER
    _cover(cover, data)
    _detail(workbook.create_sheet(fmt.SHEET_DETAIL), data, detail)
    _evidence(workbook.create_sheet(fmt.SHEET_EVIDENCE), data, evidence)
    _cases(workbook.create_sheet(fmt.SHEET_CASES), data, cases)
    promises_sheets.write_sheets(
        workbook.create_sheet(promises_sheets.SHEET_TARGETS),
        workbook.create_sheet(promises_sheets.SHEET_MILESTONES),
        f"{data.unit} {period_label(data.period)}",
        data.promises,
    )
    if len(data.incomplete) > fmt.COVER_CHECK_LINES:
        _check(workbook.create_sheet(fmt.SHEET_CHECK), data)
    _codes(workbook.create_sheet(fmt.SHEET_CODES), code_values(data))
    meta = meta_values(data)
    digest = fmt.content_hash(meta.items(), [(ws.title, sheet_cells(ws)) for ws in workbook.worksheets])
    signed = {}
    if data.signer is not None:
        signed = {"signing_key": data.signer.public_key, "signature": data.signer.sign(digest)}
    _meta(workbook.create_sheet(fmt.SHEET_META), {**meta, "data_sha256": digest, **signed})
    workbook.active = workbook.sheetnames.index(fmt.SHEET_DETAIL)  # opens on the data
    return workbook, digest


def write_report(data: ReportData, path: Path) -> str:
    """Write atomically (temporary name, flush, rename). Returns the data SHA-256."""
    workbook, digest = build_workbook(data)
    save_atomically(workbook, path)
    log.debug("report workbook of %s written to %s", data.unit, path)
    return digest


# -- sheets -------------------------------------------------------------------------------------
def _pair(ws: Worksheet, styles: CellStyles, row: int, label: str, value: Any, column: int = 1) -> None:
    label_cell = ws.cell(row=row, column=column)
    styles.apply(label_cell, styles.label)
    set_text(label_cell, label)
    value_cell = ws.cell(row=row, column=column + 1)
    styles.apply(value_cell, styles.wrap)
    set_value(value_cell, value)
    value_cell.alignment = LEFT_WRAP  # numbers too: the cover reads as a form


def _cover(ws: Worksheet, data: ReportData) -> None:
    """One portrait A4 page: the figures, the checks, and a signature and seal block."""
    styles = CellStyles(ws)
    for letter, width in zip("ABCD", COVER_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    ws.merge_cells("A1:D1")
    set_text(ws["A1"], fmt.TITLE)
    ws["A1"].font = TITLE
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 44
    counts = data.counts
    rows = cover_pairs(data)
    row = 3
    for left, left_value, right, right_value in rows:
        _pair(ws, styles, row, left, left_value)
        _pair(ws, styles, row, right, right_value, column=3)
        lines = max(
            lines_needed(str(left_value), COVER_WIDTHS[1]), lines_needed(str(right_value), COVER_WIDTHS[3])
        )
        ws.row_dimensions[row].height = max(20.0, LINE_HEIGHT * lines + 4)
        row += 1
    for fill, key, column in ((OVERDUE_FILL, "overdue", 2), (DUE_SOON_FILL, "due_soon", 4)):
        if counts.get(key):
            ws.cell(row=row - 1, column=column).fill = fill
    row += 1
    row = _duties_block(ws, styles, row, data)
    changes = sum(1 for r in data.rows if r.change)
    since = (
        f"较上次报送({data.previous_export})有变化的工作措施 {changes} 条，见“任务进展”表末列"
        if data.previous_export
        else "本单位首次报送"
    )
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    set_text(ws.cell(row=row, column=1), since)
    ws.cell(row=row, column=1).font = BODY
    row += 2
    row = _incomplete_block(ws, styles, row, data.incomplete)
    row += 1
    _signatures(ws, row)
    print_setup(ws, None, landscape=False, fit_width=True)


def cover_pairs(data: ReportData) -> list[tuple[str, Any, str, Any]]:
    """The cover's figures, two (label, value) pairs to a row; the PDF shows the same."""
    counts = data.counts
    return [
        ("工作方案", data.plan_name, "报送期", period_label(data.period)),
        ("填报单位", data.unit, "统计截至", data.as_of),
        ("联络员", data.liaison or "(未填写)", "联系电话", data.phone or "(未填写)"),
        ("导出时间", data.exported_at.replace(microsecond=0), "程序版本", data.app_version),
        ("工作措施总数", counts.get("total", 0), "佐证材料", f"{len(data.evidence)} 个文件"),
        (
            f"其中{Role.LEAD.label}",
            counts.get(Role.LEAD, 0),
            f"其中{Role.COOP.label}",
            counts.get(Role.COOP, 0),
        ),
        *_status_pairs(counts),
        (Status.BLOCKED.label, counts.get(Status.BLOCKED, 0), "完成率", _percent(counts)),
        (fmt.EMAIL_LABEL, data.email or "(未填写)", "逾期完成", counts.get("done_late", 0)),
        ("逾期", counts.get("overdue", 0), "临期(30天内)", counts.get("due_soon", 0)),
        (
            fmt.FINGERPRINT_LABEL,
            data.signer.fingerprint if data.signer else "(未签名)",
            "报表格式",
            f"第 {fmt.FORMAT_VERSION} 版",
        ),
    ]


def _signatures(ws: Worksheet, row: int) -> None:
    """填报人 / 审核人 / 单位负责人 lines, and a box for the seal with 年 月 日 under it."""
    line = Border(bottom=Side(style="thin", color="000000"))
    for left, right in (("填报人(签字):", "审核人(签字):"), ("单位负责人(签字):", "")):
        for column, label in ((1, left), (3, right)):
            if not label:
                continue
            set_text(ws.cell(row=row, column=column), label)
            ws.cell(row=row, column=column).font = BOLD
            ws.cell(row=row, column=column).alignment = Alignment(vertical="bottom")
            ws.cell(row=row, column=column + 1).border = line
        ws.row_dimensions[row].height = 34
        row += 1
    row += 1
    ws.merge_cells(start_row=row, start_column=3, end_row=row + 3, end_column=4)
    set_text(ws.cell(row=row, column=1), "单位(盖章):")
    ws.cell(row=row, column=1).font = BOLD
    ws.cell(row=row, column=1).alignment = Alignment(vertical="top")
    seal = ws.cell(row=row, column=3)
    set_text(seal, "(盖章处)")
    seal.font = Font(name=BODY.name, size=BODY.size, color="A6A6A6")
    seal.alignment = Alignment(horizontal="center", vertical="center")
    dashed = Side(style="dashed", color="808080")
    for r in range(row, row + 4):
        for c in (3, 4):
            ws.cell(row=r, column=c).border = Border(
                left=dashed if c == 3 else None,
                right=dashed if c == 4 else None,
                top=dashed if r == row else None,
                bottom=dashed if r == row + 3 else None,
            )
        ws.row_dimensions[r].height = 26
    row += 4
    ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=4)
    set_text(ws.cell(row=row, column=3), "年      月      日")
    ws.cell(row=row, column=3).font = BOLD
    ws.cell(row=row, column=3).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[row].height = 30


def _duties_block(ws: Worksheet, styles: CellStyles, row: int, data: ReportData) -> int:
    """This month's typical cases and, for a lead unit, its 具体措施 and 调研报告."""
    cases = f"{len(data.cases)} 篇(见“典型案例”表)" if data.cases else "本月尚未报送(每月至少一篇)"
    _pair(ws, styles, row, "本月典型案例", cases)
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
    if not data.cases:
        ws.cell(row=row, column=2).fill = DUE_SOON_FILL
    row += 1
    for line in data.deliverables:
        text = f"{line.status}(完成时限 {line.due}，{line.light})"
        if line.note:
            text += f";{line.note}"
        if line.files:
            text += f";附件:{line.files}"
        if len(text) > COVER_TEXT_LIMIT:  # the cover stays one page
            text = text[: COVER_TEXT_LIMIT - 1] + "…"
        _pair(ws, styles, row, line.label, text)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        ws.row_dimensions[row].height = max(20.0, LINE_HEIGHT * lines_needed(text, sum(COVER_WIDTHS[1:])) + 4)
        if line.light == "逾期":
            ws.cell(row=row, column=2).fill = OVERDUE_FILL
        row += 1
    return row + 1


def _incomplete_block(ws: Worksheet, styles: CellStyles, row: int, incomplete: list[tuple[str, str]]) -> int:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    heading = ws.cell(row=row, column=1)
    if not incomplete:
        set_text(heading, "导出前检查:未发现不完整的条目。")
        heading.font = BODY
        return row + 1
    if len(incomplete) > fmt.COVER_CHECK_LINES:
        # the cover stays one page: the count and the kinds here, every item on its own sheet
        kinds = Counter(reason for _code, reason in incomplete)
        set_text(
            heading,
            f"导出前检查:{len(incomplete)} 条在导出时尚不完整(填报单位已知悉)，逐条见“{fmt.SHEET_CHECK}”表:",
        )
        heading.font = BOLD
        row += 1
        for reason, count in kinds.most_common(fmt.COVER_CHECK_LINES):
            _pair(ws, styles, row, f"{count} 条", reason)
            row += 1
        return row
    set_text(heading, f"导出前检查:以下 {len(incomplete)} 条在导出时尚不完整(填报单位已知悉):")
    heading.font = BOLD
    row += 1
    for code, reason in incomplete:  # no merged cells here: openpyxl merges cost O(n) each
        _pair(ws, styles, row, code, reason)
        row += 1
    return row


def _check(ws: Worksheet, data: ReportData) -> None:
    columns = (("编号", 12, True), ("导出时尚不完整之处", 60, True))
    title_row(ws, f"{data.unit} 导出前检查(共 {len(data.incomplete)} 条)", len(columns))
    write_table(ws, 2, columns, [list(pair) for pair in data.incomplete])
    print_setup(ws, "1:2", landscape=False)


def continued_items(data: ReportData) -> list[str]:
    """Items whose text is too long for one printed row: 任务进展 continues them on the next rows."""
    return [
        str(values[0]) for values in detail_values(data) if len(split_row(values, fmt.DETAIL_COLUMNS)) > 1
    ]


def _light_fill(cell: Any) -> None:
    if cell.value == "逾期":
        cell.fill = OVERDUE_FILL
        cell.font = Font(name=BODY.name, size=BODY.size, bold=True, color="9C0006")
    elif cell.value == "临期":
        cell.fill = DUE_SOON_FILL


def _status_pairs(counts: dict[str, int]) -> list[tuple[str, Any, str, Any]]:
    """The cover's status counts, two to a row, in the vocabulary's order (blocked last)."""
    shown = [s for s in Status if s is not Status.BLOCKED]
    return [
        (left.label, counts.get(left, 0), right.label, counts.get(right, 0))
        for left, right in zip(shown[::2], shown[1::2], strict=True)
    ]


def _percent(counts: dict[str, int]) -> str:
    total = counts.get("total", 0)
    return f"{round(100 * counts.get('done', 0) / total)}%" if total else "—"


def _detail(ws: Worksheet, data: ReportData, detail: list[list[Any]]) -> None:
    columns = len(fmt.DETAIL_COLUMNS)
    title_row(
        ws,
        f"{data.unit}  {period_label(data.period)}工作进展(统计截至 {data.as_of.isoformat()})",
        fmt.DETAIL_PRINTED,
    )
    last = write_table(ws, fmt.DETAIL_HEADER_ROW, fmt.DETAIL_COLUMNS, detail, continued=[])
    first = fmt.DETAIL_HEADER_ROW + 1
    ws.freeze_panes = ws.cell(row=first, column=2)
    ws.auto_filter.ref = f"A{fmt.DETAIL_HEADER_ROW}:{get_column_letter(columns)}{max(last, first)}"
    status = get_column_letter(fmt.STATUS_COLUMN)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(STATUS_LABELS) + '"',
        allow_blank=False,
        showDropDown=False,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="进展状态",
        error="请从下拉列表中选择:" + "、".join(STATUS_LABELS),
        promptTitle="进展状态",
        prompt="请从下拉列表中选择",
        showInputMessage=True,
    )
    validation.add(f"{status}{first}:{status}{max(last, first)}")
    ws.add_data_validation(validation)
    light = get_column_letter(fmt.LIGHT_COLUMN)
    for row_number in range(first, last + 1):
        _light_fill(ws[f"{light}{row_number}"])
    print_setup(ws, f"{fmt.DETAIL_HEADER_ROW - 1}:{fmt.DETAIL_HEADER_ROW}")
    ws.print_area = (
        f"A1:{get_column_letter(fmt.DETAIL_PRINTED)}{max(last, first)}"  # the rest stays on screen
    )


def _evidence(ws: Worksheet, data: ReportData, evidence: list[list[Any]]) -> None:
    title_row(ws, f"{data.unit} 佐证材料清单(共 {len(evidence)} 个文件)", len(fmt.EVIDENCE_COLUMNS))
    last = write_table(ws, fmt.EVIDENCE_HEADER_ROW, fmt.EVIDENCE_COLUMNS, evidence)
    ws.freeze_panes = ws.cell(row=fmt.EVIDENCE_HEADER_ROW + 1, column=1)
    columns = get_column_letter(len(fmt.EVIDENCE_COLUMNS))
    ws.auto_filter.ref = f"A{fmt.EVIDENCE_HEADER_ROW}:{columns}{max(last, fmt.EVIDENCE_HEADER_ROW + 1)}"
    print_setup(ws, f"{fmt.EVIDENCE_HEADER_ROW - 1}:{fmt.EVIDENCE_HEADER_ROW}")


def _cases(ws: Worksheet, data: ReportData, cases: list[list[Any]]) -> None:
    title_row(
        ws, f"{data.unit} {period_label(data.period)}典型案例(共 {len(cases)} 篇)", len(fmt.CASE_COLUMNS)
    )
    last = write_table(ws, fmt.CASE_HEADER_ROW, fmt.CASE_COLUMNS, cases)
    ws.freeze_panes = ws.cell(row=fmt.CASE_HEADER_ROW + 1, column=1)
    if cases:
        columns = get_column_letter(len(fmt.CASE_COLUMNS))
        ws.auto_filter.ref = f"A{fmt.CASE_HEADER_ROW}:{columns}{last}"
    print_setup(ws, f"{fmt.CASE_HEADER_ROW - 1}:{fmt.CASE_HEADER_ROW}")


def meta_values(data: ReportData) -> dict[str, str]:
    """The hidden metadata, without the hash (written after it)."""
    deliverables = data.deliverable_meta()
    return {
        "format": fmt.FORMAT_NAME,
        "format_version": str(fmt.FORMAT_VERSION),
        "plan_id": data.plan_id,
        "plan_name": data.plan_name,
        "unit": data.unit,
        "period": data.period,
        "as_of": data.as_of.isoformat(),
        "exported_at": data.exported_at.isoformat(sep=" "),
        "app_version": data.app_version,
        "liaison": normalise_text(data.liaison),
        "phone": normalise_text(data.phone),
        **deliverables,
        "measures_status_code": STATUS_CODES.get(deliverables["measures_status"], ""),
        "research_status_code": STATUS_CODES.get(deliverables["research_status"], ""),
        "plan_revision": str(data.plan_revision),
    }


def _meta(ws: Worksheet, values: dict[str, str]) -> None:
    known: tuple[str, ...] = (
        *fmt.META_KEYS,
        *fmt.DELIVERABLE_META_KEYS,
        *fmt.DELIVERABLE_CODE_KEYS,
        *fmt.PLAN_META_KEYS,
    )
    keys = known + tuple(k for k in values if k not in known)
    for row, key in enumerate(keys, start=1):
        set_text(ws.cell(row=row, column=1), key)
        set_text(ws.cell(row=row, column=2), values.get(key, ""))
    _hide(ws)


def _codes(ws: Worksheet, rows: list[list[str]]) -> None:
    for column, header in enumerate(fmt.CODE_HEADERS, start=1):
        set_text(ws.cell(row=1, column=column), header)
    for row_number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            set_text(ws.cell(row=row_number, column=column), value)
    _hide(ws)


def _hide(ws: Worksheet) -> None:
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    ws.protection.password = "liaison-app"  # deters casual edits; the hash detects the rest
