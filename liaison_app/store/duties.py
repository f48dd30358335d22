"""The duties a unit has beyond the task table (组织保障 and 附件1):

* every unit sends at least one typical case (典型案例) to the office each month;
* every lead unit writes its specific measures (具体措施) and a research report (调研报告)
  within one month of the plan's issue;
* special groups (专项小组): which a unit leads or sits in, and what they answer for.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from liaison_app.evidence import Ingested
from liaison_app.store.duty_records import (
    Attachment,
    Deliverable,
    GroupInfo,
    TypicalCase,
    one_month_after,
)
from liaison_app.store.models import (
    AttachmentRow,
    DeliverableRow,
    DutyHistoryRow,
    ItemRow,
    SpecialGroupMemberRow,
    SpecialGroupRow,
    TypicalCaseItemRow,
    TypicalCaseRow,
)
from liaison_app.store.records import ServiceError, check_file_name, check_text
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Status, parse_status
from liaison_app.vocabulary import CaseKind, DeliverableKind, GroupRole, Role, parse_period

log = logging.getLogger(__name__)

__all__ = [
    "Attachment",
    "Deliverable",
    "DutiesService",
    "GroupInfo",
    "TypicalCase",
    "one_month_after",
]

MAX_CASE_BODY = 20000
DutyChange = tuple[dt.datetime, str, str, str | None, str | None]


class DutiesService:
    def __init__(self, service: LiaisonService) -> None:
        self.service = service

    # -- the plan's issue date (deliverables are due a month later) ---------------------------
    def issued_on(self) -> dt.date:
        """The plan's issue date (corrected per plan when the office says so)."""
        return self.service.plan_info().issued_on

    def set_issued_on(self, day: dt.date) -> None:
        self.service.set_issued_on(day)

    # -- special groups ----------------------------------------------------------------------
    def groups(self, unit: str | None = None) -> list[GroupInfo]:
        service = self.service
        with service.database.sessions() as session:
            rows = session.scalars(
                select(SpecialGroupRow)
                .where(SpecialGroupRow.plan_id == service.plan_id)
                .order_by(SpecialGroupRow.number)
            ).all()
            members = session.execute(
                select(
                    SpecialGroupMemberRow.group_id, SpecialGroupMemberRow.unit_id, SpecialGroupMemberRow.role
                ).order_by(SpecialGroupMemberRow.position)
            ).all()
        names = {u: service.unit_name(u) for _g, u, _r in members}
        infos = []
        for row in rows:
            lead = tuple(names[u] for g, u, r in members if g == row.id and r == GroupRole.LEAD)
            others = tuple(names[u] for g, u, r in members if g == row.id and r == GroupRole.MEMBER)
            infos.append(GroupInfo(row.number, row.name, row.duties, lead, others, row.all_members))
        if unit is None:
            return infos
        unit = service.resolve_unit(unit)
        mine = []
        for info in infos:
            if unit in info.lead:
                role = GroupRole.LEAD.label
            elif unit in info.members:
                role = GroupRole.MEMBER.label
            elif info.all_members:
                role = f"{GroupRole.MEMBER.label}(各相关成员单位)"
            else:
                continue
            mine.append(
                GroupInfo(
                    info.number, info.name, info.duties, info.lead, info.members, info.all_members, role
                )
            )
        return mine

    # -- typical cases -------------------------------------------------------------------------
    def cases(self, unit: str, period: str | None = None) -> list[TypicalCase]:
        """A unit's cases, newest month first."""
        unit = self.service.resolve_unit(unit)
        query = select(TypicalCaseRow).where(TypicalCaseRow.unit_id == self.service.unit_id(unit))
        if period is not None:
            query = query.where(TypicalCaseRow.period == period)
        with self.service.database.sessions() as session:
            rows = session.scalars(query.order_by(TypicalCaseRow.period.desc(), TypicalCaseRow.id)).all()
            return [self._case(session, row, unit) for row in rows]

    def has_case(self, unit: str, period: str) -> bool:
        return bool(self.cases(unit, period))

    def _case(self, session: Session, row: TypicalCaseRow, unit: str) -> TypicalCase:
        return TypicalCase(
            row.id,
            unit,
            row.period,
            row.kind,
            row.title,
            row.body,
            self._related(session, row.id),
            self._attachments(session, AttachmentRow.case_id == row.id),
            row.updated_at,
        )

    def save_case(
        self,
        unit: str,
        *,
        period: str,
        kind: str,
        title: str,
        body: str = "",
        related: list[str] | tuple[str, ...] = (),
        case_id: int | None = None,
    ) -> TypicalCase:
        """Create (``case_id`` None) or change a case, with history; one transaction."""
        service = self.service
        unit = service.resolve_unit(unit)
        title, body = title.strip(), body.strip()
        case_kind = CaseKind.lookup(kind)
        if case_kind is None:
            raise ServiceError("典型案例类型应为正面或反面")
        if not title:
            raise ServiceError("请填写典型案例的标题")
        check_text(title, "标题", 200)
        check_text(body, "内容", MAX_CASE_BODY)
        try:
            period = parse_period(period)
        except ValueError:
            raise ServiceError(f"月份格式应为 YYYY-MM:{period}") from None
        own = service.roles(unit)
        strangers = [code for code in related if code not in own]
        if strangers:
            raise ServiceError(f"{unit} 不承担这些工作措施，不能关联:{'、'.join(strangers)}")
        now, unit_id = service.clock.now(), service.unit_id(unit)
        values = {"period": period, "kind": case_kind.value, "title": title, "body": body}
        codes = list(dict.fromkeys(related))
        with service.database.transaction() as session:
            if case_id is None:
                row = TypicalCaseRow(unit_id=unit_id, created_at=now, updated_at=now, **values)
                session.add(row)
                session.flush()
                self._log(session, unit_id, f"case:{row.id}", "case", None, title, now)
            else:
                row = self._owned_case(session, case_id, unit_id)
                for field, value in values.items():
                    before = getattr(row, field)
                    if before != value:
                        self._log(session, unit_id, f"case:{row.id}", f"case_{field}", before, value, now)
                        setattr(row, field, value)
                old_codes = list(self._related(session, row.id))
                if old_codes != codes:
                    self._log(
                        session,
                        unit_id,
                        f"case:{row.id}",
                        "case_related",
                        _codes(old_codes),
                        _codes(codes),
                        now,
                    )
                    session.execute(delete(TypicalCaseItemRow).where(TypicalCaseItemRow.case_id == row.id))
                    session.flush()
                else:
                    codes = []
                row.updated_at = now
            session.add_all(
                TypicalCaseItemRow(case_id=row.id, item_id=service.item_id(code), position=n)
                for n, code in enumerate(codes)
            )
            session.flush()
            return self._case(session, row, unit)

    def delete_case(self, unit: str, case_id: int) -> None:
        """Delete a case and its files (kept only if something else refers to the same bytes)."""
        service = self.service
        unit_id, now = service.unit_id(unit), service.clock.now()
        with service.database.transaction() as session:
            row = self._owned_case(session, case_id, unit_id)
            hashes = [a.sha256 for a in self._attachments(session, AttachmentRow.case_id == case_id)]
            self._log(session, unit_id, f"case:{case_id}", "case", row.title, None, now)
            session.delete(row)  # its attachments and related items go with it (ON DELETE CASCADE)
        for sha in hashes:
            service.delete_blob_if_unused(sha)
        log.info("case %d of %s deleted", case_id, unit)

    def _owned_case(self, session: Session, case_id: int, unit_id: int) -> TypicalCaseRow:
        row = session.get(TypicalCaseRow, case_id)
        if row is None or row.unit_id != unit_id:
            raise ServiceError("该典型案例不存在，或不属于本单位")
        return row

    # -- deliverables (lead units only) ---------------------------------------------------------
    def deliverables(self, unit: str) -> list[Deliverable]:
        """具体措施 and 调研报告 for a lead unit; nothing for a unit that leads nothing."""
        service = self.service
        unit = service.resolve_unit(unit)
        if Role.LEAD not in service.catalogue.roles_by_unit[unit].values():
            return []
        due = one_month_after(self.issued_on())
        with service.database.sessions() as session:
            rows = {
                r.kind: r
                for r in session.scalars(
                    select(DeliverableRow).where(DeliverableRow.unit_id == service.unit_id(unit))
                )
            }
            result = []
            for kind in DeliverableKind:
                row = rows.get(kind)
                files = self._attachments(session, AttachmentRow.deliverable_id == row.id) if row else ()
                result.append(
                    Deliverable(
                        unit,
                        kind,
                        due,
                        Status(row.status) if row else Status.NOT_STARTED,
                        row.note if row else "",
                        row.completed_on if row else None,
                        row.updated_at if row else None,
                        files,
                    )
                )
            return result

    def update_deliverable(
        self, unit: str, kind: str, *, status: Status | str | None = None, note: str | None = None
    ) -> Deliverable:
        service = self.service
        unit = service.resolve_unit(unit)
        found = DeliverableKind.lookup(kind)
        if found is None:
            raise ServiceError(f"未知的牵头单位任务:{kind}")
        kind = found.value
        if not self.deliverables(unit):
            raise ServiceError(f"{unit} 不是任何工作措施的牵头单位，没有具体措施和调研报告任务")
        new_status = parse_status(status) if isinstance(status, str) else status
        if note is not None:
            check_text(note, "说明", MAX_CASE_BODY)
        now, unit_id = service.clock.now(), service.unit_id(unit)
        with service.database.transaction() as session:
            row = self._deliverable_row(session, unit_id, kind, now)
            if new_status is not None and new_status.value != row.status:
                self._log(
                    session, unit_id, f"deliverable:{kind}", "status", row.status, new_status.value, now
                )
                completed_on = row.completed_on
                if new_status is Status.DONE and row.completed_on is None:
                    completed_on = service.clock.today()
                elif new_status is not Status.DONE:
                    completed_on = None
                if completed_on != row.completed_on:  # logged like progress does
                    self._log(
                        session,
                        unit_id,
                        f"deliverable:{kind}",
                        "completed_on",
                        _iso(row.completed_on),
                        _iso(completed_on),
                        now,
                    )
                    row.completed_on = completed_on
                row.status = new_status.value
            if note is not None and note != row.note:
                self._log(session, unit_id, f"deliverable:{kind}", "note", row.note, note, now)
                row.note = note
            row.updated_at = now
        return next(d for d in self.deliverables(unit) if d.kind == kind)

    @staticmethod
    def _deliverable_row(session: Session, unit_id: int, kind: str, now: dt.datetime) -> DeliverableRow:
        row = session.scalars(
            select(DeliverableRow).where(DeliverableRow.unit_id == unit_id, DeliverableRow.kind == kind)
        ).first()
        if row is None:
            row = DeliverableRow(
                unit_id=unit_id,
                kind=kind,
                status=Status.NOT_STARTED.value,
                note="",
                completed_on=None,
                updated_at=now,
            )
            session.add(row)
            session.flush()
        return row

    # -- files of cases and deliverables ------------------------------------------------------
    def attach(
        self,
        unit: str,
        owner: str,
        key: str | int,
        source: Path,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Attachment:
        """Add a file to a case (``owner="case"``, key = case id) or to a deliverable
        (``owner="deliverable"``, key = measures | research): copy first, then the row."""
        service = self.service
        unit = service.resolve_unit(unit)
        unit_id = service.unit_id(unit)
        with service.database.sessions() as session:  # refuse before copying anything
            if owner == "case":
                self._owned_case(session, int(key), unit_id)
            elif (
                owner != "deliverable"
                or DeliverableKind.lookup(str(key)) is None
                or not self.deliverables(unit)
            ):
                raise ServiceError("只能为本单位的典型案例或牵头单位任务添加附件")
        check_file_name(source.name)  # the same rules as an item's evidence
        ingested = service.evidence_store.ingest(source, progress, cancelled)
        return self.record_attachment(unit, owner, key, ingested)

    def record_attachment(self, unit: str, owner: str, key: str | int, ingested: Ingested) -> Attachment:
        service = self.service
        unit_id, now = service.unit_id(unit), service.clock.now()
        try:
            with service.database.transaction() as session:
                row = AttachmentRow(
                    sha256=ingested.sha256,
                    size=ingested.size,
                    original_name=ingested.original_name,
                    added_at=now,
                    added_by=service.actor,
                )
                if owner == "case":
                    row.case_id = self._owned_case(session, int(key), unit_id).id
                else:
                    row.deliverable_id = self._deliverable_row(session, unit_id, str(key), now).id
                session.add(row)
                self._log(session, unit_id, f"{owner}:{key}", "attachment", None, ingested.original_name, now)
                session.flush()
                return Attachment(row.id, row.original_name, row.size, row.sha256, row.added_at)
        except Exception:
            service.discard(ingested)
            raise

    def remove_attachment(self, unit: str, attachment_id: int) -> None:
        service = self.service
        unit_id, now = service.unit_id(unit), service.clock.now()
        with service.database.transaction() as session:
            row = session.get(AttachmentRow, attachment_id)
            if row is None:
                raise ServiceError("该附件已不存在")
            case = session.get(TypicalCaseRow, row.case_id) if row.case_id is not None else None
            deliverable = (
                session.get(DeliverableRow, row.deliverable_id) if row.deliverable_id is not None else None
            )
            owner_unit = case.unit_id if case else deliverable.unit_id if deliverable else None
            if owner_unit != unit_id:
                raise ServiceError("该附件不属于本单位")
            sha = row.sha256
            self._log(
                session,
                unit_id,
                f"case:{case.id}" if case else f"deliverable:{deliverable.kind if deliverable else ''}",
                "attachment",
                row.original_name,
                None,
                now,
            )
            session.delete(row)
        service.delete_blob_if_unused(sha)

    @staticmethod
    def _attachments(session: Session, owner: ColumnElement[bool]) -> tuple[Attachment, ...]:
        rows = session.scalars(select(AttachmentRow).where(owner).order_by(AttachmentRow.id)).all()
        return tuple(Attachment(r.id, r.original_name, r.size, r.sha256, r.added_at) for r in rows)

    @staticmethod
    def _related(session: Session, case_id: int) -> tuple[str, ...]:
        return tuple(
            session.scalars(
                select(ItemRow.code)
                .join(TypicalCaseItemRow, TypicalCaseItemRow.item_id == ItemRow.id)
                .where(TypicalCaseItemRow.case_id == case_id)
                .order_by(TypicalCaseItemRow.position)
            )
        )

    # -- history -----------------------------------------------------------------------------
    def _log(
        self,
        session: Session,
        unit_id: int,
        subject: str,
        field: str,
        before: str | None,
        after: str | None,
        now: dt.datetime,
    ) -> None:
        session.add(
            DutyHistoryRow(
                unit_id=unit_id,
                subject=subject,
                field=field,
                before=before,
                after=after,
                changed_at=now,
                actor=self.service.actor,
            )
        )

    def history(self, unit: str, subject: str | None = None) -> list[DutyChange]:
        """(when, subject, field, before, after) newest first."""
        query = select(DutyHistoryRow).where(DutyHistoryRow.unit_id == self.service.unit_id(unit))
        if subject is not None:
            query = query.where(DutyHistoryRow.subject == subject)
        with self.service.database.sessions() as session:
            rows = session.scalars(query.order_by(DutyHistoryRow.id.desc())).all()
            return [(r.changed_at, r.subject, r.field, r.before, r.after) for r in rows]


def _codes(codes: list[str]) -> str:
    return json.dumps(codes, ensure_ascii=False)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
