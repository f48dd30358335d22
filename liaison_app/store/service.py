"""The service layer: the only code that opens sessions. The CLI and the UI call these methods and
get plain frozen dataclasses back; they never see SQLAlchemy objects.

The plan catalogue (areas, measures, items, roles) never changes after loading, so it is read
once into memory; per-unit progress is read and written per call, one transaction per action.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison_app import paths
from liaison_app.clock import Clock, SystemClock
from liaison_app.store.database import Database, open_database
from liaison_app.store.models import (
    AreaRow,
    AssignmentRow,
    HistoryRow,
    ItemRow,
    MeasureRow,
    PlanAnomalyRow,
    PlanRow,
    ProgressRow,
    SettingRow,
    UnitAliasRow,
    UnitRow,
)
from liaison_app.store.plan_loader import bundled_plan, has_any_plan, load_plan
from liaison_app.store.records import (
    MAX_NOTE_CHARS,
    Anomaly,
    CatalogItem,
    HistoryEntry,
    NotAssignedError,
    PlanInfo,
    ServiceError,
    UnitInfo,
    UnitTask,
    UnknownItemError,
    UnknownUnitError,
    summarize,
)
from liaison_app.store.status import Status, parse_status

__all__ = [
    "MAX_NOTE_CHARS", "Anomaly", "CatalogItem", "HistoryEntry", "LiaisonService", "NotAssignedError",
    "PlanInfo", "ServiceError", "UnitInfo", "UnitTask", "UnknownItemError", "UnknownUnitError",
    "summarize",
]

_UNSET = object()


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _validate_note(note: str) -> str:
    if "\x00" in note:
        raise ServiceError("进展情况中含有不可见的空字符(NUL)，请删除后再保存")
    if len(note) > MAX_NOTE_CHARS:
        raise ServiceError(f"进展情况过长({len(note)} 字)，请控制在 {MAX_NOTE_CHARS} 字以内")
    return note


class LiaisonService:
    """Everything a liaison (and the CLI) does with the catalogue and their unit's progress."""

    def __init__(self, database: Database, clock: Clock | None = None, actor: str = "") -> None:
        self.database = database
        self.clock = clock or SystemClock()
        self.actor = actor
        with self.database.sessions() as session:
            if not has_any_plan(session):
                load_plan(session, bundled_plan(), self.clock.now())
                session.commit()
            self._load_catalogue(session)

    @classmethod
    def open(cls, data_dir: Path, clock: Clock | None = None, actor: str = "") -> LiaisonService:
        folder = paths.ensure_data_dir(data_dir)
        return cls(open_database(paths.database_path(folder)), clock, actor)

    def close(self) -> None:
        self.database.dispose()

    # -- catalogue (read once) -------------------------------------------------------------
    def _load_catalogue(self, session: Session) -> None:
        plan = session.scalars(select(PlanRow).order_by(PlanRow.loaded_at)).first()
        assert plan is not None
        self._plan = plan
        self.plan_id = plan.id
        units = session.scalars(
            select(UnitRow).where(UnitRow.plan_id == plan.id).order_by(UnitRow.position)
        ).all()
        self._unit_ids = {u.name: u.id for u in units}
        self._unit_names = {u.id: u.name for u in units}
        self._unit_categories = {u.name: u.category for u in units}
        aliases = session.execute(
            select(UnitAliasRow.alias, UnitAliasRow.unit_id).where(UnitAliasRow.plan_id == plan.id)
        ).all()
        self._aliases = {alias: self._unit_names[unit_id] for alias, unit_id in aliases}
        areas = {a.id: a for a in session.scalars(select(AreaRow).where(AreaRow.plan_id == plan.id))}
        measures = {
            m.id: m for m in session.scalars(select(MeasureRow).where(MeasureRow.plan_id == plan.id))
        }
        roles: dict[int, dict[str, list[str]]] = {}
        self._roles_by_unit: dict[str, dict[int, str]] = {name: {} for name in self._unit_ids}
        assignments = session.execute(
            select(AssignmentRow.item_id, AssignmentRow.unit_id, AssignmentRow.role)
            .join(ItemRow, ItemRow.id == AssignmentRow.item_id)
            .where(ItemRow.plan_id == plan.id)
            .order_by(AssignmentRow.item_id, AssignmentRow.position)
        ).all()
        for item_id, unit_id, role in assignments:
            name = self._unit_names[unit_id]
            roles.setdefault(item_id, {"lead": [], "coop": []})[role].append(name)
            self._roles_by_unit[name][item_id] = role
        self._items: dict[int, CatalogItem] = {}
        self._item_ids: dict[str, int] = {}
        for row in session.scalars(
            select(ItemRow).where(ItemRow.plan_id == plan.id).order_by(ItemRow.position)
        ):
            measure = measures[row.measure_id]
            area = areas[measure.area_id]
            item_roles = roles.get(row.id, {"lead": [], "coop": []})
            self._items[row.id] = CatalogItem(
                id=row.code, area=area.number, area_name=area.name, measure=measure.number,
                measure_title=measure.title, item=row.sub, text=row.text,
                lead=tuple(item_roles["lead"]), coop=tuple(item_roles["coop"]),
                deadline=row.deadline, position=row.position,
            )
            self._item_ids[row.code] = row.id
        self._area_count = len(areas)
        self._measure_count = len(measures)

    def plan_info(self) -> PlanInfo:
        return PlanInfo(
            plan_id=self._plan.id, name=self._plan.name, issued_on=self._plan.issued_on,
            issued_on_note=self._plan.issued_on_note, areas=self._area_count,
            measures=self._measure_count, items=len(self._items), units=len(self._unit_ids),
        )

    def catalog(self) -> list[CatalogItem]:
        return list(self._items.values())

    def units(self) -> list[UnitInfo]:
        aliases_by_unit: dict[str, list[str]] = {}
        for alias, name in self._aliases.items():
            aliases_by_unit.setdefault(name, []).append(alias)
        result = []
        for name in self._unit_ids:
            roles = self._roles_by_unit[name].values()
            result.append(UnitInfo(
                name=name, category=self._unit_categories[name],
                lead_items=sum(r == "lead" for r in roles), coop_items=sum(r == "coop" for r in roles),
                aliases=tuple(aliases_by_unit.get(name, ())),
            ))
        return result

    def resolve_unit(self, written: str) -> str:
        """The canonical name for a unit name or alias; :class:`UnknownUnitError` otherwise."""
        cleaned = "".join(written.split()).replace("（", "(").replace("）", ")")
        if cleaned in self._unit_ids:
            return cleaned
        if cleaned in self._aliases:
            return self._aliases[cleaned]
        raise UnknownUnitError(written, self.suggest_units(cleaned))

    def suggest_units(self, written: str, limit: int = 3) -> list[str]:
        if not written:
            return []
        containing = sorted((n for n in self._unit_ids if written in n), key=len)
        forms = [*self._unit_ids, *self._aliases]
        close = difflib.get_close_matches(written, forms, n=limit * 2, cutoff=0.5)
        ordered: list[str] = []
        for name in [*containing, *(self._aliases.get(c, c) for c in close)]:
            if name not in ordered:
                ordered.append(name)
        return ordered[:limit]

    def anomalies(self) -> list[Anomaly]:
        with self.database.sessions() as session:
            rows = session.scalars(
                select(PlanAnomalyRow).where(PlanAnomalyRow.plan_id == self.plan_id)
                .order_by(PlanAnomalyRow.id)
            ).all()
            return [Anomaly(r.kind, r.location, r.detail) for r in rows]

    # -- one unit's work --------------------------------------------------------------------
    def _item_id(self, code: str) -> int:
        item_id = self._item_ids.get(code.strip())
        if item_id is None:
            raise UnknownItemError(f"工作方案中没有编号为「{code}」的工作措施")
        return item_id

    def _role(self, unit: str, item_id: int) -> str:
        role = self._roles_by_unit[unit].get(item_id)
        if role is None:
            code = self._items[item_id].id
            raise NotAssignedError(f"{unit} 不是工作措施 {code} 的牵头或配合单位，不能填报")
        return role

    def _task(self, unit: str, item_id: int, row: ProgressRow | None, evidence: int = 0) -> UnitTask:
        return UnitTask(
            unit=unit, role=self._roles_by_unit[unit][item_id], item=self._items[item_id],
            status=Status(row.status) if row else Status.NOT_STARTED,
            note=row.note if row else "", completed_on=row.completed_on if row else None,
            updated_at=row.updated_at if row else None, evidence=evidence,
        )

    def tasks(self, unit: str) -> list[UnitTask]:
        """Every item ``unit`` leads or cooperates on, in plan order, with its progress."""
        unit = self.resolve_unit(unit)
        unit_id = self._unit_ids[unit]
        with self.database.sessions() as session:
            rows = {
                row.item_id: row
                for row in session.scalars(select(ProgressRow).where(ProgressRow.unit_id == unit_id))
            }
        item_ids = sorted(self._roles_by_unit[unit], key=lambda i: self._items[i].position)
        return [self._task(unit, item_id, rows.get(item_id)) for item_id in item_ids]

    def task(self, unit: str, code: str) -> UnitTask:
        unit = self.resolve_unit(unit)
        item_id = self._item_id(code)
        self._role(unit, item_id)
        with self.database.sessions() as session:
            row = session.scalars(
                select(ProgressRow).where(
                    ProgressRow.unit_id == self._unit_ids[unit], ProgressRow.item_id == item_id
                )
            ).first()
            return self._task(unit, item_id, row)

    def update(
        self,
        unit: str,
        code: str,
        *,
        status: Status | str | None = None,
        note: str | None = None,
        completed_on: dt.date | object | None = _UNSET,
    ) -> UnitTask:
        """Change status, note and/or completion date in one transaction, with history rows.

        Marking an item 已完成 sets its completion date to today unless one is given; moving it
        away from 已完成 clears the date unless one is given.
        """
        unit = self.resolve_unit(unit)
        item_id = self._item_id(code)
        self._role(unit, item_id)
        new_status = parse_status(status) if isinstance(status, str) else status
        if note is not None:
            note = _validate_note(note)
        now = self.clock.now()
        unit_id = self._unit_ids[unit]
        with self.database.sessions() as session, session.begin():
            row = session.scalars(
                select(ProgressRow).where(ProgressRow.unit_id == unit_id,
                                          ProgressRow.item_id == item_id)
            ).first()
            old_status = Status(row.status) if row else Status.NOT_STARTED
            old_note = row.note if row else ""
            old_completed = row.completed_on if row else None
            changes: list[tuple[str, str | None, str | None]] = []
            target_status, target_note, target_completed = old_status, old_note, old_completed
            if new_status is not None and new_status is not old_status:
                changes.append(("status", old_status.value, new_status.value))
                target_status = new_status
                if completed_on is _UNSET:
                    if new_status is Status.DONE and old_completed is None:
                        completed_on = self.clock.today()
                    elif new_status is not Status.DONE and old_status is Status.DONE:
                        completed_on = None
            if note is not None and note != old_note:
                changes.append(("note", old_note, note))
                target_note = note
            if completed_on is not _UNSET and completed_on != old_completed:
                assert completed_on is None or isinstance(completed_on, dt.date)
                changes.append(("completed_on", _iso(old_completed), _iso(completed_on)))
                target_completed = completed_on
            if changes:
                if row is None:
                    row = ProgressRow(unit_id=unit_id, item_id=item_id)
                    session.add(row)
                row.status = target_status.value
                row.note = target_note
                row.completed_on = target_completed
                row.updated_at = now
                session.add_all(
                    HistoryRow(unit_id=unit_id, item_id=item_id, field=field, before=before,
                               after=after, changed_at=now, actor=self.actor)
                    for field, before, after in changes
                )
            return self._task(unit, item_id, row)

    def history(self, unit: str, code: str) -> list[HistoryEntry]:
        """This unit's changes to this item, newest first."""
        unit = self.resolve_unit(unit)
        item_id = self._item_id(code)
        with self.database.sessions() as session:
            rows = session.scalars(
                select(HistoryRow)
                .where(HistoryRow.unit_id == self._unit_ids[unit], HistoryRow.item_id == item_id)
                .order_by(HistoryRow.id.desc())
            ).all()
            return [HistoryEntry(r.changed_at, r.field, r.before, r.after, r.actor) for r in rows]

    # -- settings (profile, last unit) ------------------------------------------------------
    def setting(self, key: str, default: str = "") -> str:
        with self.database.sessions() as session:
            row = session.get(SettingRow, key)
            return row.value if row else default

    def set_settings(self, values: dict[str, str]) -> None:
        with self.database.sessions() as session, session.begin():
            for key, value in values.items():
                row = session.get(SettingRow, key)
                if row is None:
                    session.add(SettingRow(key=key, value=value))
                else:
                    row.value = value
