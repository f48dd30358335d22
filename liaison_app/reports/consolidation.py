"""The leading-group office's job: receive every unit's report, judge each file, merge (汇总).

Pure data work, safe in a worker thread: files are read with the report reader, judged against a
snapshot of the plan catalogue, and merged. Nothing half-read enters the result: a file is either
accepted whole or listed with the reason it was not.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from liaison_app.digests import file_sha256
from liaison_app.reports.promises_sheets import Promises, PromisesSummary, unit_due
from liaison_app.reports.promises_sheets import summarize as summarize_promises
from liaison_app.reports.report_reader import ReportFormatError, UnitReport, read_report
from liaison_app.signing import pin_refusal
from liaison_app.vocabulary import (
    NOT_REPORTED_LABEL,
    PROGRESS_ORDER,
    SETTLED,
    DeliverableKind,
    Role,
    Status,
    Verdict,
)

log = logging.getLogger(__name__)

__all__ = [
    "Catalog",
    "CatalogEntry",
    "Consolidation",
    "DeliverableIssue",
    "FileVerdict",
    "GroupLine",
    "Intake",
    "ItemView",
    "UnitLine",
    "UnitState",
    "Verdict",
    "consolidate",
    "default_as_of",
    "expand",
    "judge",
    "receive",
    "status_label",
]

# Every status a unit can report, then None (未报送): the columns of the 汇总's 总览.
STATUS_COLUMNS: tuple[Status | None, ...] = (*Status, None)


class CatalogEntry(Protocol):
    """What consolidation needs to know of a plan item (the service's CatalogItem fits)."""

    @property
    def id(self) -> str: ...
    @property
    def area(self) -> int: ...
    @property
    def area_name(self) -> str: ...
    @property
    def measure(self) -> int: ...
    @property
    def measure_title(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def lead(self) -> tuple[str, ...]: ...
    @property
    def coop(self) -> tuple[str, ...]: ...
    @property
    def deadline(self) -> dt.date | None: ...


@dataclass(frozen=True)
class FileVerdict:
    path: Path
    verdict: Verdict
    reason: str = ""
    unit: str = ""
    period: str = ""
    exported_at: dt.datetime | None = None

    @property
    def counts_as_used(self) -> bool:
        return self.verdict in (Verdict.ACCEPTED, Verdict.MODIFIED_ACCEPTED)

    def line(self) -> str:
        """One line for the command line and the log."""
        who = f"{self.unit} " if self.unit else ""
        when = f"(导出于 {self.exported_at:%Y-%m-%d %H:%M})" if self.exported_at else ""
        why = f":{self.reason}" if self.reason else ""
        return f"{self.verdict.label}  {self.path.name}  {who}{when}{why}"


@dataclass(frozen=True)
class Catalog:
    plan_id: str
    plan_name: str
    items: list[CatalogEntry]
    units: list[str]
    # unit → the fingerprints the office trusts for it (store/keys.py), for units with a key on
    # record; a return signed otherwise is 签名不符. None: no office keys are checked.
    keys: Mapping[str, frozenset[str]] | None = None

    def items_of(self, unit: str) -> set[str]:
        return {i.id for i in self.items if unit in i.lead or unit in i.coop}


@dataclass
class Intake:
    """The judged files and the reports that will be used, one per unit."""

    period: str
    verdicts: list[FileVerdict]
    reports: dict[str, UnitReport]
    # --accept-modified paths that matched no edited return, with why
    unmatched: list[tuple[Path, str]] = field(default_factory=list)

    def refused(self, unit: str) -> str:
        """Why a unit with no report in use has none: the files of it that were not used."""
        found = [
            f"{v.path.name}:{v.verdict.label}" + (f"({v.reason})" if v.reason else "")
            for v in self.verdicts
            if v.unit == unit and not v.counts_as_used and v.verdict is not Verdict.DUPLICATE
        ]
        return "收到的报表未采用:" + ";".join(found) if found else ""


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the workbooks inside given folders (sorted, recursively)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".xlsx")
        else:
            found.append(path)
    return list(dict.fromkeys(found))


# Used only when the office accepts the file explicitly (--accept-modified, 确认采用).
DOUBTFUL = frozenset({Verdict.MODIFIED, Verdict.BAD_SIGNATURE})


def _judge(
    path: Path, catalog: Catalog, period: str | None, cancelled: Callable[[], bool] | None = None
) -> tuple[FileVerdict, UnitReport | None]:
    if path.name.startswith("~$"):
        return FileVerdict(path, Verdict.REJECTED, "Office 打开文件时留下的临时文件，不是报表"), None
    try:
        report = read_report(path, cancelled)
    except ReportFormatError as exc:
        return FileVerdict(path, Verdict.REJECTED, str(exc)), None
    unit = report.unit

    def verdict(kind: Verdict, reason: str = "") -> FileVerdict:
        return FileVerdict(path, kind, reason, unit, report.period, report.exported_at)

    if report.plan_id != catalog.plan_id:
        name = report.meta.get("plan_name") or report.plan_id
        return verdict(Verdict.REJECTED, f"属于另一份工作方案({name})"), None
    if unit not in catalog.units:
        return verdict(Verdict.REJECTED, f"未知单位「{unit}」"), None
    if period is not None and report.period != period:
        return verdict(Verdict.REJECTED, f"报送期为 {report.period}，不是本次汇总的 {period}"), None
    own = catalog.items_of(unit)
    codes = [row.code for row in report.rows]
    foreign = [c for c in codes if c not in own]
    if foreign:
        return verdict(Verdict.REJECTED, f"含有不属于{unit}的工作措施:{'、'.join(foreign[:5])}"), None
    missing = own - set(codes)
    if missing or len(codes) != len(set(codes)):
        return verdict(Verdict.REJECTED, f"报表不完整或有重复行(缺少 {len(missing)} 条本单位工作措施)"), None
    if report.modified:
        return verdict(Verdict.MODIFIED, "导出后内容被修改过(校验值不符)"), report
    if report.signature == "unsigned":
        return verdict(Verdict.BAD_SIGNATURE, "报表没有签名(版本 3 的报表应由填报程序签名)"), report
    if report.signature == "bad":
        return verdict(Verdict.BAD_SIGNATURE, "签名与内容或封面上的密钥指纹不符(导出后被改动过)"), report
    if catalog.keys is not None:
        refusal = pin_refusal(report.key_fingerprint, report.signature, catalog.keys.get(unit))
        if refusal:
            return verdict(Verdict.BAD_SIGNATURE, refusal), report
    return verdict(Verdict.ACCEPTED), report


def judge(
    path: Path, catalog: Catalog, period: str | None = None, cancelled: Callable[[], bool] | None = None
) -> tuple[FileVerdict, UnitReport | None]:
    """One file's verdict, and its report when it was readable and of this plan's unit (the
    office ledger records each file as it is judged)."""
    return _judge(path, catalog, period, cancelled)


def receive(
    paths: Iterable[Path],
    catalog: Catalog,
    period: str | None = None,
    accept_modified: Iterable[Path] = (),
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Intake:
    """Judge every file. With no ``period``, the one most reports are for is used."""
    files = expand(paths)
    judged: list[tuple[FileVerdict, UnitReport | None]] = []
    for index, path in enumerate(files, start=1):
        if cancelled is not None and cancelled():
            raise InterruptedError("已取消")
        judged.append(_judge(path, catalog, None, cancelled))
        if progress is not None:
            progress(index, len(files))
    edited = [v.path for v, r in judged if r is not None and v.verdict in DOUBTFUL]
    accepted_edits, unmatched = _match_accepted(accept_modified, edited)
    if period is None:
        # Only returns that will be used vote: a refused or unconfirmed edited one never does.
        periods = Counter(
            r.period
            for v, r in judged
            if r is not None
            and (v.verdict is Verdict.ACCEPTED or (v.verdict in DOUBTFUL and v.path in accepted_edits))
        )
        period = periods.most_common(1)[0][0] if periods else ""
    verdicts: list[FileVerdict] = []
    candidates: dict[str, list[tuple[FileVerdict, UnitReport]]] = {}
    seen: dict[tuple[str, str, str, str], Path] = {}  # one export, whatever the file is called
    for verdict, report in judged:
        if report is not None and report.period != period:
            verdict = FileVerdict(
                verdict.path,
                Verdict.REJECTED,
                f"报送期为 {report.period}，不是本次汇总的 {period}",
                verdict.unit,
                verdict.period,
                verdict.exported_at,
            )
            report = None
        if report is not None and verdict.verdict in DOUBTFUL and verdict.path in accepted_edits:
            verdict = FileVerdict(
                verdict.path,
                Verdict.MODIFIED_ACCEPTED,
                "导出后内容被修改过，已由办公室确认采用",
                verdict.unit,
                verdict.period,
                verdict.exported_at,
            )
        if report is not None and verdict.counts_as_used:
            identity = (report.unit, report.period, report.meta["exported_at"], report.computed_sha256)
            if identity in seen:
                verdicts.append(
                    FileVerdict(
                        verdict.path,
                        Verdict.DUPLICATE,
                        f"与「{seen[identity].name}」是同一份报表(同一次导出，内容相同)，只采用一次",
                        verdict.unit,
                        verdict.period,
                        verdict.exported_at,
                    )
                )
                continue
            seen[identity] = verdict.path
            candidates.setdefault(report.unit, []).append((verdict, report))
        else:
            verdicts.append(verdict)
    reports: dict[str, UnitReport] = {}
    for unit, found in candidates.items():
        found.sort(key=lambda pair: pair[1].exported_at, reverse=True)
        newest_verdict, newest = found[0]
        reports[unit] = newest
        verdicts.append(newest_verdict)
        for older_verdict, _older in found[1:]:
            verdicts.append(
                FileVerdict(
                    older_verdict.path,
                    Verdict.SUPERSEDED,
                    f"同一单位有更新的报表({newest.exported_at:%Y-%m-%d %H:%M} 导出)",
                    older_verdict.unit,
                    older_verdict.period,
                    older_verdict.exported_at,
                )
            )
    order = {path: i for i, path in enumerate(files)}
    verdicts.sort(key=lambda v: order.get(v.path, 0))
    for told in verdicts:
        log.info("received %s: %s %s", told.path.name, told.verdict.value, told.reason)
    return Intake(period, verdicts, reports, unmatched)


def _match_accepted(accept: Iterable[Path], edited: list[Path]) -> tuple[set[Path], list[tuple[Path, str]]]:
    """The edited returns the office accepted: named by any spelling of their path (matched once
    resolved) or by a copy of the same file elsewhere (matched by SHA-256). Returns the accepted
    paths and, for each given path that matched nothing, why."""
    by_path = {p.resolve(): p for p in edited}
    by_hash: dict[str, list[Path]] = {}
    for path in edited:
        try:
            by_hash.setdefault(file_sha256(path), []).append(path)
        except OSError:
            continue
    accepted: set[Path] = set()
    unmatched: list[tuple[Path, str]] = []
    for given in (Path(p) for p in accept):
        if not given.is_file():
            unmatched.append((given, "找不到这个文件"))
            continue
        found = by_path.get(given.resolve())
        if found is not None:
            accepted.add(found)
            continue
        copies = by_hash.get(file_sha256(given), [])
        if copies:
            accepted.update(copies)
        else:
            unmatched.append((given, "不是本次收到的、导出后被修改过的报表"))
    return accepted, unmatched


# -- merging ---------------------------------------------------------------------------------
def status_label(status: Status | None) -> str:
    """What a person reads for a status; None is a unit that sent no report (未报送)."""
    return status.label if status is not None else NOT_REPORTED_LABEL


@dataclass(frozen=True)
class UnitState:
    unit: str
    role: Role
    status: Status | None  # None: the unit sent no report (未报送)
    note: str

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def percent_done(done: int, items: int) -> int:
    """完成率 as a whole percent (0 when there is nothing to do)."""
    return round(100 * done / items) if items else 0


class _Completion:
    """A summary row's 完成率, from its ``done`` and ``items`` (declared by each row)."""

    done: int
    items: int

    @property
    def percent(self) -> int:
        return percent_done(self.done, self.items)


@dataclass(frozen=True)
class ItemView:
    item: CatalogEntry
    states: list[UnitState]  # leads first, then helpers, in plan order
    status: Status | None  # its lead units' (the least advanced if several); None: not reported
    overdue_days: int  # > 0 when overdue at as_of
    inconsistent: str  # "" or why the lead's and the helpers' pictures disagree

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def latest_note(self) -> str:
        notes = [s.note for s in self.states if s.role is Role.LEAD and s.note]
        return notes[0] if notes else next((s.note for s in self.states if s.note), "")


@dataclass(frozen=True)
class UnitLine(_Completion):
    unit: str
    reported: bool
    items: int
    done: int
    overdue: int
    exported_at: dt.datetime | None
    cases: int | None = None  # typical cases sent for the period; None when not known
    statuses: dict[Status | None, int] = field(default_factory=dict)  # status (None: 未报送) -> items

    @property
    def case_sent(self) -> str:
        if not self.reported:
            return NOT_REPORTED_LABEL
        if self.cases is None:
            return "报表版本过旧"
        return "是" if self.cases else "否"


@dataclass(frozen=True)
class GroupLine(_Completion):
    number: int
    name: str
    items: int
    done: int
    in_progress: int
    overdue: int
    statuses: dict[Status | None, int] = field(default_factory=dict)  # item status (None: 未报送) -> items


@dataclass(frozen=True)
class DeliverableIssue:
    unit: str
    kind: DeliverableKind
    status: Status | None  # None: not known (no report, or a report too old to carry it)
    due: str
    problem: str

    @property
    def label(self) -> str:
        return self.kind.label

    @property
    def status_label(self) -> str:
        return self.status.label if self.status is not None else ""


@dataclass
class Consolidation:
    plan_name: str
    period: str
    as_of: dt.date
    made_at: dt.datetime
    verdicts: list[FileVerdict]
    items: list[ItemView]
    units: list[UnitLine]
    areas: list[GroupLine]
    measures: list[GroupLine]
    lead_scope: str = ""  # when a lead unit consolidates its helpers: that unit
    scope_label: str = ""  # a special group, when the office looks at one group
    cases: list[list[str]] = field(default_factory=list)  # [unit, 月份, 类型, 标题, 内容, 关联, 附件]
    deliverable_issues: list[DeliverableIssue] = field(default_factory=list)
    missing_reasons: dict[str, str] = field(default_factory=dict)  # unit -> why its file was not used
    promises: PromisesSummary | None = None  # 指标完成情况, 未达标 targets, overdue milestones

    @property
    def overdue(self) -> list[ItemView]:
        return sorted(
            (i for i in self.items if i.overdue_days > 0),
            key=lambda i: (-i.overdue_days, i.item.area, i.item.measure),
        )

    @property
    def missing_units(self) -> list[UnitLine]:
        return [u for u in self.units if not u.reported]

    @property
    def inconsistent(self) -> list[ItemView]:
        return [i for i in self.items if i.inconsistent]


def figures(line: GroupLine | UnitLine) -> list[int]:
    """A summary row's figures: items, items per status column, overdue, percent done."""
    return [line.items, *(line.statuses.get(s, 0) for s in STATUS_COLUMNS), line.overdue, line.percent]


def total_figures(lines: Sequence[GroupLine | UnitLine]) -> list[int]:
    """The same figures summed over ``lines`` (the 合计 row; the percentage from the sums)."""
    items = sum(x.items for x in lines)
    done = sum(x.done for x in lines)
    return [
        items,
        *(sum(x.statuses.get(s, 0) for x in lines) for s in STATUS_COLUMNS),
        sum(x.overdue for x in lines),
        percent_done(done, items),
    ]


def _progress(status: Status | None) -> int:
    return PROGRESS_ORDER[status] if status is not None else 0


def _item_status(leads: list[UnitState]) -> Status | None:
    if not leads:
        return None
    return min((s.status for s in leads), key=_progress)


def _inconsistency(states: list[UnitState]) -> str:
    leads = [s for s in states if s.role is Role.LEAD and s.status is not None]
    helpers = [s for s in states if s.role is Role.COOP and s.status is not None]
    for lead in leads:
        for helper in helpers:
            if lead.status is Status.DONE and helper.status is Status.NOT_STARTED:
                return f"牵头单位{lead.unit}称已完成，配合单位{helper.unit}称未启动"
            if lead.status is Status.NOT_STARTED and helper.status is Status.DONE:
                return f"配合单位{helper.unit}称已完成，牵头单位{lead.unit}称未启动"
    return ""


def consolidate(
    intake: Intake,
    catalog: Catalog,
    as_of: dt.date,
    made_at: dt.datetime,
    lead_scope: str = "",
    group: tuple[str, frozenset[str]] | None = None,
) -> Consolidation:
    """Merge the used reports. ``lead_scope``: only the items that unit leads (a lead unit
    comparing its helpers); ``group``: (label, units) of a special group, only the items its
    units lead and only its units in the unit table."""
    rows: dict[tuple[str, str], tuple[Status | None, str]] = {
        (unit, row.code): (report.status_of(row.code), row.note)
        for unit, report in intake.reports.items()
        for row in report.rows
    }
    group_units = group[1] if group else None

    def promises_of(unit: str) -> Promises | None:
        report = intake.reports.get(unit)
        return report.promises if report else None

    entries = [
        i
        for i in catalog.items
        if (not lead_scope or lead_scope in i.lead) and (group_units is None or group_units & set(i.lead))
    ]
    views = []
    for entry in entries:
        states = []
        for role, names in ((Role.LEAD, entry.lead), (Role.COOP, entry.coop)):
            for unit in names:
                status, note = rows.get((unit, entry.id), (None, ""))
                states.append(UnitState(unit, role, status, note))
        status = _item_status([s for s in states if s.role is Role.LEAD])
        dues = [unit_due(promises_of(s.unit), entry) for s in states if s.role is Role.LEAD]
        due = min((d for d in dues if d is not None), default=entry.deadline)
        late = (as_of - due).days if due and status not in SETTLED else 0
        views.append(ItemView(entry, states, status, max(0, late), _inconsistency(states)))
    units = []
    scope_units = (
        catalog.units
        if not lead_scope
        else sorted({u for i in entries for u in (*i.lead, *i.coop)}, key=catalog.units.index)
    )
    if group_units is not None:
        scope_units = [u for u in scope_units if u in group_units]
    for unit in scope_units:
        own = [v for v in views if unit in v.item.lead or unit in v.item.coop]
        if not own:
            continue
        report = intake.reports.get(unit)
        statuses = [next(s.status for s in v.states if s.unit == unit) for v in own]
        dues = [unit_due(report.promises if report else None, v.item) for v in own]
        overdue = sum(1 for d, s in zip(dues, statuses, strict=True) if d and d < as_of and s not in SETTLED)
        cases = (len(report.cases) if report.version >= 2 else None) if report else None
        units.append(
            UnitLine(
                unit,
                report is not None,
                len(own),
                statuses.count(Status.DONE),
                overdue,
                report.exported_at if report else None,
                cases,
                dict(Counter(statuses)),
            )
        )
    return Consolidation(
        plan_name=catalog.plan_name,
        period=intake.period,
        as_of=as_of,
        made_at=made_at,
        verdicts=intake.verdicts,
        items=views,
        units=units,
        areas=_groups(views, lambda v: (v.item.area, v.item.area_name)),
        measures=_groups(views, lambda v: (v.item.measure, f"{v.item.measure}.{v.item.measure_title}")),
        lead_scope=lead_scope,
        scope_label=group[0] if group else "",
        cases=[
            [unit, *(c.period, c.kind, c.title, c.body, c.related, c.attachments)]
            for unit, report in intake.reports.items()
            if unit in scope_units
            for c in report.cases
        ],
        deliverable_issues=_deliverable_issues(intake, catalog, scope_units, as_of),
        missing_reasons={
            u.unit: reason for u in units if not u.reported and (reason := intake.refused(u.unit))
        },
        promises=summarize_promises(
            {u: r.promises for u, r in intake.reports.items() if u in scope_units}, entries, as_of
        ),
    )


def _deliverable_issues(
    intake: Intake, catalog: Catalog, units: list[str], as_of: dt.date
) -> list[DeliverableIssue]:
    """Lead units whose 具体措施 or 调研报告 is missing or late."""
    leads = {u for i in catalog.items for u in i.lead}
    issues = []
    for unit in (u for u in units if u in leads):
        report = intake.reports.get(unit)
        for kind in DeliverableKind:
            if report is None:
                issues.append(DeliverableIssue(unit, kind, None, "", NOT_REPORTED_LABEL))
                continue
            status, due = report.deliverable(kind)
            if report.version < 2 or not due:
                issues.append(DeliverableIssue(unit, kind, None, "", "报表版本过旧，未含此项"))
            elif status is not Status.DONE and dt.date.fromisoformat(due) < as_of:
                issues.append(DeliverableIssue(unit, kind, status, due, "逾期未完成"))
    return issues


def _groups(views: list[ItemView], key: Callable[[ItemView], tuple[int, str]]) -> list[GroupLine]:
    grouped: dict[tuple[int, str], list[ItemView]] = {}
    for view in views:
        grouped.setdefault(key(view), []).append(view)
    return [
        GroupLine(
            number,
            name,
            len(group),
            sum(v.status is Status.DONE for v in group),
            sum(v.status is Status.IN_PROGRESS for v in group),
            sum(v.overdue_days > 0 for v in group),
            dict(Counter(v.status for v in group)),
        )
        for (number, name), group in sorted(grouped.items())
    ]


def default_as_of(intake: Intake, fallback: dt.date) -> dt.date:
    """The latest 统计截至 among the reports used, else the last day of the period."""
    if intake.reports:
        return max(r.as_of for r in intake.reports.values())
    if not intake.period:
        return fallback
    year, month = (int(x) for x in intake.period.split("-"))
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)
