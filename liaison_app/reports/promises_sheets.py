"""What the plan promises, in the workbooks: the unit report's 指标 and 时间节点 sheets, and in
the office's 汇总 the 指标完成情况 sheet and the 督办清单's 未达标 targets and overdue milestones.

One module for both ends so the columns are defined once: the unit report writes the sheets,
:func:`read_promises` reads them back, and :func:`summarize` turns the received reports into the
office's figures. Numbers are written as text exactly as stored (``99.960`` stays ``99.960``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from liaison_app.reports.styles import OVERDUE_FILL, print_setup, set_text, title_row, write_table
from liaison_app.vocabulary import Attainment

SHEET_TARGETS = "指标"
SHEET_MILESTONES = "时间节点"
SHEET_TARGET_SUMMARY = "指标完成情况"
HEADER_ROW = 2

TARGET_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("编号", 9, False),
    ("指标", 40, True),
    ("目标", 16, False),
    ("基线", 12, False),
    ("实际", 12, False),
    ("达标", 8, False),
    ("报送期", 9, False),
    ("来源", 24, True),
)
TARGET_HEADERS = tuple(c[0] for c in TARGET_COLUMNS)
MILESTONE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("编号", 7, False),
    ("序号", 6, False),
    ("时限", 11, False),
    ("时间节点", 60, True),
    ("完成日期", 11, False),
)
MILESTONE_HEADERS = tuple(c[0] for c in MILESTONE_COLUMNS)
AREA_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 6, False),
    ("领域", 22, True),
    ("指标", 8, False),
    ("达标", 8, False),
    ("未达标", 8, False),
    ("未填报", 8, False),
)
UNMET_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 6, False),
    ("编号", 9, False),
    ("指标", 40, True),
    ("目标", 16, False),
    ("实际", 12, False),
    ("报送期", 9, False),
    ("牵头单位", 18, True),
)
LATE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 6, False),
    ("编号", 7, False),
    ("时间节点", 44, True),
    ("时限", 11, False),
    ("逾期天数", 9, False),
    ("单位", 18, True),
)


@dataclass(frozen=True)
class TargetLine:
    code: str  # "13-t1"
    text: str
    goal: str  # "≥ 99.96 %"
    baseline: str
    actual: str  # "" when nothing was reported
    attainment: str  # 达标 / 未达标 / 未填报
    period: str
    source: str

    @property
    def item(self) -> str:
        return self.code.rsplit("-t", 1)[0]

    def values(self) -> list[str]:
        return [
            self.code,
            self.text,
            self.goal,
            self.baseline,
            self.actual,
            self.attainment,
            self.period,
            self.source,
        ]


@dataclass(frozen=True)
class MilestoneLine:
    code: str  # the item
    number: int
    date: str
    text: str
    done_on: str  # "" while open

    def values(self) -> list[Any]:
        return [self.code, self.number, self.date, self.text, self.done_on]


@dataclass(frozen=True)
class Promises:
    targets: list[TargetLine] = field(default_factory=list)
    milestones: list[MilestoneLine] = field(default_factory=list)

    def hash_rows(self) -> list[list[Any]]:
        """What the report's hash covers of these sheets."""
        return [t.values() for t in self.targets] + [m.values() for m in self.milestones]


# -- the unit report ----------------------------------------------------------------------------
def write_sheets(targets_ws: Worksheet, milestones_ws: Worksheet, title: str, promises: Promises) -> None:
    _table(targets_ws, f"{title} 量化指标(共 {len(promises.targets)} 项)", TARGET_COLUMNS,
           [t.values() for t in promises.targets])  # fmt: skip
    for row, line in enumerate(promises.targets, start=HEADER_ROW + 1):
        if line.attainment == Attainment.NOT_MET.label:
            targets_ws.cell(row=row, column=TARGET_HEADERS.index("达标") + 1).fill = OVERDUE_FILL
    _table(milestones_ws, f"{title} 时间节点(共 {len(promises.milestones)} 个)", MILESTONE_COLUMNS,
           [m.values() for m in promises.milestones])  # fmt: skip


Columns = tuple[tuple[str, float, bool], ...]


def _table(ws: Worksheet, title: str, columns: Columns, rows: list[list[Any]]) -> int:
    title_row(ws, title, len(columns))
    last = write_table(ws, HEADER_ROW, columns, rows)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    if rows:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{ws.cell(row=last, column=len(columns)).coordinate}"
    print_setup(ws, f"1:{HEADER_ROW}")
    return last


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(ws: Any, headers: Sequence[str], check: Callable[[], None]) -> list[list[str]]:
    rows = ws.iter_rows(min_row=HEADER_ROW, max_col=len(headers), values_only=True)
    found = next(rows, None)
    if found is None or [_text(v) for v in found[: len(headers)]] != list(headers):
        return []
    table = []
    for number, row in enumerate(rows):
        if number % 256 == 0:
            check()  # the reader's time and cancel budget
        if row and any(v not in (None, "") for v in row):
            table.append([_text(v) for v in (*row, *[None] * len(headers))[: len(headers)]])
    return table


def _unlimited() -> None:
    return None


def read_promises(workbook: Any, check: Callable[[], None] = _unlimited) -> Promises | None:
    """The 指标 and 时间节点 sheets of a report, or None when it has none (an older report)."""
    names = workbook.sheetnames
    if SHEET_TARGETS not in names or SHEET_MILESTONES not in names:
        return None
    targets = [TargetLine(*row) for row in _rows(workbook[SHEET_TARGETS], TARGET_HEADERS, check)]
    milestones = []
    for code, number, date, text, done_on in _rows(workbook[SHEET_MILESTONES], MILESTONE_HEADERS, check):
        try:
            milestones.append(MilestoneLine(code, int(number), date, text, done_on))
        except ValueError:
            milestones.append(MilestoneLine(code, 0, date, text, done_on))  # edited: the hash says so
    return Promises(targets, milestones)


# -- the office's 汇总 --------------------------------------------------------------------------
@dataclass(frozen=True)
class AreaTargets:
    area: int
    name: str
    targets: int
    met: int
    not_met: int
    missing: int


@dataclass(frozen=True)
class UnmetTarget:
    line: TargetLine
    unit: str


@dataclass(frozen=True)
class LateMilestone:
    line: MilestoneLine
    unit: str
    days: int


@dataclass(frozen=True)
class PromisesSummary:
    areas: list[AreaTargets]
    unmet: list[UnmetTarget]
    late: list[LateMilestone]


def unit_due(promises: Promises | None, entry: Any) -> dt.date | None:
    """The date a unit's light follows on an item, as the office sees it: its next open milestone
    (from the unit's report; every milestone is open without one), else the item's deadline."""
    milestones = getattr(entry, "milestones", ())
    if not milestones:
        return entry.deadline  # type: ignore[no-any-return]
    done = {m.number for m in promises.milestones if m.code == entry.id and m.done_on} if promises else set()
    open_dates = [m.date for number, m in enumerate(milestones, start=1) if number not in done]
    return min(open_dates) if open_dates else entry.deadline  # type: ignore[no-any-return]


def summarize(
    reports: dict[str, Promises | None],
    entries: Iterable[Any],
    as_of: dt.date,
) -> PromisesSummary:
    """Per area, the plan's targets of ``entries`` (catalogue items in scope) by what their lead
    units reported; the 未达标 targets; and every open milestone past its date in a received
    report. A target no lead unit reported on is 未填报."""
    reported: dict[str, tuple[TargetLine, str]] = {}
    for unit, promises in reports.items():
        for line in promises.targets if promises else []:
            if line.attainment == Attainment.MISSING.label:
                continue
            known = reported.get(line.code)
            if known is None or (line.period, line.attainment) > (known[0].period, known[0].attainment):
                reported[line.code] = (line, unit)
    areas: dict[int, list[Any]] = {}
    unmet: list[UnmetTarget] = []
    in_scope: set[str] = set()
    for entry in entries:
        in_scope.add(entry.id)
        counts = areas.setdefault(entry.area, [entry.area_name, 0, 0, 0, 0])
        for target in getattr(entry, "targets", ()):
            counts[1] += 1
            found = reported.get(target.id)
            if found is None:
                counts[4] += 1
            elif found[0].attainment == Attainment.MET.label:
                counts[2] += 1
            else:
                counts[3] += 1
                unmet.append(UnmetTarget(found[0], found[1]))
    late = []
    for unit, promises in reports.items():
        for m in promises.milestones if promises else []:
            if m.done_on or m.code not in in_scope:
                continue
            try:
                due = dt.date.fromisoformat(m.date)
            except ValueError:
                continue
            if due < as_of:
                late.append(LateMilestone(m, unit, (as_of - due).days))
    late.sort(key=lambda x: (-x.days, x.line.code, x.unit))
    return PromisesSummary(
        [AreaTargets(a, v[0], v[1], v[2], v[3], v[4]) for a, v in sorted(areas.items()) if v[1]],
        unmet,
        late,
    )


def write_summary_sheet(ws: Worksheet, summary: PromisesSummary) -> None:
    """指标完成情况: per area, the targets and how many were met, not met, not reported."""
    totals = [sum(getattr(a, k) for a in summary.areas) for k in ("targets", "met", "not_met", "missing")]
    rows: list[list[Any]] = [
        [n, a.name, a.targets, a.met, a.not_met, a.missing] for n, a in enumerate(summary.areas, start=1)
    ]
    rows.append(["", "合计", *totals])
    _table(ws, f"指标完成情况:{totals[0]} 项指标，达标 {totals[1]}，未达标 {totals[2]}，未填报 {totals[3]}",
           AREA_COLUMNS, rows)  # fmt: skip


def append_to_chase(ws: Worksheet, summary: PromisesSummary) -> None:
    """Below the overdue items of the 督办清单: the 未达标 targets, then the overdue milestones."""
    row = ws.max_row + 2
    set_text(ws.cell(row=row, column=1), f"未达标指标 {len(summary.unmet)} 项")
    last = write_table(
        ws,
        row + 1,
        UNMET_COLUMNS,
        [
            [n, u.line.code, u.line.text, u.line.goal, u.line.actual, u.line.period, u.unit]
            for n, u in enumerate(summary.unmet, start=1)
        ],
    )
    row = last + 2
    set_text(ws.cell(row=row, column=1), f"逾期未完成的时间节点 {len(summary.late)} 个")
    write_table(
        ws,
        row + 1,
        LATE_COLUMNS,
        [
            [n, f"{x.line.code} 第{x.line.number}个", x.line.text, x.line.date, x.days, x.unit]
            for n, x in enumerate(summary.late, start=1)
        ],
    )
