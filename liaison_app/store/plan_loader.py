"""Writing a parsed plan into the database (once, on first start or when loading another plan)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison_app.paths import resources_dir
from liaison_app.plan.bundle import load_plan_file
from liaison_app.plan.model import Item, Plan
from liaison_app.store.models import (
    AreaRow,
    AssignmentRow,
    ItemRow,
    MeasureRow,
    MilestoneRow,
    PlanAnomalyRow,
    PlanRow,
    SpecialGroupMemberRow,
    SpecialGroupRow,
    TargetRow,
    UnitAliasRow,
    UnitRow,
)
from liaison_app.vocabulary import GroupRole, Role

DEFAULT_PLAN_ID = "nanan-2019"


def bundled_plan() -> Plan:
    return load_plan_file(resources_dir() / "plans" / f"{DEFAULT_PLAN_ID}.plan.json")


def load_plan(session: Session, plan: Plan, loaded_at: dt.datetime) -> None:
    """Insert ``plan`` (areas, measures, items, units, roles, anomalies). Caller commits."""
    if session.get(PlanRow, plan.plan_id) is not None:
        raise ValueError(f"工作方案 {plan.plan_id} 已经载入")
    session.add(
        PlanRow(
            id=plan.plan_id,
            name=plan.name,
            issued_on=plan.issued_on,
            issued_on_note=plan.issued_on_note,
            source_sha256=plan.source_sha256,
            loaded_at=loaded_at,
        )
    )
    session.flush()
    units: dict[str, UnitRow] = {}
    for position, unit in enumerate(plan.units):
        units[unit.name] = UnitRow(
            plan_id=plan.plan_id, name=unit.name, category=unit.category, position=position
        )
    session.add_all(units.values())
    areas = {
        a.number: AreaRow(plan_id=plan.plan_id, number=a.number, numeral=a.numeral, name=a.name)
        for a in plan.areas
    }
    session.add_all(areas.values())
    session.flush()
    session.add_all(
        UnitAliasRow(plan_id=plan.plan_id, alias=alias, unit_id=units[target].id)
        for alias, target in plan.aliases.items()
    )
    position = 0
    for measure in plan.measures:
        measure_row = MeasureRow(
            plan_id=plan.plan_id, area_id=areas[measure.area].id, number=measure.number, title=measure.title
        )
        session.add(measure_row)
        session.flush()
        for item in measure.items:
            item_row = ItemRow(
                plan_id=plan.plan_id,
                measure_id=measure_row.id,
                code=item.code,
                sub=item.sub,
                position=position,
                text=item.text,
                deadline=item.deadline,
            )
            position += 1
            session.add(item_row)
            session.flush()
            roles = [(name, Role.LEAD) for name in item.lead] + [(name, Role.COOP) for name in item.coop]
            session.add_all(
                AssignmentRow(item_id=item_row.id, unit_id=units[name].id, role=role, position=i)
                for i, (name, role) in enumerate(roles)
            )
            _add_promises(session, item, item_row.id)
    session.add_all(
        PlanAnomalyRow(plan_id=plan.plan_id, kind=a.kind, location=a.where, detail=a.detail)
        for a in plan.anomalies
    )
    load_groups(session, plan, {name: row.id for name, row in units.items()})


def load_groups(session: Session, plan: Plan, unit_ids: dict[str, int]) -> None:
    """The special groups of a plan (also run for a database loaded before groups existed)."""
    for group in plan.groups:
        row = SpecialGroupRow(
            plan_id=plan.plan_id,
            number=group.number,
            name=group.name,
            duties=group.duties,
            all_members=group.all_members,
        )
        session.add(row)
        session.flush()
        members = [(name, GroupRole.LEAD) for name in group.lead] + [
            (name, GroupRole.MEMBER) for name in group.members
        ]
        session.add_all(
            SpecialGroupMemberRow(group_id=row.id, unit_id=unit_ids[name], role=role, position=i)
            for i, (name, role) in enumerate(members)
        )


def _add_promises(session: Session, item: Item, item_id: int) -> None:
    session.add_all(
        MilestoneRow(item_id=item_id, number=number, date=m.date, text=m.text)
        for number, m in enumerate(item.milestones, start=1)
    )
    session.add_all(
        TargetRow(
            item_id=item_id,
            code=t.id,
            position=position,
            text=t.text,
            op=t.op,
            value=str(t.value),
            unit=t.unit,
            baseline=None if t.baseline is None else str(t.baseline),
            baseline_unit=t.baseline_unit,
            milestone=t.milestone,
        )
        for position, t in enumerate(item.targets)
    )


def has_promises(session: Session, plan_id: str) -> bool:
    """Whether the plan's milestones and targets are in the database (schema 0006 and later)."""
    for row in (MilestoneRow, TargetRow):
        found = session.scalar(
            select(row.id).join(ItemRow, ItemRow.id == row.item_id).where(ItemRow.plan_id == plan_id).limit(1)
        )
        if found is not None:
            return True
    return False


def load_promises(session: Session, plan: Plan, item_ids: dict[str, int]) -> int:
    """Milestones and targets of ``plan`` for a database loaded before they were stored.

    Only items the database has (by code) get them. Returns how many items got any. Caller commits.
    """
    filled = 0
    for item in plan.items():
        item_id = item_ids.get(item.code)
        if item_id is None or not (item.milestones or item.targets):
            continue
        _add_promises(session, item, item_id)
        filled += 1
    return filled


def has_any_plan(session: Session) -> bool:
    return session.scalar(select(PlanRow.id).limit(1)) is not None
