"""The plan catalogue in memory: units, aliases, items, roles, milestones and targets.

The catalogue never changes after loading, so it is read once (and again on a switch of plan);
lookups (a unit written loosely, an item code, a unit's role on an item) answer from memory.
"""

from __future__ import annotations

import datetime as dt
import difflib
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison_app.plan.model import Milestone, Target
from liaison_app.store.database import Database
from liaison_app.store.models import (
    AreaRow,
    AssignmentRow,
    ItemLineageRow,
    ItemRow,
    MeasureRow,
    MilestoneRow,
    PlanAnomalyRow,
    PlanRow,
    PlanUnitRow,
    TargetRow,
    UnitAliasRow,
    UnitRow,
)
from liaison_app.store.records import (
    Anomaly,
    CatalogItem,
    NotAssignedError,
    PlanInfo,
    UnitInfo,
    UnknownItemError,
    UnknownPlanError,
    UnknownUnitError,
)

Promises = tuple[dict[int, list[tuple[int, Milestone]]], dict[int, list[tuple[int, Target]]]]


def read_promises(session: Session, plan_id: str) -> Promises:
    """Per item row id: (row id, milestone) in number order and (row id, target) in text order."""
    milestones: dict[int, list[tuple[int, Milestone]]] = {}
    for m in session.scalars(
        select(MilestoneRow)
        .join(ItemRow, ItemRow.id == MilestoneRow.item_id)
        .where(ItemRow.plan_id == plan_id)
        .order_by(MilestoneRow.item_id, MilestoneRow.number)
    ):
        milestones.setdefault(m.item_id, []).append((m.id, Milestone(m.date, m.text)))
    targets: dict[int, list[tuple[int, Target]]] = {}
    for t in session.scalars(
        select(TargetRow)
        .join(ItemRow, ItemRow.id == TargetRow.item_id)
        .where(ItemRow.plan_id == plan_id)
        .order_by(TargetRow.item_id, TargetRow.position)
    ):
        target = Target(
            id=t.code,
            text=t.text,
            op=t.op,  # type: ignore[arg-type]  # CHECK ck_target_op keeps it one of OPS
            value=Decimal(t.value),
            unit=t.unit,
            baseline=None if t.baseline is None else Decimal(t.baseline),
            baseline_unit=t.baseline_unit,
            milestone=t.milestone,
        )
        targets.setdefault(t.item_id, []).append((t.id, target))
    return milestones, targets


def catalog_item(
    row: ItemRow,
    measure: MeasureRow,
    area: AreaRow,
    *,
    code: str | None = None,
    former: str = "",
    lead: tuple[str, ...] = (),
    coop: tuple[str, ...] = (),
    milestones: tuple[Milestone, ...] = (),
    targets: tuple[Target, ...] = (),
) -> CatalogItem:
    """The catalogue's view of an item row (``code`` overrides the row's, for archived items)."""
    return CatalogItem(
        id=code or row.code,
        area=area.number,
        area_name=area.name,
        measure=measure.number,
        measure_title=measure.title,
        item=row.sub,
        text=row.text,
        lead=lead,
        coop=coop,
        deadline=row.deadline,
        position=row.position,
        former=former,
        milestones=milestones,
        targets=targets,
    )


class Catalogue:
    """One plan's catalogue, read into memory; lookups by name, alias and code."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.plan: PlanRow
        self.plan_id = ""
        self.unit_ids: dict[str, int] = {}  # canonical name → unit row id, in plan order
        self.unit_names: dict[int, str] = {}  # every unit of the folder, not only this plan's
        self.unit_categories: dict[str, str] = {}
        self.aliases: dict[str, str] = {}  # alias → canonical name
        self.codes: dict[int, str] = {}  # every item row id → its code (archived ones too)
        self.roles_by_unit: dict[str, dict[int, str]] = {}  # unit → {item row id: lead | coop}
        self.items: dict[int, CatalogItem] = {}  # item row id → item, in plan order
        self.item_ids: dict[str, int] = {}  # code → item row id
        self.milestone_ids: dict[tuple[int, int], int] = {}  # (item row id, number) → row id
        self.target_ids: dict[str, int] = {}  # "26.1-t1" → target row id
        self.area_count = 0
        self.measure_count = 0

    def load(self, session: Session, plan_id: str | None = None) -> None:
        """Read the chosen plan (default: the active one) into memory."""
        if plan_id is None:
            plan = session.scalars(select(PlanRow).order_by(PlanRow.active.desc(), PlanRow.loaded_at)).first()
        else:
            plan = session.get(PlanRow, plan_id.strip())
            if plan is None:
                known = "、".join(session.scalars(select(PlanRow.id).order_by(PlanRow.loaded_at)))
                raise UnknownPlanError(f"没有编号为「{plan_id}」的工作方案(已载入:{known})")
        assert plan is not None
        self.plan = plan
        self.plan_id = plan.id
        units = session.execute(
            select(UnitRow.id, UnitRow.name, UnitRow.category)
            .join(PlanUnitRow, PlanUnitRow.unit_id == UnitRow.id)
            .where(PlanUnitRow.plan_id == plan.id)
            .order_by(PlanUnitRow.position)
        ).all()
        self.unit_ids = {name: unit_id for unit_id, name, _ in units}
        self.unit_names = dict(session.execute(select(UnitRow.id, UnitRow.name)).all())
        self.unit_categories = {name: category for _, name, category in units}
        aliases = session.execute(select(UnitAliasRow.alias, UnitAliasRow.unit_id)).all()
        self.aliases = {
            alias: self.unit_names[unit_id]
            for alias, unit_id in aliases
            if self.unit_names[unit_id] in self.unit_ids
        }
        self.codes = dict(session.execute(select(ItemRow.id, ItemRow.code)).all())
        lineage = {
            item_id: old_code
            for item_id, old_code in session.execute(
                select(ItemLineageRow.item_id, ItemLineageRow.old_code)
                .where(ItemLineageRow.plan_id == plan.id, ItemLineageRow.how != "dropped")
                .order_by(ItemLineageRow.revision)
            )
        }
        areas = {a.id: a for a in session.scalars(select(AreaRow).where(AreaRow.plan_id == plan.id))}
        measures = {m.id: m for m in session.scalars(select(MeasureRow).where(MeasureRow.plan_id == plan.id))}
        roles: dict[int, dict[str, list[str]]] = {}
        self.roles_by_unit = {name: {} for name in self.unit_ids}
        assignments = session.execute(
            select(AssignmentRow.item_id, AssignmentRow.unit_id, AssignmentRow.role)
            .join(ItemRow, ItemRow.id == AssignmentRow.item_id)
            .where(
                ItemRow.plan_id == plan.id,
                ItemRow.archived_revision.is_(None),
                AssignmentRow.archived_revision.is_(None),
            )
            .order_by(AssignmentRow.item_id, AssignmentRow.position)
        ).all()
        for item_id, unit_id, role in assignments:
            name = self.unit_names[unit_id]
            roles.setdefault(item_id, {"lead": [], "coop": []})[role].append(name)
            self.roles_by_unit[name][item_id] = role
        self.items = {}
        self.item_ids = {}
        milestones, targets = read_promises(session, plan.id)
        self.milestone_ids = {
            (item_id, number): row_id
            for item_id, rows in milestones.items()
            for number, (row_id, _m) in enumerate(rows, start=1)
        }
        self.target_ids = {t.id: row_id for rows in targets.values() for row_id, t in rows}
        for row in session.scalars(
            select(ItemRow)
            .where(ItemRow.plan_id == plan.id, ItemRow.archived_revision.is_(None))
            .order_by(ItemRow.position)
        ):
            measure = measures[row.measure_id]
            area = areas[measure.area_id]
            item_roles = roles.get(row.id, {"lead": [], "coop": []})
            self.items[row.id] = catalog_item(
                row,
                measure,
                area,
                lead=tuple(item_roles["lead"]),
                coop=tuple(item_roles["coop"]),
                former=lineage.get(row.id, ""),
                milestones=tuple(m for _id, m in milestones.get(row.id, [])),
                targets=tuple(t for _id, t in targets.get(row.id, [])),
            )
            self.item_ids[row.code] = row.id
        self.area_count = len(areas)
        self.measure_count = len(measures)

    # -- the plan -----------------------------------------------------------------------------
    def switch_plan(self, plan_id: str) -> None:
        """Show another loaded plan (the data folder's units, cases and evidence stay as they are)."""
        with self.database.sessions() as session:
            self.load(session, plan_id)

    def plan_info(self) -> PlanInfo:
        return PlanInfo(
            plan_id=self.plan.id,
            name=self.plan.name,
            issued_on=self.plan.issued_on,
            issued_on_note=self.plan.issued_on_note,
            areas=self.area_count,
            measures=self.measure_count,
            items=len(self.items),
            units=len(self.unit_ids),
            revision=self.plan.revision,
            active=self.plan.active,
        )

    def set_issued_on(self, day: dt.date) -> None:
        """Correct this plan's issue date (each plan keeps its own)."""
        with self.database.transaction() as session:
            row = session.get(PlanRow, self.plan_id)
            assert row is not None
            row.issued_on = day
        self.plan.issued_on = day

    def anomalies(self) -> list[Anomaly]:
        with self.database.sessions() as session:
            rows = session.scalars(
                select(PlanAnomalyRow)
                .where(PlanAnomalyRow.plan_id == self.plan_id)
                .order_by(PlanAnomalyRow.id)
            ).all()
            return [Anomaly(r.kind, r.location, r.detail) for r in rows]

    def catalog(self) -> list[CatalogItem]:
        return list(self.items.values())

    # -- units ------------------------------------------------------------------------------
    def units(self) -> list[UnitInfo]:
        aliases_by_unit: dict[str, list[str]] = {}
        for alias, name in self.aliases.items():
            aliases_by_unit.setdefault(name, []).append(alias)
        result = []
        for name in self.unit_ids:
            roles = self.roles_by_unit[name].values()
            result.append(
                UnitInfo(
                    name=name,
                    category=self.unit_categories[name],
                    lead_items=sum(r == "lead" for r in roles),
                    coop_items=sum(r == "coop" for r in roles),
                    aliases=tuple(aliases_by_unit.get(name, ())),
                )
            )
        return result

    def resolve_unit(self, written: str) -> str:
        """The canonical name for a unit name or alias; :class:`UnknownUnitError` otherwise."""
        cleaned = "".join(written.split()).replace("（", "(").replace("）", ")")
        if cleaned in self.unit_ids:
            return cleaned
        if cleaned in self.aliases:
            return self.aliases[cleaned]
        raise UnknownUnitError(written, self.suggest_units(cleaned))

    def unit_id(self, unit: str) -> int:
        return self.unit_ids[self.resolve_unit(unit)]

    def unit_name(self, unit_id: int) -> str:
        return self.unit_names[unit_id]

    def suggest_units(self, written: str, limit: int = 3) -> list[str]:
        if not written:
            return []
        containing = sorted((n for n in self.unit_ids if written in n), key=len)
        forms = [*self.unit_ids, *self.aliases]
        close = difflib.get_close_matches(written, forms, n=limit * 2, cutoff=0.5)
        ordered: list[str] = []
        for name in [*containing, *(self.aliases.get(c, c) for c in close)]:
            if name not in ordered:
                ordered.append(name)
        return ordered[:limit]

    def roles(self, unit: str) -> dict[str, str]:
        """{item id: "lead" | "coop"} for the unit, from memory (no query)."""
        unit = self.resolve_unit(unit)
        return {self.items[i].id: role for i, role in self.roles_by_unit[unit].items()}

    # -- items ------------------------------------------------------------------------------
    def item_id(self, code: str) -> int:
        """The row id of the item with this code in the plan shown; UnknownItemError otherwise."""
        item_id = self.item_ids.get(code.strip())
        if item_id is None:
            raise UnknownItemError(f"工作方案中没有编号为「{code}」的工作措施")
        return item_id

    def role(self, unit: str, item_id: int) -> str:
        """``unit``'s role on the item (``unit`` already canonical); NotAssignedError if none."""
        role = self.roles_by_unit[unit].get(item_id)
        if role is None:
            code = self.items[item_id].id
            raise NotAssignedError(f"{unit} 不是工作措施 {code} 的牵头或配合单位，不能填报")
        return role

    def assigned(self, unit: str, code: str) -> tuple[str, int]:
        """Canonical unit and item row id, after checking the unit works on the item."""
        unit = self.resolve_unit(unit)
        item_id = self.item_id(code)
        self.role(unit, item_id)
        return unit, item_id
