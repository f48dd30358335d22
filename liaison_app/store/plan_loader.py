"""Writing a parsed plan into the database: a first load, or a revision of a loaded plan.

Units are organisations shared by every plan: a plan's unit is found by its name or by an alias
already known (a renamed unit), and only a name nobody knows makes a new unit. The caller owns
the transaction: everything here is flushed, never committed, so a failure loads nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from liaison_app.paths import resources_dir
from liaison_app.plan.model import Item, Plan
from liaison_app.store.database import raw_connection
from liaison_app.store.models import (
    AreaRow,
    AssignmentRow,
    EvidenceRow,
    HistoryRow,
    ItemLineageRow,
    ItemRow,
    MeasureRow,
    MilestoneRow,
    PlanAnomalyRow,
    PlanRow,
    PlanUnitRow,
    ProgressRow,
    SpecialGroupMemberRow,
    SpecialGroupRow,
    TargetRow,
    UnitAliasRow,
    UnitRow,
)
from liaison_app.vocabulary import GroupRole, Role

log = logging.getLogger(__name__)

DEFAULT_PLAN_ID = "nanan-2019"


def bundled_plan() -> Plan:
    # the plan file reader (and its parser, ~10 ms) loads only when a plan is read or loaded:
    # an ordinary start of the window or a command never needs it
    from liaison_app.plan.bundle import load_plan_file

    return load_plan_file(resources_dir() / "plans" / f"{DEFAULT_PLAN_ID}.plan.json")


def fingerprint(plan: Plan) -> str:
    """SHA-256 over the plan's whole content: the same plan read twice has the same one."""
    from liaison_app.plan.bundle import plan_to_dict

    data = plan_to_dict(plan)
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def unit_rows(session: Session, plan: Plan) -> dict[str, int]:
    """The unit id of every unit ``plan`` names (existing organisations first, by name or alias)."""
    by_name = dict(session.execute(select(UnitRow.name, UnitRow.id)).all())
    by_alias = dict(session.execute(select(UnitAliasRow.alias, UnitAliasRow.unit_id)).all())
    ids: dict[str, int] = {}
    for unit in plan.units:
        known = by_name.get(unit.name) or by_alias.get(unit.name)
        if known is None:
            row = UnitRow(name=unit.name, category=unit.category)
            session.add(row)
            session.flush()
            known = by_name[unit.name] = row.id
        ids[unit.name] = known
    for alias, target in plan.aliases.items():
        if alias in by_name or alias in by_alias or target not in ids:
            continue
        session.add(UnitAliasRow(alias=alias, unit_id=ids[target]))
        by_alias[alias] = ids[target]
    session.flush()
    return ids


def _plan_units(session: Session, plan_id: str, ids: Mapping[str, int], names: list[str]) -> None:
    present = set(session.scalars(select(PlanUnitRow.unit_id).where(PlanUnitRow.plan_id == plan_id)))
    last = session.scalar(select(func.max(PlanUnitRow.position)).where(PlanUnitRow.plan_id == plan_id))
    position = -1 if last is None else last
    for name in names:
        if ids[name] not in present:
            position += 1
            session.add(PlanUnitRow(plan_id=plan_id, unit_id=ids[name], position=position))
            present.add(ids[name])


def set_active(session: Session, plan_id: str) -> None:
    session.execute(update(PlanRow).values(active=PlanRow.id == plan_id))


def load_plan(
    session: Session,
    plan: Plan,
    loaded_at: dt.datetime,
    *,
    revision: int = 1,
    item_ids: Mapping[str, str] | None = None,
    active: bool = True,
) -> None:
    """Insert ``plan`` (areas, measures, items, units, roles, anomalies). Caller commits."""
    log.info("loading plan %s", plan.plan_id)
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
            revision=revision,
            active=False,
            content_sha256=fingerprint(plan),
        )
    )
    session.flush()
    units = unit_rows(session, plan)
    _plan_units(session, plan.plan_id, units, [u.name for u in plan.units])
    areas = {
        a.number: AreaRow(plan_id=plan.plan_id, number=a.number, numeral=a.numeral, name=a.name)
        for a in plan.areas
    }
    session.add_all(areas.values())
    session.flush()
    measure_rows = [
        MeasureRow(plan_id=plan.plan_id, area_id=areas[m.area].id, number=m.number, title=m.title)
        for m in plan.measures
    ]
    session.add_all(measure_rows)
    session.flush()
    placed: list[tuple[ItemRow, Item]] = []
    for measure, measure_row in zip(plan.measures, measure_rows, strict=True):
        for item in measure.items:
            item_row = ItemRow(
                plan_id=plan.plan_id,
                measure_id=measure_row.id,
                code=item.code,
                sub=item.sub,
                position=len(placed),
                text=item.text,
                deadline=item.deadline,
                stable_id=(item_ids or {}).get(item.code),
            )
            placed.append((item_row, item))
    session.add_all(row for row, _ in placed)
    session.flush()  # one batch: every item gets its id
    for item_row, item in placed:
        _assign(session, item_row.id, item, units, revision, {})
        _add_promises(session, item, item_row.id)
    _anomalies(session, plan)
    load_groups(session, plan, units)
    if active:
        set_active(session, plan.plan_id)


def _anomalies(session: Session, plan: Plan) -> None:
    session.add_all(
        PlanAnomalyRow(plan_id=plan.plan_id, kind=a.kind, location=a.where, detail=a.detail)
        for a in plan.anomalies
    )


def _roles(item: Item) -> list[tuple[str, Role]]:
    return [(name, Role.LEAD) for name in item.lead] + [(name, Role.COOP) for name in item.coop]


def _assign(
    session: Session,
    item_id: int,
    item: Item,
    units: Mapping[str, int],
    revision: int,
    existing: dict[int, AssignmentRow],
) -> None:
    """The item's roles as ``item`` says; a unit no longer named keeps its row, archived."""
    wanted: dict[int, tuple[str, int]] = {}
    for position, (name, role) in enumerate(_roles(item)):
        wanted.setdefault(units[name], (role.value, position))
    for unit_id, (code, place) in wanted.items():
        row = existing.get(unit_id)
        if row is None:
            session.add(AssignmentRow(item_id=item_id, unit_id=unit_id, role=code, position=place))
        else:
            row.role, row.position, row.archived_revision = code, place, None
    for unit_id, row in existing.items():
        if unit_id not in wanted and row.archived_revision is None:
            row.archived_revision = revision


def load_groups(session: Session, plan: Plan, unit_ids: Mapping[str, int]) -> None:
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
    # plain SQL: asked at every start, where compiling ORM statements is most of the cost
    connection = raw_connection(session)
    return any(
        connection.execute(
            f"SELECT 1 FROM {table} t JOIN item i ON i.id = t.item_id WHERE i.plan_id = ? LIMIT 1", (plan_id,)
        ).fetchone()
        for table in ("milestone", "target")
    )


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
    return raw_connection(session).execute("SELECT 1 FROM plan LIMIT 1").fetchone() is not None


# -- revisions ------------------------------------------------------------------------------------
@dataclass
class RevisionOutcome:
    revision: int
    carried: list[tuple[str, str]] = field(default_factory=list)  # (old code, new code)
    added: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)  # old codes dropped (kept, read-only)


def progress_on(session: Session, item_ids: list[int]) -> dict[int, int]:
    """How many records (progress, history, evidence) hang from each of these items."""
    counts: dict[int, int] = {}
    for model in (ProgressRow, HistoryRow, EvidenceRow):
        rows = session.execute(
            select(model.item_id, func.count()).where(model.item_id.in_(item_ids)).group_by(model.item_id)
        ).all()
        for item_id, count in rows:
            counts[item_id] = counts.get(item_id, 0) + int(count)
    return counts


def revise_plan(
    session: Session,
    plan_id: str,
    new: Plan,
    mapping: Mapping[str, tuple[str, str, float]],
    loaded_at: dt.datetime,
    *,
    item_ids: Mapping[str, str] | None = None,
    revision: int | None = None,
) -> RevisionOutcome:
    """Make ``new`` the next revision of loaded plan ``plan_id``, in place.

    ``mapping`` is old code → (new code, how, score). A mapped item keeps its database row, so
    every unit's progress, notes, history and evidence stay on it; its old code and text go to
    the lineage. An old item with no mapping is archived (code ``N@rev``), never deleted; a unit
    no longer named on an item keeps its assignment archived. Caller commits.
    """
    row = session.get(PlanRow, plan_id)
    if row is None:
        raise ValueError(f"没有编号为 {plan_id} 的工作方案")
    new = dataclasses.replace(new, plan_id=plan_id)  # a revision keeps the plan's id
    next_revision = revision if revision is not None else row.revision + 1
    outcome = RevisionOutcome(next_revision)
    units = unit_rows(session, new)
    _plan_units(session, plan_id, units, [u.name for u in new.units])
    row.name, row.revision, row.loaded_at = new.name, next_revision, loaded_at
    row.issued_on, row.issued_on_note = new.issued_on, new.issued_on_note
    row.source_sha256, row.content_sha256 = new.source_sha256, fingerprint(new)

    areas = {a.number: a for a in session.scalars(select(AreaRow).where(AreaRow.plan_id == plan_id))}
    for area in new.areas:
        if area.number in areas:
            areas[area.number].numeral, areas[area.number].name = area.numeral, area.name
        else:
            areas[area.number] = AreaRow(
                plan_id=plan_id, number=area.number, numeral=area.numeral, name=area.name
            )
            session.add(areas[area.number])
    session.flush()
    measures = {m.number: m for m in session.scalars(select(MeasureRow).where(MeasureRow.plan_id == plan_id))}
    for measure in new.measures:
        found = measures.get(measure.number)
        if found is None:
            found = measures[measure.number] = MeasureRow(
                plan_id=plan_id, area_id=areas[measure.area].id, number=measure.number, title=measure.title
            )
            session.add(found)
        else:
            found.area_id, found.title = areas[measure.area].id, measure.title
    session.flush()

    def lineage(row: ItemRow, old_code: str, how: str, score: float) -> ItemLineageRow:
        """Where ``row`` came from in this revision (its code and text before it)."""
        return ItemLineageRow(
            plan_id=plan_id,
            item_id=row.id,
            revision=next_revision,
            old_code=old_code,
            old_text=row.text,
            how=how,
            score=score,
        )

    current = {
        item.code: item
        for item in session.scalars(
            select(ItemRow).where(ItemRow.plan_id == plan_id, ItemRow.archived_revision.is_(None))
        )
    }
    # Free every code first: renumbering may swap codes between items.
    for live in current.values():
        live.code = f"~{live.id}"
    session.flush()
    by_new: dict[str, tuple[ItemRow, str, str, float]] = {}
    for old_code, (new_code, how, score) in mapping.items():
        if old_code in current:
            by_new[new_code] = (current[old_code], old_code, how, score)
    kept = {id(entry[0]) for entry in by_new.values()}
    for old_code, live in current.items():
        if id(live) not in kept:
            live.code = f"{old_code}@{next_revision - 1}"
            live.archived_revision = next_revision
            session.add(lineage(live, old_code, "dropped", 0.0))
            session.execute(
                update(AssignmentRow)
                .where(AssignmentRow.item_id == live.id, AssignmentRow.archived_revision.is_(None))
                .values(archived_revision=next_revision)
            )
            outcome.archived.append(old_code)
    session.flush()
    assignments: dict[int, dict[int, AssignmentRow]] = {}
    for assignment in session.scalars(
        select(AssignmentRow)
        .join(ItemRow, ItemRow.id == AssignmentRow.item_id)
        .where(ItemRow.plan_id == plan_id)
    ):
        assignments.setdefault(assignment.item_id, {})[assignment.unit_id] = assignment
    placed: list[tuple[ItemRow, Item]] = []
    for measure in new.measures:
        for item in measure.items:
            entry = by_new.get(item.code)
            if entry is None:
                item_row = ItemRow(plan_id=plan_id, measure_id=measures[measure.number].id, code=item.code)
                session.add(item_row)
                outcome.added.append(item.code)
            else:
                item_row, old_code, how, score = entry
                if old_code != item.code or item_row.text != item.text:
                    session.add(lineage(item_row, old_code, how, score))
                outcome.carried.append((old_code, item.code))
            item_row.code, item_row.measure_id, item_row.sub = (
                item.code,
                measures[measure.number].id,
                item.sub,
            )
            item_row.position, item_row.text, item_row.deadline = len(placed), item.text, item.deadline
            if item_ids and item.code in item_ids:
                item_row.stable_id = item_ids[item.code]
            placed.append((item_row, item))
    session.flush()  # one batch: new items get their ids, moved ones their codes
    for item_row, item in placed:
        _assign(session, item_row.id, item, units, next_revision, assignments.get(item_row.id, {}))
    session.flush()
    position = len(placed)
    # archived items sort after the live ones, in their old order
    for archived in session.scalars(
        select(ItemRow)
        .where(ItemRow.plan_id == plan_id, ItemRow.archived_revision.is_not(None))
        .order_by(ItemRow.position)
    ):
        archived.position = position
        position += 1
    session.execute(delete(PlanAnomalyRow).where(PlanAnomalyRow.plan_id == plan_id))
    _anomalies(session, new)
    if new.groups:
        old_groups = list(session.scalars(select(SpecialGroupRow).where(SpecialGroupRow.plan_id == plan_id)))
        for group in old_groups:
            session.delete(group)
        session.flush()
        load_groups(session, new, units)
    session.flush()
    return outcome


def plan_from_db(session: Session, plan_id: str) -> tuple[Plan, int, dict[str, str]]:
    """The live plan as loaded (archived items left out), its revision and stable item ids.

    Milestones and targets are not read back here (they are not stored with the items)."""
    from liaison_app.plan.groups import SpecialGroup
    from liaison_app.plan.model import Anomaly, Area, Measure, Unit

    row = session.get(PlanRow, plan_id)
    if row is None:
        raise ValueError(f"没有编号为 {plan_id} 的工作方案")
    names = dict(session.execute(select(UnitRow.id, UnitRow.name)).all())
    units = [
        Unit(name, category)
        for name, category in session.execute(
            select(UnitRow.name, UnitRow.category)
            .join(PlanUnitRow, PlanUnitRow.unit_id == UnitRow.id)
            .where(PlanUnitRow.plan_id == plan_id)
            .order_by(PlanUnitRow.position)
        )
    ]
    unit_names = {u.name for u in units}
    aliases = {
        alias: names[unit_id]
        for alias, unit_id in session.execute(select(UnitAliasRow.alias, UnitAliasRow.unit_id))
        if names[unit_id] in unit_names
    }
    areas = list(session.scalars(select(AreaRow).where(AreaRow.plan_id == plan_id).order_by(AreaRow.number)))
    area_numbers = {a.id: a.number for a in areas}
    measures: dict[int, Measure] = {}
    for m in session.scalars(
        select(MeasureRow).where(MeasureRow.plan_id == plan_id).order_by(MeasureRow.number)
    ):
        measures[m.id] = Measure(m.number, m.title, area_numbers[m.area_id])
    roles: dict[int, list[tuple[str, str]]] = {}
    for item_id, unit_id, role in session.execute(
        select(AssignmentRow.item_id, AssignmentRow.unit_id, AssignmentRow.role)
        .join(ItemRow, ItemRow.id == AssignmentRow.item_id)
        .where(ItemRow.plan_id == plan_id, AssignmentRow.archived_revision.is_(None))
        .order_by(AssignmentRow.item_id, AssignmentRow.position)
    ):
        roles.setdefault(item_id, []).append((names[unit_id], role))
    stable: dict[str, str] = {}
    for item in session.scalars(
        select(ItemRow)
        .where(ItemRow.plan_id == plan_id, ItemRow.archived_revision.is_(None))
        .order_by(ItemRow.position)
    ):
        item_roles = roles.get(item.id, [])
        measures[item.measure_id].items.append(
            Item(
                measure=measures[item.measure_id].number,
                sub=item.sub,
                text=item.text,
                lead=[n for n, r in item_roles if r == Role.LEAD.value],
                coop=[n for n, r in item_roles if r == Role.COOP.value],
                deadline=item.deadline,
            )
        )
        if item.stable_id:
            stable[item.code] = item.stable_id
    groups = []
    for group in session.scalars(
        select(SpecialGroupRow).where(SpecialGroupRow.plan_id == plan_id).order_by(SpecialGroupRow.number)
    ):
        members = session.execute(
            select(SpecialGroupMemberRow.unit_id, SpecialGroupMemberRow.role)
            .where(SpecialGroupMemberRow.group_id == group.id)
            .order_by(SpecialGroupMemberRow.position)
        ).all()
        groups.append(
            SpecialGroup(
                number=group.number,
                name=group.name,
                lead=[names[u] for u, r in members if r == GroupRole.LEAD.value],
                members=[names[u] for u, r in members if r == GroupRole.MEMBER.value],
                all_members=group.all_members,
                duties=group.duties,
            )
        )
    anomalies = [
        Anomaly(a.kind, a.location, a.detail)
        for a in session.scalars(
            select(PlanAnomalyRow).where(PlanAnomalyRow.plan_id == plan_id).order_by(PlanAnomalyRow.id)
        )
    ]
    plan = Plan(
        plan_id=row.id,
        name=row.name,
        issued_on=row.issued_on,
        issued_on_note=row.issued_on_note,
        source_sha256=row.source_sha256,
        areas=[Area(a.number, a.numeral, a.name) for a in areas],
        measures=[m for m in measures.values() if m.items],
        units=units,
        aliases=aliases,
        anomalies=anomalies,
        groups=groups,
    )
    return plan, row.revision, stable
