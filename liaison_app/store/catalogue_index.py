"""The plan catalogue in memory (units, aliases, items, roles, milestones and targets), read with
plain SQL on a DB-API ``sqlite3`` connection, and the lookups that answer from it.

Free of SQLAlchemy: the window's first screen and the read-only commands fill it straight from
:func:`liaison_app.store.sqlite_read.open_current`'s connection before SQLAlchemy is imported; the
service (:class:`liaison_app.store.catalogue.Catalogue`) fills it through its session's own
connection. One read, whoever asks.
"""

from __future__ import annotations

import datetime as dt
import difflib
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from liaison_app.plan.model import Milestone, Target
from liaison_app.store.records import (
    CatalogItem,
    MilestoneState,
    NotAssignedError,
    PlanInfo,
    TargetState,
    UnitInfo,
    UnknownItemError,
    UnknownPlanError,
    UnknownUnitError,
)

Promises = tuple[dict[int, list[tuple[int, Milestone]]], dict[int, list[tuple[int, Target]]]]
# an item's milestones and targets as a unit sees them (ticks, figures)
Promised = tuple[tuple[MilestoneState, ...], tuple[TargetState, ...]]
NO_PROMISES: Promised = ((), ())
# what a unit's list holds before its progress is read: (item row id, role, item, the item's
# milestones none ticked and targets without figures)
Listed = tuple[int, str, CatalogItem, Promised]


def sql_date(value: str | None) -> dt.date | None:
    """A DATE column as SQLAlchemy writes it (``YYYY-MM-DD``)."""
    return None if value is None else dt.date.fromisoformat(value)


def sql_datetime(value: str | None) -> dt.datetime | None:
    """A DATETIME column as SQLAlchemy writes it (``YYYY-MM-DD HH:MM:SS.ffffff``)."""
    return None if value is None else dt.datetime.fromisoformat(value)


@dataclass
class PlanHead:
    """The plan row's own fields (the ``plan`` table)."""

    id: str
    name: str
    issued_on: dt.date
    issued_on_note: str
    revision: int
    active: bool


class ItemFields(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def sub(self) -> int | None: ...

    @property
    def text(self) -> str: ...

    @property
    def deadline(self) -> dt.date | None: ...

    @property
    def position(self) -> int: ...


class MeasureFields(Protocol):
    @property
    def number(self) -> int: ...

    @property
    def title(self) -> str: ...


class AreaFields(Protocol):
    @property
    def number(self) -> int: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class _Item:
    id: int
    measure_id: int
    code: str
    sub: int | None
    text: str
    deadline: dt.date | None
    position: int


@dataclass(frozen=True)
class _Measure:
    area_id: int
    number: int
    title: str


@dataclass(frozen=True)
class _Area:
    number: int
    name: str


def catalog_item(
    row: ItemFields,
    measure: MeasureFields,
    area: AreaFields,
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


def read_promises(connection: sqlite3.Connection, plan_id: str) -> Promises:
    """Per item row id: (row id, milestone) in number order and (row id, target) in text order."""
    milestones: dict[int, list[tuple[int, Milestone]]] = {}
    for row_id, item_id, day, text in connection.execute(
        "SELECT m.id, m.item_id, m.date, m.text FROM milestone m JOIN item i ON i.id = m.item_id "
        "WHERE i.plan_id = ? ORDER BY m.item_id, m.number",
        (plan_id,),
    ):
        milestones.setdefault(item_id, []).append((row_id, Milestone(dt.date.fromisoformat(day), text)))
    targets: dict[int, list[tuple[int, Target]]] = {}
    rows = connection.execute(
        "SELECT t.id, t.item_id, t.code, t.text, t.op, t.value, t.unit, t.baseline, t.baseline_unit, "
        "t.milestone FROM target t JOIN item i ON i.id = t.item_id "
        "WHERE i.plan_id = ? ORDER BY t.item_id, t.position",
        (plan_id,),
    )
    for row_id, item_id, code, text, op, value, unit, baseline, baseline_unit, milestone in rows:
        target = Target(
            id=code,
            text=text,
            op=op,
            value=Decimal(value),
            unit=unit,
            baseline=None if baseline is None else Decimal(baseline),
            baseline_unit=baseline_unit,
            milestone=milestone,
        )
        targets.setdefault(item_id, []).append((row_id, target))
    return milestones, targets


def open_promises(item: CatalogItem) -> Promised:
    """The item's milestones with none ticked and its targets with no figure reported."""
    if not item.milestones and not item.targets:
        return NO_PROMISES
    return (
        tuple(MilestoneState(number, m.date, m.text) for number, m in enumerate(item.milestones, start=1)),
        tuple(TargetState(t) for t in item.targets),
    )


def _plan_head(connection: sqlite3.Connection, plan_id: str | None) -> PlanHead:
    columns = "SELECT id, name, issued_on, issued_on_note, revision, active FROM plan"
    if plan_id is None:
        row = connection.execute(f"{columns} ORDER BY active DESC, loaded_at LIMIT 1").fetchone()
    else:
        row = connection.execute(f"{columns} WHERE id = ?", (plan_id.strip(),)).fetchone()
        if row is None:
            known = "、".join(r[0] for r in connection.execute("SELECT id FROM plan ORDER BY loaded_at"))
            raise UnknownPlanError(f"没有编号为「{plan_id}」的工作方案(已载入:{known})")
    if row is None:
        raise UnknownPlanError("台账数据库中还没有工作方案")
    plan, name, issued_on, note, revision, active = row
    return PlanHead(plan, name, dt.date.fromisoformat(issued_on), note, revision, bool(active))


class CatalogueIndex:
    """One plan's catalogue, read into memory; lookups by name, alias and code."""

    def __init__(self) -> None:
        self.plan: PlanHead
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
        self._listed: dict[str, list[Listed]] = {}  # unit → its list, worked out when first asked
        self._untouched: dict[int, Promised] = {}  # item row id → open_promises(item), shared

    def fill(self, connection: sqlite3.Connection, plan_id: str | None = None) -> None:
        """Read the chosen plan (default: the active one) into memory."""
        plan = _plan_head(connection, plan_id)
        self._listed, self._untouched = {}, {}
        self.plan = plan
        self.plan_id = plan.id
        units = connection.execute(
            "SELECT u.id, u.name, u.category FROM unit u JOIN plan_unit p ON p.unit_id = u.id "
            "WHERE p.plan_id = ? ORDER BY p.position",
            (plan.id,),
        ).fetchall()
        self.unit_ids = {name: unit_id for unit_id, name, _ in units}
        self.unit_names = dict(connection.execute("SELECT id, name FROM unit").fetchall())
        self.unit_categories = {name: category for _, name, category in units}
        self.aliases = {
            alias: self.unit_names[unit_id]
            for alias, unit_id in connection.execute("SELECT alias, unit_id FROM unit_alias")
            if self.unit_names[unit_id] in self.unit_ids
        }
        self.codes = dict(connection.execute("SELECT id, code FROM item").fetchall())
        lineage = dict(
            connection.execute(
                "SELECT item_id, old_code FROM item_lineage WHERE plan_id = ? AND how != 'dropped' "
                "ORDER BY revision",
                (plan.id,),
            ).fetchall()
        )
        areas = {
            row_id: _Area(number, name)
            for row_id, number, name in connection.execute(
                "SELECT id, number, name FROM area WHERE plan_id = ?", (plan.id,)
            )
        }
        measures = {
            row_id: _Measure(area_id, number, title)
            for row_id, area_id, number, title in connection.execute(
                "SELECT id, area_id, number, title FROM measure WHERE plan_id = ?", (plan.id,)
            )
        }
        roles: dict[int, dict[str, list[str]]] = {}
        self.roles_by_unit = {name: {} for name in self.unit_ids}
        for item_id, unit_id, role in connection.execute(
            "SELECT a.item_id, a.unit_id, a.role FROM assignment a JOIN item i ON i.id = a.item_id "
            "WHERE i.plan_id = ? AND i.archived_revision IS NULL AND a.archived_revision IS NULL "
            "ORDER BY a.item_id, a.position",
            (plan.id,),
        ):
            name = self.unit_names[unit_id]
            roles.setdefault(item_id, {"lead": [], "coop": []})[role].append(name)
            self.roles_by_unit[name][item_id] = role
        self.items = {}
        self.item_ids = {}
        milestones, targets = read_promises(connection, plan.id)
        self.milestone_ids = {
            (item_id, number): row_id
            for item_id, rows in milestones.items()
            for number, (row_id, _m) in enumerate(rows, start=1)
        }
        self.target_ids = {t.id: row_id for rows in targets.values() for row_id, t in rows}
        for row_id, measure_id, code, sub, text, deadline, position in connection.execute(
            "SELECT id, measure_id, code, sub, text, deadline, position FROM item "
            "WHERE plan_id = ? AND archived_revision IS NULL ORDER BY position",
            (plan.id,),
        ):
            row = _Item(row_id, measure_id, code, sub, text, sql_date(deadline), position)
            measure = measures[row.measure_id]
            item_roles = roles.get(row.id, {"lead": [], "coop": []})
            self.items[row.id] = catalog_item(
                row,
                measure,
                areas[measure.area_id],
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

    def unit_items(self, unit: str) -> list[Listed]:
        """What ``unit`` (canonical) works on, in plan order: (item row id, role, item, its
        milestones and targets untouched). Worked out once per unit and plan: every unit switch
        asks for it, and none of it changes until another plan is read."""
        listed = self._listed.get(unit)
        if listed is None:
            roles, untouched = self.roles_by_unit[unit], self._untouched
            listed = self._listed[unit] = []
            for item_id, item in self.items.items():  # in plan order
                if item_id in roles:
                    promised = untouched.get(item_id)
                    if promised is None:  # one copy per item, whichever units list it
                        promised = untouched[item_id] = open_promises(item)
                    listed.append((item_id, roles[item_id], item, promised))
        return listed

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
