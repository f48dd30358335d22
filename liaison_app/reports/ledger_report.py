"""The office ledger's paper: one 催办通知 per unit to chase, and the monthly 通报.

Both are print-ready like the other reports (A4, 宋体 10.5 pt, header rows repeated, page
numbers) and written atomically. The figures come from :class:`OfficeLedger` only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import DataBarRule
from openpyxl.worksheet.worksheet import Worksheet

from liaison_app.filenames import safe_name
from liaison_app.reports.styles import print_setup, set_text, title_row, write_table
from liaison_app.reports.workbook_io import save_atomically
from liaison_app.store.ledger import OfficeLedger, OverdueLine, RankLine, TrendPoint
from liaison_app.store.ledger_register import RegisterLine, RegisterState
from liaison_app.vocabulary import period_label

NOT_IN = (RegisterState.MISSING, RegisterState.MODIFIED, RegisterState.REJECTED)


@dataclass(frozen=True)
class Reminder:
    unit: str
    state: RegisterLine
    overdue: list[OverdueLine]
    liaison: str
    phone: str
    email: str


def reminders(ledger: OfficeLedger, period: str) -> list[Reminder]:
    """Units to chase in ``period``: no usable return, a late one, or items marked 逾期."""
    overdue: dict[str, list[OverdueLine]] = {}
    for item in ledger.overdue(period):
        overdue.setdefault(item.unit, []).append(item)
    found = []
    for line in ledger.register(period):
        if line.state in NOT_IN or line.state == RegisterState.LATE or overdue.get(line.unit):
            contact = ledger.contact(line.unit)
            found.append(
                Reminder(
                    line.unit,
                    line,
                    overdue.get(line.unit, []),
                    contact.name,
                    contact.phone,
                    contact.email,
                )
            )
    return found


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def reminder_file_name(unit: str, period: str) -> str:
    return safe_name(f"催办通知-{unit}-{period}.xlsx")


def write_reminders(
    ledger: OfficeLedger,
    period: str,
    folder: Path,
    by: dt.date,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Path]:
    """One 催办通知 workbook per unit to chase, in ``folder``; the paths written. Cancel is
    checked before each unit (InterruptedError): the notices written so far stay, whole."""
    folder.mkdir(parents=True, exist_ok=True)
    due = ledger.due_on(period)
    written: list[Path] = []
    chased = reminders(ledger, period)
    for number, reminder in enumerate(chased, start=1):
        if cancelled is not None and cancelled():
            raise InterruptedError(f"已取消:已生成 {len(written)} 份催办通知，其余未生成")
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "催办通知"
        title_row(ws, f"催办通知({period_label(period)})", 5)
        lines = [
            ("单位", reminder.unit),
            (
                "联络员",
                " ".join(p for p in (reminder.liaison, reminder.phone, reminder.email) if p)
                or "(未留联系方式)",
            ),
            ("报送截止日期", f"{due:%Y-%m-%d}"),
        ]
        state = reminder.state
        if state.state in NOT_IN:
            lines.append(("报送情况", f"{state.state}:请报送{period_label(period)}的工作进展报表"))
        elif state.state == RegisterState.LATE:
            lines.append(("报送情况", f"迟报 {state.days_late} 天(收到于 {state.received_at:%Y-%m-%d})"))
        else:
            lines.append(("报送情况", "按时"))
        if reminder.overdue:
            lines.append(("逾期事项", f"{len(reminder.overdue)} 条，见下表"))
        lines.append(("请于此日期前办理", f"{by:%Y-%m-%d}"))
        for row, (label, value) in enumerate(lines, start=3):
            set_text(ws.cell(row=row, column=1), label)
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
            set_text(ws.cell(row=row, column=2), value)
        header = 3 + len(lines) + 1
        # portrait A4 at 100 %: the columns add up to the printable width (about 72 characters)
        write_table(
            ws,
            header,
            (
                ("编号", 16, False),
                ("工作措施", 23, True),
                ("完成时限", 11, False),
                ("进展状态", 8, True),
                ("进展情况", 14, True),
            ),
            [
                (
                    o.code,
                    o.text,
                    f"{o.deadline:%Y-%m-%d}" if o.deadline else "",
                    o.status.label if o.status else "",
                    o.note,
                )
                for o in reminder.overdue
            ],
        )
        print_setup(ws, f"{header}:{header}", landscape=False)
        path = folder / reminder_file_name(reminder.unit, period)
        save_atomically(wb, path)
        written.append(path)
        if progress is not None:
            progress(number, len(chased))
    return written


@dataclass(frozen=True)
class Headline:
    units: int
    counts: dict[str, int]  # RegisterState word → units
    completion: float
    overdue: int
    schedule: float
    overdue_milestones: int = 0


def headline(ledger: OfficeLedger, period: str) -> Headline:
    register = ledger.register(period)
    counts = {state: sum(line.state == state for line in register) for state in RegisterState.ALL}
    point = next((p for p in ledger.trend() if p.figures.period == period), None)
    if point is None:
        return Headline(len(register), counts, 0.0, 0, 0.0)
    f = point.figures
    return Headline(len(register), counts, f.completion, f.overdue, f.schedule, f.overdue_milestones)


BULLETIN_STEPS = 7


def write_bulletin(
    ledger: OfficeLedger,
    period: str,
    path: Path,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> None:
    """The monthly 通报: 概况, 排名, 督办清单, 迟报未报, 典型案例, 环比 (one sheet each).
    Nothing is written until every sheet is made; cancel (InterruptedError) writes nothing."""
    step = 0

    def done_one() -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(step, BULLETIN_STEPS)
        if cancelled is not None and cancelled():
            raise InterruptedError("已取消:通报没有生成")

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "概况"
    title_row(ws, f"营商环境优化提升工作通报({period_label(period)})", 2)
    head = headline(ledger, period)
    rows: list[tuple[str, object]] = [("应报单位", head.units)]
    rows += [(f"{state}单位", count) for state, count in head.counts.items()]
    rows += [
        ("完成率", _percent(head.completion)),
        ("逾期事项", head.overdue),
        ("逾期时间节点", head.overdue_milestones),
        ("序时进度", _percent(head.schedule)),
    ]
    write_table(ws, 2, (("项目", 20, False), ("数值", 20, False)), rows)
    print_setup(ws, "2:2", landscape=False)
    done_one()

    ranking = wb.create_sheet("排名")
    title_row(ranking, f"单位排名(按序时进度，再按逾期数)  {period_label(period)}", 7)
    write_table(
        ranking,
        2,
        (
            ("名次", 6, False),
            ("单位", 20, True),
            ("序时进度", 11, False),
            ("完成率", 11, False),
            ("逾期", 8, False),
            ("逾期节点", 8, False),
            ("事项", 8, False),
        ),
        [
            (
                r.rank,
                r.unit,
                _percent(r.figures.schedule),
                _percent(r.figures.completion),
                r.figures.overdue,
                r.figures.overdue_milestones,
                r.figures.items,
            )
            for r in ledger.ranking(period)
        ],
    )
    print_setup(ranking, "2:2", landscape=False)
    done_one()

    chase = wb.create_sheet("督办清单")
    title_row(chase, f"督办清单(逾期事项)  {period_label(period)}", 6)
    write_table(
        chase,
        2,
        (
            ("单位", 16, True),
            ("编号", 7, False),
            ("工作措施", 38, True),
            ("完成时限", 11, False),
            ("进展状态", 9, False),
            ("进展情况", 28, True),
        ),
        [
            (
                o.unit,
                o.code,
                o.text,
                f"{o.deadline:%Y-%m-%d}" if o.deadline else "",
                o.status.label if o.status else "",
                o.note,
            )
            for o in ledger.overdue(period)
        ],
    )
    print_setup(chase, "2:2")
    done_one()

    late = wb.create_sheet("迟报未报")
    title_row(late, f"迟报、未报单位  {period_label(period)}(截止 {ledger.due_on(period):%Y-%m-%d})", 4)
    write_table(
        late,
        2,
        (("单位", 24, True), ("报送情况", 12, False), ("迟报天数", 10, False), ("收到时间", 18, False)),
        [
            (
                line.unit,
                line.state,
                line.days_late or "",
                f"{line.received_at:%Y-%m-%d %H:%M}" if line.received_at else "",
            )
            for line in ledger.register(period)
            if line.state != RegisterState.ON_TIME
        ],
    )
    print_setup(late, "2:2", landscape=False)
    done_one()

    received = wb.create_sheet("典型案例")
    title_row(received, f"收到的典型案例  {period_label(period)}", 5)
    cases = ledger.cases(period)
    write_table(
        received,
        2,
        (
            ("序号", 6, False),
            ("单位", 16, True),
            ("类型", 6, False),
            ("标题", 26, True),
            ("内容", 52, True),
        ),
        [(n, c.unit, c.kind.label, c.title, c.body) for n, c in enumerate(cases, start=1)],
    )
    print_setup(received, "2:2")
    done_one()

    changes = wb.create_sheet("环比")
    title_row(changes, f"与上期相比  {period_label(period)}", 6)
    write_table(
        changes,
        2,
        (
            ("报送期", 10, False),
            ("完成率", 11, False),
            ("环比(百分点)", 13, False),
            ("逾期事项", 9, False),
            ("逾期节点", 9, False),
            ("序时进度", 11, False),
        ),
        [
            (
                p.figures.period,
                _percent(p.figures.completion),
                "—" if p.change is None else f"{p.change * 100:+.1f}",
                p.figures.overdue,
                p.figures.overdue_milestones,
                _percent(p.figures.schedule),
            )
            for p in ledger.trend()
            if p.figures.period <= period
        ],
    )
    print_setup(changes, "2:2", landscape=False)
    done_one()
    save_atomically(wb, path)
    if progress is not None:
        progress(BULLETIN_STEPS, BULLETIN_STEPS)


# -- the ledger's ranking and trend in the 汇总 ---------------------------------------------------
SHEET_RANKING = "台账排名"
SHEET_TREND = "台账趋势"
BAR_COLOR = "8FB8E0"  # the office window's bars


def _bars(ws: Worksheet, columns: str, first: int, last: int) -> None:
    """Percentages as numbers (0.0 %) with a data bar in each cell: the xlsx's own small bars."""
    for column in columns:
        for row in range(first, last + 1):
            ws[f"{column}{row}"].number_format = "0.0%"
        if last >= first:
            ws.conditional_formatting.add(
                f"{column}{first}:{column}{last}",
                DataBarRule(start_type="num", start_value=0, end_type="num", end_value=1, color=BAR_COLOR),
            )


def write_ranking_sheets(wb: Workbook, period: str, ranking: list[RankLine], trend: list[TrendPoint]) -> None:
    """单位排名 (by 序时进度, then overdue) of ``period`` and the trend up to it, from the ledger."""
    ranked = wb.create_sheet(SHEET_RANKING)
    title_row(ranked, f"单位排名(办公室台账，按序时进度，再按逾期数)  {period_label(period)}", 7)
    last = write_table(
        ranked,
        2,
        (
            ("名次", 6, False),
            ("单位", 20, True),
            ("序时进度", 11, False),
            ("完成率", 11, False),
            ("逾期事项", 8, False),
            ("逾期节点", 9, False),
            ("事项", 6, False),
        ),
        [
            (
                r.rank,
                r.unit,
                r.figures.schedule,
                r.figures.completion,
                r.figures.overdue,
                r.figures.overdue_milestones,
                r.figures.items,
            )
            for r in ranking
        ],
    )
    _bars(ranked, "CD", 3, last)
    print_setup(ranked, "2:2", landscape=False)
    trend_ws = wb.create_sheet(SHEET_TREND)
    title_row(trend_ws, f"各月趋势(办公室台账，截至 {period_label(period)})", 6)
    points = [p for p in trend if p.figures.period <= period]
    last = write_table(
        trend_ws,
        2,
        (
            ("报送期", 10, False),
            ("完成率", 12, False),
            ("环比(百分点)", 13, False),
            ("逾期事项", 9, False),
            ("逾期节点", 9, False),
            ("序时进度", 12, False),
        ),
        [
            (
                p.figures.period,
                p.figures.completion,
                "—" if p.change is None else f"{p.change * 100:+.1f}",
                p.figures.overdue,
                p.figures.overdue_milestones,
                p.figures.schedule,
            )
            for p in points
        ],
    )
    _bars(trend_ws, "BF", 3, last)
    print_setup(trend_ws, "2:2", landscape=False)


def ledger_appendix(ledger: OfficeLedger, period: str) -> Callable[[Workbook], None] | None:
    """The ranking and trend sheets for a 汇总 of ``period``, read from the ledger now (plain
    data, so the writing can run in a worker thread); None when the ledger has no return of
    ``period`` in use (a one-off consolidation in a folder with no ledger)."""
    if period not in ledger.periods(used_only=True):
        return None
    ranking, trend = ledger.ranking(period), ledger.trend()
    return lambda wb: write_ranking_sheets(wb, period, ranking, trend)
