"""The unit report as the service sees it: the check before export, the data that goes in, and
the record of every export (so the next report can say what changed since).

The workbook itself is written by :mod:`liaison_app.reports.unit_report` from plain data; in the
window that happens off the GUI thread, between :meth:`ReportService.report_data` and
:meth:`ReportService.record_export`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from liaison_app import __version__
from liaison_app.reports.consolidation import Catalog
from liaison_app.reports.promises_sheets import MilestoneLine, Promises, TargetLine
from liaison_app.reports.unit_report import (
    CaseLine,
    DeliverableLine,
    EvidenceLine,
    ReportData,
    ReportRow,
    write_report,
)
from liaison_app.signing import Signer, SigningError, load_or_create
from liaison_app.store.duties import DutiesService
from liaison_app.store.keys import UnitKeys
from liaison_app.store.models import ReportExportRow
from liaison_app.store.records import UnitTask, describe_target, format_decimal, printable, summarize
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Light, Status
from liaison_app.vocabulary import Role, period_label

log = logging.getLogger(__name__)


def promises_of(tasks: list[UnitTask], period: str) -> Promises:
    """The 指标 and 时间节点 sheets: the targets of the items the unit leads, with the figure of
    ``period`` (or the latest before it), and the unit's own milestones."""
    targets: list[TargetLine] = []
    milestones: list[MilestoneLine] = []
    for task in tasks:
        for state in task.targets if task.role == Role.LEAD.value else ():
            target, actual = state.target, state.in_period(period)
            targets.append(
                TargetLine(
                    code=target.id,
                    text=target.text,
                    goal=describe_target(target),
                    baseline=""
                    if target.baseline is None
                    else f"{format_decimal(target.baseline)} {target.baseline_unit or target.unit}",
                    actual="" if actual is None else format_decimal(actual.value),
                    attainment=state.attainment(period).label,
                    period="" if actual is None else actual.period,
                    source="" if actual is None else actual.source,
                )
            )
        milestones.extend(
            MilestoneLine(
                task.item.id,
                m.number,
                m.date.isoformat(),
                m.text,
                m.done_on.isoformat() if m.done_on else "",
            )
            for m in task.milestones
        )
    return Promises(targets, milestones)


@dataclass(frozen=True)
class ExportRecord:
    id: int
    unit: str
    period: str
    as_of: dt.date
    exported_at: dt.datetime
    file_name: str
    data_sha256: str
    incomplete: list[tuple[str, str]]


def check_task(task: UnitTask, as_of: dt.date) -> str | None:
    """What looks incomplete about one item before export, or None."""
    if task.status is Status.DONE and not task.evidence and not task.note.strip():
        return "标记已完成，但没有佐证材料和进展情况"
    if task.light(as_of) is Light.OVERDUE and not task.note.strip():
        return "已逾期，进展情况中没有说明"
    if task.updated_at is None and not task.evidence:
        return "从未填报"
    return None


def as_of_problem(period: str, as_of: dt.date) -> str:
    """Why a report of ``period`` cannot be counted as of ``as_of`` ("" when it can): a date
    before the month begins would light every item against a day the report does not cover."""
    year, month = (int(part) for part in period.split("-"))
    start = dt.date(year, month, 1)
    if as_of < start:
        return (
            f"统计截至 {as_of.isoformat()} 早于报送期 {year}年{month}月 的第一天({start.isoformat()})。"
            "请把统计截至设为报送期内或之后的日期。"
        )
    return ""


class ReportService:
    def __init__(self, service: LiaisonService) -> None:
        self.service = service

    def file_name(self, unit: str, period: str) -> str:
        """The report's standard file name; with several plans loaded it starts with the plan's
        name, so two plans' reports for one month never take each other's name."""
        from liaison_app.filenames import safe_name
        from liaison_app.reports.unit_report import default_file_name
        from liaison_app.store.plans import list_plans

        name = default_file_name(unit, period)
        if len(list_plans(self.service.database)) > 1:
            name = safe_name(f"{self.service.plan_info().name}_{name}", 160)
        return name

    def catalog_snapshot(self) -> Catalog:
        """What the office consolidation checks reports against (plain data, thread-safe)."""
        info = self.service.plan_info()
        units = [u.name for u in self.service.units() if u.lead_items or u.coop_items]
        # the keys the office pinned or registered (store/keys.py): a one-off consolidation in
        # a data folder that keeps the office ledger refuses a return signed by another key
        keys = UnitKeys(self.service).trusted()
        return Catalog(info.plan_id, info.name, list(self.service.catalog()), units, keys)

    def export_check(
        self,
        unit: str,
        as_of: dt.date,
        period: str | None = None,
    ) -> list[tuple[str, str]]:
        """(item id, what is missing) for items that look incomplete: the liaison decides.

        With a period, the unit's other duties are checked too: this month's typical case, and a
        lead unit's 具体措施 and 调研报告.
        """
        found = []
        for task in self.service.tasks(unit):
            reason = check_task(task, as_of)
            if reason:
                found.append((task.item.id, reason))
        if period is not None:
            duties = DutiesService(self.service)
            if not duties.has_case(unit, period):
                found.append(("典型案例", f"{period_label(period)}尚未填写典型案例(每月至少一篇)"))
            for deliverable in duties.deliverables(unit):
                if deliverable.light(as_of) is Light.OVERDUE:
                    found.append(
                        (deliverable.label, f"完成时限 {deliverable.due.isoformat()} 已过，尚未完成")
                    )
        return found

    def report_data(
        self, unit: str, period: str, as_of: dt.date, incomplete: list[tuple[str, str]] | None = None
    ) -> ReportData:
        service = self.service
        unit = service.resolve_unit(unit)
        tasks = service.tasks(unit)
        evidence = service.evidence(unit)
        names_by_item: dict[str, list[str]] = {}
        for record in evidence:
            names_by_item.setdefault(record.item_code, []).append(printable(record.original_name))
        previous = self.last_export(unit)
        snapshot = self._snapshot(previous.id) if previous else {}
        rows = []
        for task in tasks:
            item = task.item
            files = names_by_item.get(item.id, [])
            rows.append(
                ReportRow(
                    code=item.id,
                    area=item.area_name,
                    measure=f"{item.measure}.{item.measure_title}",
                    text=item.text,
                    deadline=item.deadline.isoformat() if item.deadline else "",
                    lead="、".join(item.lead),
                    coop="、".join(item.coop),
                    role=Role(task.role).label,
                    status=task.status.label,
                    note=task.note,
                    completed_on=task.completed_on.isoformat() if task.completed_on else "",
                    evidence=f"{len(files)} 个:" + ";".join(files) if files else "",
                    light=task.light(as_of).label,
                    updated_at=task.updated_at.strftime("%Y-%m-%d %H:%M") if task.updated_at else "",
                    change=_change(snapshot.get(item.id), task) if previous else "",
                )
            )
        lines = [
            EvidenceLine(
                r.item_code,
                printable(r.original_name),  # names recorded before the rules: neutralised
                r.size,
                r.sha256,
                r.period,
                r.added_at.strftime("%Y-%m-%d %H:%M:%S"),
                r.description,
            )
            for r in evidence
        ]
        duties = DutiesService(service)
        cases = [
            CaseLine(
                c.period,
                c.kind_label,
                c.title,
                c.body,
                "、".join(c.related),
                ";".join(printable(a.original_name) for a in c.attachments),
            )
            for c in duties.cases(unit, period)
        ]
        deliverables = [
            DeliverableLine(
                d.kind,
                d.label,
                d.due.isoformat(),
                d.status.label,
                d.light(as_of).label,
                d.note,
                ";".join(printable(a.original_name) for a in d.attachments),
            )
            for d in duties.deliverables(unit)
        ]
        info = service.plan_info()
        liaison = service.liaison(unit)
        return ReportData(
            promises=promises_of(tasks, period),
            plan_id=info.plan_id,
            plan_revision=info.revision,
            plan_name=info.name,
            unit=unit,
            liaison=liaison.name,
            phone=liaison.phone,
            email=liaison.email,
            period=period,
            as_of=as_of,
            exported_at=service.clock.now(),
            app_version=__version__,
            rows=rows,
            evidence=lines,
            counts=summarize(tasks, as_of),
            incomplete=list(incomplete or []),
            previous_export=previous.exported_at.strftime("%Y-%m-%d %H:%M") if previous else "",
            cases=cases,
            deliverables=deliverables,
            signer=_signer(service),
        )

    def export(
        self,
        unit: str,
        period: str,
        as_of: dt.date,
        path: Path,
        incomplete: list[tuple[str, str]] | None = None,
    ) -> ExportRecord:
        """Check, write and record in one call (the command line)."""
        self.service.check_output(path)
        if incomplete is None:
            incomplete = self.export_check(unit, as_of, period)
        data = self.report_data(unit, period, as_of, incomplete)
        digest = write_report(data, path)
        return self.record_export(data, path, digest)

    def record_export(self, data: ReportData, path: Path, digest: str) -> ExportRecord:
        """Remember what was sent (after the file exists)."""
        log.info("report of %s for %s exported to %s", data.unit, data.period, path)
        service = self.service
        snapshot = {row.code: [row.status, row.note] for row in data.rows}
        with service.database.transaction() as session:
            row = ReportExportRow(
                unit_id=service.unit_id(data.unit),
                period=data.period,
                as_of=data.as_of,
                exported_at=data.exported_at,
                file_name=path.name,
                data_sha256=digest,
                snapshot=json.dumps(snapshot, ensure_ascii=False),
                incomplete=json.dumps(data.incomplete, ensure_ascii=False),
            )
            session.add(row)
            session.flush()
            return self._record(row, data.unit)

    def exports(self, unit: str) -> list[ExportRecord]:
        """Every report the unit exported, newest first."""
        unit = self.service.resolve_unit(unit)
        with self.service.database.sessions() as session:
            rows = session.scalars(
                select(ReportExportRow)
                .where(ReportExportRow.unit_id == self.service.unit_id(unit))
                .order_by(ReportExportRow.exported_at.desc(), ReportExportRow.id.desc())
            ).all()
            return [self._record(r, unit) for r in rows]

    def last_export(self, unit: str) -> ExportRecord | None:
        found = self.exports(unit)
        return found[0] if found else None

    def _snapshot(self, export_id: int) -> dict[str, list[str]]:
        with self.service.database.sessions() as session:
            row = session.get(ReportExportRow, export_id)
            return dict(json.loads(row.snapshot)) if row else {}

    @staticmethod
    def _record(row: ReportExportRow, unit: str) -> ExportRecord:
        return ExportRecord(
            id=row.id,
            unit=unit,
            period=row.period,
            as_of=row.as_of,
            exported_at=row.exported_at,
            file_name=row.file_name,
            data_sha256=row.data_sha256,
            incomplete=[(str(code), str(reason)) for code, reason in json.loads(row.incomplete)],
        )


def _change(before: list[str] | None, task: UnitTask) -> str:
    if before is None:
        return "新增"
    status, note = before
    parts = []
    if status != task.status.label:
        parts.append(f"状态:{status}→{task.status.label}")
    if note != task.note:
        parts.append("进展情况有更新")
    return ";".join(parts)


def _signer(service: LiaisonService) -> Signer | None:
    """This installation's key; None (an unsigned report) when a read-only data folder has none yet."""
    try:
        return load_or_create(service.data_dir)
    except SigningError:
        return None
