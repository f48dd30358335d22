"""SQLAlchemy 2 ORM models. The schema itself is created by the Alembic migrations in ``db/``.

Everything the database enforces is declared here too (foreign keys, unique constraints,
indexes, CHECK constraints on enumerated columns, their codes taken from
:mod:`liaison_app.vocabulary`), so that ``tests/test_migrations.py`` can compare these models
with a migrated database and expect no difference at all.

Two pairs of look-alike tables stay apart on purpose:

* ``evidence`` (a unit's files for one item, per reporting period, with a description, listed in
  the report and bundled for the office) and ``attachment`` (the files of a typical case or a
  deliverable): different owners, fields and lifecycles. ``attachment`` is one model for all
  its owners, with one real foreign key per owner kind and a CHECK that exactly one is set.
* ``history`` (per unit and item, tied to the assignment like progress) and ``duty_history``
  (per unit and subject, ``case:12`` or ``deliverable:measures``): a case's history must outlive
  the deleted case, so it cannot have a foreign key to it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from liaison_app.vocabulary import (
    CaseKind,
    DeliverableKind,
    DutyField,
    GroupRole,
    ItemField,
    KeySource,
    Light,
    Role,
    Status,
    Verdict,
)


def one_of(column: str, codes: type[StrEnum], name: str) -> CheckConstraint:
    """``column IN ('a', 'b')`` over every code of a vocabulary."""
    listed = ", ".join(f"'{code.value}'" for code in codes)
    return CheckConstraint(f"{column} IN ({listed})", name=name)


def _assignment_of(table: str) -> ForeignKeyConstraint:
    """A row about one unit and one item exists only while that unit is assigned that item."""
    return ForeignKeyConstraint(
        ["item_id", "unit_id"],
        ["assignment.item_id", "assignment.unit_id"],
        ondelete="CASCADE",
        name=f"fk_{table}_assignment",
    )


class Base(DeclarativeBase):
    pass


class PlanRow(Base):
    __tablename__ = "plan"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    issued_on_note: Mapped[str] = mapped_column(Text, default="")
    source_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    content_sha256: Mapped[str] = mapped_column(String(64), default="")


class AreaRow(Base):
    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    numeral: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(Text)


class MeasureRow(Base):
    __tablename__ = "measure"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)

    area: Mapped[AreaRow] = relationship()


class ItemRow(Base):
    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measure.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    sub: Mapped[int | None] = mapped_column(Integer, nullable=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # the revision that dropped this item (kept, read-only, with its progress), or None
    archived_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    stable_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the package's item id

    measure: Mapped[MeasureRow] = relationship()


class ItemLineageRow(Base):
    """What an item was before a revision: ``原 11.2``, and how the revision matched it."""

    __tablename__ = "item_lineage"
    __table_args__ = (Index("ix_item_lineage_item", "item_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)  # the revision that made the change
    old_code: Mapped[str] = mapped_column(String(16))
    old_text: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)


class UnitRow(Base):
    """An organisation: one row across every plan that names it (a renamed unit is an alias)."""

    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(Text)


class PlanUnitRow(Base):
    """A unit a plan names, in the plan's order."""

    __tablename__ = "plan_unit"

    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class UnitAliasRow(Base):
    __tablename__ = "unit_alias"
    __table_args__ = (UniqueConstraint("alias"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alias: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))


class AssignmentRow(Base):
    """A unit's role on one item: ``lead`` (牵头) or ``coop`` (配合)."""

    __tablename__ = "assignment"
    __table_args__ = (
        one_of("role", Role, "ck_assignment_role"),
        Index("ix_assignment_unit", "unit_id"),
    )

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer)
    # the revision that took this item from this unit; its records stay, read-only
    archived_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ProgressRow(Base):
    """What one unit reports on one item. Absent row = 未启动 with no note."""

    __tablename__ = "progress"
    __table_args__ = (
        UniqueConstraint("unit_id", "item_id"),
        _assignment_of("progress"),
        one_of("status", Status, "ck_progress_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class HistoryRow(Base):
    """Append-only log of every change a unit made to an item."""

    __tablename__ = "history"
    __table_args__ = (
        _assignment_of("history"),
        one_of("field", ItemField, "ck_history_field"),
        Index("ix_history_unit_item", "unit_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(32))
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    after: Mapped[str | None] = mapped_column(Text, nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(Text, default="")


class PlanAnomalyRow(Base):
    __tablename__ = "plan_anomaly"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    location: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)


class SettingRow(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class EvidenceRow(Base):
    """A file attached by a unit to an item; the bytes live in the evidence store by SHA-256."""

    __tablename__ = "evidence"
    __table_args__ = (
        _assignment_of("evidence"),
        Index("ix_evidence_unit_item", "unit_id", "item_id"),
        Index("ix_evidence_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    original_name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    period: Mapped[str] = mapped_column(String(7))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)
    added_by: Mapped[str] = mapped_column(Text, default="")


class ReportExportRow(Base):
    """One report a unit exported: for the 已报送 list and the changes since the last one."""

    __tablename__ = "report_export"
    __table_args__ = (Index("ix_report_export_unit", "unit_id", "exported_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    as_of: Mapped[dt.date] = mapped_column(Date)
    exported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    file_name: Mapped[str] = mapped_column(Text)
    data_sha256: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[str] = mapped_column(Text)
    incomplete: Mapped[str] = mapped_column(Text, default="[]")


class SpecialGroupRow(Base):
    __tablename__ = "special_group"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    duties: Mapped[str] = mapped_column(Text)
    all_members: Mapped[bool] = mapped_column(Boolean, default=False)


class SpecialGroupMemberRow(Base):
    __tablename__ = "special_group_member"
    __table_args__ = (one_of("role", GroupRole, "ck_special_group_member_role"),)

    group_id: Mapped[int] = mapped_column(
        ForeignKey("special_group.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    position: Mapped[int] = mapped_column(Integer)


class TypicalCaseRow(Base):
    """A monthly typical case (典型案例) a unit sends the office."""

    __tablename__ = "typical_case"
    __table_args__ = (
        one_of("kind", CaseKind, "ck_typical_case_kind"),
        Index("ix_typical_case_unit_period", "unit_id", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class TypicalCaseItemRow(Base):
    """An item a typical case is about (was a JSON list in ``typical_case.related``)."""

    __tablename__ = "typical_case_item"
    __table_args__ = (Index("ix_typical_case_item_item", "item_id"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("typical_case.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class DeliverableRow(Base):
    """A lead unit's 具体措施 or 调研报告, due one month after the plan's issue."""

    __tablename__ = "deliverable"
    __table_args__ = (
        UniqueConstraint("unit_id", "kind"),
        one_of("kind", DeliverableKind, "ck_deliverable_kind"),
        one_of("status", Status, "ck_deliverable_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AttachmentRow(Base):
    """A file of a typical case or a deliverable (bytes in the evidence store by SHA-256).

    One real foreign key per kind of owner; exactly one of them is set."""

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint("(case_id IS NULL) <> (deliverable_id IS NULL)", name="ck_attachment_one_owner"),
        Index("ix_attachment_case", "case_id"),
        Index("ix_attachment_deliverable", "deliverable_id"),
        Index("ix_attachment_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("typical_case.id", ondelete="CASCADE"), nullable=True
    )
    deliverable_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliverable.id", ondelete="CASCADE"), nullable=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    original_name: Mapped[str] = mapped_column(Text)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime)
    added_by: Mapped[str] = mapped_column(Text, default="")


class DutyHistoryRow(Base):
    """Append-only log of changes to a unit's cases and deliverables."""

    __tablename__ = "duty_history"
    __table_args__ = (
        one_of("field", DutyField, "ck_duty_history_field"),
        Index("ix_duty_history_unit", "unit_id", "subject"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(32))
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    after: Mapped[str | None] = mapped_column(Text, nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(Text, default="")


class OfficeReturnRow(Base):
    """One file the office received and judged; the bytes live in the evidence store by SHA-256.

    Receiving the same bytes twice finds this row (unique per plan). A newer export of the same
    unit and period turns the older one's verdict into ``superseded``; both stay on record.
    """

    __tablename__ = "office_return"
    __table_args__ = (
        one_of("verdict", Verdict, "ck_office_return_verdict"),
        UniqueConstraint("plan_id", "sha256", name="uq_office_return_file"),
        Index("ix_office_return_period", "plan_id", "period", "unit_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    as_of: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    exported_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    original_name: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)
    liaison: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")  # 联络员邮箱 on the return's cover
    fingerprint: Mapped[str] = mapped_column(Text, default="")  # the key the return is signed with


class OfficeReturnItemRow(Base):
    """One item of a received return: what the unit reported, kept for later months."""

    __tablename__ = "office_return_row"
    __table_args__ = (
        one_of("status", Status, "ck_office_return_row_status"),
        one_of("light", Light, "ck_office_return_row_light"),
        one_of("role", Role, "ck_office_return_row_role"),
    )

    return_id: Mapped[int] = mapped_column(
        ForeignKey("office_return.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(8))
    status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    light: Mapped[str | None] = mapped_column(String(16), nullable=True)


class OfficeReturnMilestoneRow(Base):
    """A milestone a received return marks done (its 时间节点 sheet); open ones are not kept."""

    __tablename__ = "office_return_milestone"
    __table_args__ = (CheckConstraint("number >= 1", name="ck_office_return_milestone_number"),)

    return_id: Mapped[int] = mapped_column(
        ForeignKey("office_return.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    done_on: Mapped[dt.date] = mapped_column(Date)


class OfficeReturnCaseRow(Base):
    """A typical case (典型案例) a received return carries, for the 通报."""

    __tablename__ = "office_return_case"
    __table_args__ = (one_of("kind", CaseKind, "ck_office_return_case_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("office_return.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    related: Mapped[str] = mapped_column(Text, default="")


class OfficeDueRow(Base):
    """A one-off due date of a period (otherwise the default due day of the month applies)."""

    __tablename__ = "office_due"

    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    due_on: Mapped[dt.date] = mapped_column(Date)


class UnitKeyRow(Base):
    """A signing key the office trusts for a unit (pinned or registered); revoked keys stay on
    record so that a revoked key is never pinned again by a later return."""

    __tablename__ = "unit_key"
    __table_args__ = (
        one_of("source", KeySource, "ck_unit_key_source"),
        UniqueConstraint("unit_id", "fingerprint", name="uq_unit_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(Text, default="")  # "" when registered by fingerprint
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(16))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


# -- what the plan promises: milestones, targets, and what a unit reports against them -------
class MilestoneRow(Base):
    """One dated clause of an item (时间节点), numbered from 1 in the order written."""

    __tablename__ = "milestone"
    __table_args__ = (
        UniqueConstraint("item_id", "number", name="uq_milestone_item_number"),
        CheckConstraint("number >= 1", name="ck_milestone_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)


class TargetRow(Base):
    """One quantitative promise of an item (指标). Numbers are exact decimal text, never floats."""

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("item_id", "code", name="uq_target_item_code"),
        CheckConstraint("op IN ('<=', '>=', '=')", name="ck_target_op"),
        CheckConstraint("milestone IS NULL OR milestone >= 1", name="ck_target_milestone"),
        Index("ix_target_code", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))  # "26.1-t1"
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    op: Mapped[str] = mapped_column(String(2))
    value: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(Text)
    baseline: Mapped[str | None] = mapped_column(String(40), nullable=True)
    baseline_unit: Mapped[str | None] = mapped_column(Text, nullable=True)
    milestone: Mapped[int | None] = mapped_column(Integer, nullable=True)


class MilestoneDoneRow(Base):
    """A unit ticked one of an item's milestones off, on ``done_on``. Absent row = still open."""

    __tablename__ = "milestone_done"
    __table_args__ = (
        UniqueConstraint("unit_id", "milestone_id", name="uq_milestone_done_unit"),
        _assignment_of("milestone_done"),
        Index("ix_milestone_done_unit_item", "unit_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id", ondelete="CASCADE"))
    done_on: Mapped[dt.date] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(Text, default="")


class ActualRow(Base):
    """The figure a lead unit achieved on a target in one 报送期 (实际值), as exact decimal text."""

    __tablename__ = "actual"
    __table_args__ = (
        UniqueConstraint("unit_id", "target_id", "period", name="uq_actual_unit_target_period"),
        _assignment_of("actual"),
        CheckConstraint("length(period) = 7", name="ck_actual_period"),
        Index("ix_actual_target", "target_id", "period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(7))
    value: Mapped[str] = mapped_column(String(40))
    measured_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(Text, default="")
