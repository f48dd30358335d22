"""The service layer: the only code that opens sessions. The CLI and the UI call these methods and
get plain frozen dataclasses back; they never see SQLAlchemy objects.

The plan catalogue (areas, measures, items, roles) never changes after loading, so it is read
once into memory; per-unit progress is read and written per call, one transaction per action.
"""

from __future__ import annotations

import datetime as dt
import difflib
import getpass
import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison_app import data_lock, paths
from liaison_app.clock import Clock, SystemClock
from liaison_app.evidence import EvidenceError, EvidenceStore, Ingested, find_problems
from liaison_app.filenames import safe_name
from liaison_app.plan.model import Plan
from liaison_app.reports.evidence_bundle import BundleFile
from liaison_app.settings import (
    LAST_UNIT,
    LEGACY_PROFILE_NAME,
    LEGACY_PROFILE_PHONE,
    LIAISON_EMAIL,
    LIAISON_NAME,
    LIAISON_PHONE,
    REGISTRY,
    Scope,
    Setting,
    storage_key,
)
from liaison_app.store import backup
from liaison_app.store.database import Database, open_database, open_read_only
from liaison_app.store.models import (
    AreaRow,
    AssignmentRow,
    AttachmentRow,
    DeliverableRow,
    EvidenceRow,
    HistoryRow,
    ItemLineageRow,
    ItemRow,
    MeasureRow,
    OfficeReturnRow,
    PlanAnomalyRow,
    PlanRow,
    PlanUnitRow,
    ProgressRow,
    SettingRow,
    SpecialGroupRow,
    TypicalCaseRow,
    UnitAliasRow,
    UnitRow,
)
from liaison_app.store.plan_loader import (
    bundled_plan,
    has_any_plan,
    has_promises,
    load_groups,
    load_plan,
    load_promises,
)
from liaison_app.store.promises import PromisesMixin
from liaison_app.store.records import (
    MAX_CELL_CHARS,
    MAX_NOTE_CHARS,
    ActualRecord,
    Anomaly,
    CatalogItem,
    EvidenceProblem,
    EvidenceRecord,
    HistoryEntry,
    LiaisonProfile,
    MilestoneState,
    NotAssignedError,
    PlanInfo,
    ServiceError,
    TargetState,
    UnitInfo,
    UnitTask,
    UnknownItemError,
    UnknownPlanError,
    UnknownUnitError,
    check_file_name,
    check_text,
    printable,
    summarize,
)
from liaison_app.store.status import Status, parse_status
from liaison_app.vocabulary import DeliverableKind

log = logging.getLogger(__name__)

__all__ = [
    "MAX_NOTE_CHARS",
    "ActualRecord",
    "Anomaly",
    "CatalogItem",
    "EvidenceError",
    "EvidenceProblem",
    "EvidenceRecord",
    "HistoryEntry",
    "LiaisonProfile",
    "LiaisonService",
    "MilestoneState",
    "NotAssignedError",
    "PlanInfo",
    "ServiceError",
    "TargetState",
    "UnitInfo",
    "UnitTask",
    "UnknownItemError",
    "UnknownUnitError",
    "summarize",
]

_UNSET = object()
T = TypeVar("T")
LOCK_WAIT_SECONDS = 10.0  # a second writer waits this long for the first to finish


def first_writer_wins(action: Callable[[], T]) -> T:
    """Run a one-transaction action; when another writer created the same row first (two
    first saves of one item at once), run it again on top of that row instead of failing."""
    try:
        return action()
    except IntegrityError:
        return action()


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _validate_description(text: str) -> str:
    return check_text(text.strip(), "说明", 200)


def _validate_note(note: str) -> str:
    return check_text(note, "进展情况", MAX_NOTE_CHARS)


class UnsafeOutputError(ServiceError):
    """An output path inside the data folder's own files."""


class EvidenceIntegrityError(ServiceError):
    """Stored evidence is missing, damaged, or named by an invalid hash."""


class LiaisonService(PromisesMixin):
    """Everything a liaison (and the CLI) does with the catalogue and their unit's progress."""

    def __init__(
        self,
        database: Database,
        clock: Clock | None = None,
        actor: str = "",
        plan: str | None = None,
        *,
        first_plan: Plan | None = None,
    ) -> None:
        self.database = database
        self.clock = clock or SystemClock()
        self.actor = actor
        self.login = _login()  # whose per-user settings these are
        # (unit id, item id) → (note editing session, its history row): see update()
        self._note_sessions: dict[tuple[int, int], tuple[str, int]] = {}
        self.data_dir = database.path.parent
        self.warnings: list[str] = []  # things the user should hear about, e.g. a failed backup
        self.evidence_store = EvidenceStore(self.data_dir / "evidence")
        self._locked: Path | None = None
        with self.database.sessions() as session:
            if not self.database.read_only:
                self.evidence_store.clean_temporary()  # part files of a copy interrupted by a crash
            if not has_any_plan(session):
                if self.database.read_only:
                    raise ServiceError("台账数据库中还没有工作方案，只读方式无法打开")
                load_plan(session, first_plan or bundled_plan(), self.clock.now())
                session.commit()
            self._load_catalogue(session, plan)
            self._fill_groups(session)
            self._fill_promises(session)

    def _fill_promises(self, session: Session) -> None:
        """A database made before schema 0006 gets milestones and targets from the bundled plan."""
        if has_promises(session, self.plan_id):
            return
        plan = bundled_plan()
        if plan.plan_id != self.plan_id:
            return
        if load_promises(session, plan, {item.id: row_id for row_id, item in self._items.items()}):
            session.flush()
            self._load_catalogue(session)
            self._tick_settled_items(session)
            session.commit()

    def _plan_issued_on(self) -> dt.date:
        return self._plan.issued_on

    def _fill_groups(self, session: Session) -> None:
        """A database loaded before special groups existed gets them from the bundled plan."""
        if self.database.read_only or session.scalar(
            select(SpecialGroupRow.id).where(SpecialGroupRow.plan_id == self.plan_id)
        ):
            return
        plan = bundled_plan()
        if plan.plan_id == self.plan_id and plan.groups:
            load_groups(session, plan, self._unit_ids)
            session.commit()

    @classmethod
    def open(
        cls,
        data_dir: Path,
        clock: Clock | None = None,
        actor: str = "",
        *,
        wait_seconds: float = LOCK_WAIT_SECONDS,
        plan: str | None = None,
        first_plan: Plan | None = None,
    ) -> LiaisonService:
        """Open the data folder for writing: take its lock (one writer per folder), check,
        migrate (after a snapshot), load, and take today's snapshot if there is none yet.
        ``plan`` chooses the plan shown (default: the active one); ``first_plan`` is what an empty
        database is filled with (the bundled plan unless given; tests use a small synthetic one)."""
        folder = paths.ensure_data_dir(data_dir)
        clock = clock or SystemClock()
        data_lock.acquire(folder, wait_seconds)
        database = None
        try:
            paths.clean_leftovers(folder)
            db_path = paths.database_path(folder)
            database = open_database(db_path, clock.now())
            service = cls(database, clock, actor, plan, first_plan=first_plan)
        except BaseException:
            if database is not None:
                database.dispose()
            data_lock.release(folder)
            raise
        service._locked = folder
        log.info("opened %s (plan %s)", db_path, service.plan_id)
        try:
            backup.daily(folder, db_path, clock.today())
        except backup.BackupError as exc:
            log.warning("daily backup not made: %s", exc)
            service.warnings.append(f"今天的自动备份没有完成:{exc}")
        return service

    @classmethod
    def open_read_only(
        cls, data_dir: Path, clock: Clock | None = None, plan: str | None = None
    ) -> LiaisonService:
        """Open the data for reading only, without the lock: for commands that only read while
        the window is open, and for rescue from a read-only or full data folder (nothing is
        written: no probe, no snapshot, no clean-up)."""
        folder = paths.data_dir(data_dir)
        if not folder.is_dir():
            raise paths.DataDirError(f"数据文件夹不存在:{folder}")
        database = open_read_only(paths.database_path(folder))
        try:
            return cls(database, clock or SystemClock(), plan=plan)
        except BaseException:
            database.dispose()
            raise

    @property
    def read_only(self) -> bool:
        return self.database.read_only

    def full_backup(self, target: Path) -> dict[str, int]:
        """备份到…: the database and every evidence file in one zip with a manifest."""
        self.check_output(target)
        result = backup.full_backup(
            self.database.path, self.evidence_store.root, target, self.plan_id, self.clock.now()
        )
        log.info("full backup written to %s (%d evidence files)", target, result["evidence"])
        return result

    def check_output(self, path: Path) -> None:
        """Refuse an output path that would overwrite the live database, its journals, the lock
        or anything in the evidence store or the snapshots (``bundle``/``backup``/``export``/
        ``consolidate -o``)."""
        reason = paths.protected_output(path, self.data_dir)
        if reason:
            raise UnsafeOutputError(f"不能写到 {printable(str(path))}:{reason}。请选择数据文件夹以外的位置。")

    def close(self) -> None:
        self.database.dispose()
        if self._locked is not None:
            data_lock.release(self._locked)
            self._locked = None

    # -- catalogue (read once) -------------------------------------------------------------
    def _load_catalogue(self, session: Session, plan_id: str | None = None) -> None:
        """Read the chosen plan (default: the active one) into memory."""
        if plan_id is None:
            plan = session.scalars(select(PlanRow).order_by(PlanRow.active.desc(), PlanRow.loaded_at)).first()
        else:
            plan = session.get(PlanRow, plan_id.strip())
            if plan is None:
                known = "、".join(session.scalars(select(PlanRow.id).order_by(PlanRow.loaded_at)))
                raise UnknownPlanError(f"没有编号为「{plan_id}」的工作方案(已载入:{known})")
        assert plan is not None
        self._plan = plan
        self.plan_id = plan.id
        units = session.execute(
            select(UnitRow.id, UnitRow.name, UnitRow.category)
            .join(PlanUnitRow, PlanUnitRow.unit_id == UnitRow.id)
            .where(PlanUnitRow.plan_id == plan.id)
            .order_by(PlanUnitRow.position)
        ).all()
        self._unit_ids = {name: unit_id for unit_id, name, _ in units}
        self._unit_names = dict(session.execute(select(UnitRow.id, UnitRow.name)).all())
        self._unit_categories = {name: category for _, name, category in units}
        aliases = session.execute(select(UnitAliasRow.alias, UnitAliasRow.unit_id)).all()
        self._aliases = {
            alias: self._unit_names[unit_id]
            for alias, unit_id in aliases
            if self._unit_names[unit_id] in self._unit_ids
        }
        self._codes = dict(session.execute(select(ItemRow.id, ItemRow.code)).all())
        self._lineage = {
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
        self._roles_by_unit: dict[str, dict[int, str]] = {name: {} for name in self._unit_ids}
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
            name = self._unit_names[unit_id]
            roles.setdefault(item_id, {"lead": [], "coop": []})[role].append(name)
            self._roles_by_unit[name][item_id] = role
        self._items: dict[int, CatalogItem] = {}
        self._item_ids: dict[str, int] = {}
        milestones, targets = self._catalogue_promises(session, plan.id)
        self._milestone_ids = {
            (item_id, number): row_id
            for item_id, rows in milestones.items()
            for number, (row_id, _m) in enumerate(rows, start=1)
        }
        self._target_ids = {t.id: row_id for rows in targets.values() for row_id, t in rows}
        for row in session.scalars(
            select(ItemRow)
            .where(ItemRow.plan_id == plan.id, ItemRow.archived_revision.is_(None))
            .order_by(ItemRow.position)
        ):
            measure = measures[row.measure_id]
            area = areas[measure.area_id]
            item_roles = roles.get(row.id, {"lead": [], "coop": []})
            self._items[row.id] = CatalogItem(
                id=row.code,
                area=area.number,
                area_name=area.name,
                measure=measure.number,
                measure_title=measure.title,
                item=row.sub,
                text=row.text,
                lead=tuple(item_roles["lead"]),
                coop=tuple(item_roles["coop"]),
                deadline=row.deadline,
                position=row.position,
                former=self._lineage.get(row.id, ""),
                milestones=tuple(m for _id, m in milestones.get(row.id, [])),
                targets=tuple(t for _id, t in targets.get(row.id, [])),
            )
            self._item_ids[row.code] = row.id
        self._area_count = len(areas)
        self._measure_count = len(measures)

    def switch_plan(self, plan_id: str) -> None:
        """Show another loaded plan (the data folder's units, cases and evidence stay as they are)."""
        with self.database.sessions() as session:
            self._load_catalogue(session, plan_id)

    def plan_info(self) -> PlanInfo:
        return PlanInfo(
            plan_id=self._plan.id,
            name=self._plan.name,
            issued_on=self._plan.issued_on,
            issued_on_note=self._plan.issued_on_note,
            areas=self._area_count,
            measures=self._measure_count,
            items=len(self._items),
            units=len(self._unit_ids),
            revision=self._plan.revision,
            active=self._plan.active,
        )

    def set_issued_on(self, day: dt.date) -> None:
        """Correct this plan's issue date (each plan keeps its own)."""
        with self.database.transaction() as session:
            row = session.get(PlanRow, self.plan_id)
            assert row is not None
            row.issued_on = day
        self._plan.issued_on = day

    def catalog(self) -> list[CatalogItem]:
        return list(self._items.values())

    def units(self) -> list[UnitInfo]:
        aliases_by_unit: dict[str, list[str]] = {}
        for alias, name in self._aliases.items():
            aliases_by_unit.setdefault(name, []).append(alias)
        result = []
        for name in self._unit_ids:
            roles = self._roles_by_unit[name].values()
            result.append(
                UnitInfo(
                    name=name,
                    category=self._unit_categories[name],
                    lead_items=sum(r == "lead" for r in roles),
                    coop_items=sum(r == "coop" for r in roles),
                    aliases=tuple(aliases_by_unit.get(name, ())),
                )
            )
        return result

    def resolve_unit(self, written: str) -> str:
        """The canonical name for a unit name or alias; :class:`UnknownUnitError` otherwise."""
        cleaned = "".join(written.split()).replace("（", "(").replace("）", ")")
        if cleaned in self._unit_ids:
            return cleaned
        if cleaned in self._aliases:
            return self._aliases[cleaned]
        raise UnknownUnitError(written, self.suggest_units(cleaned))

    def unit_id(self, unit: str) -> int:
        return self._unit_ids[self.resolve_unit(unit)]

    def item_id(self, code: str) -> int:
        return self._item_id(code)

    def roles(self, unit: str) -> dict[str, str]:
        """{item id: "lead" | "coop"} for the unit, from memory (no query)."""
        unit = self.resolve_unit(unit)
        return {self._items[i].id: role for i, role in self._roles_by_unit[unit].items()}

    def unit_name(self, unit_id: int) -> str:
        return self._unit_names[unit_id]

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
                select(PlanAnomalyRow)
                .where(PlanAnomalyRow.plan_id == self.plan_id)
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

    def _evidence_counts(self, session: Session, unit_id: int) -> dict[int, int]:
        rows = session.execute(
            select(EvidenceRow.item_id, func.count())
            .where(EvidenceRow.unit_id == unit_id)
            .group_by(EvidenceRow.item_id)
        ).all()
        return {item_id: int(count) for item_id, count in rows}

    def _task(
        self,
        unit: str,
        item_id: int,
        row: ProgressRow | None,
        evidence: int = 0,
        promises: tuple[tuple[MilestoneState, ...], tuple[TargetState, ...]] = ((), ()),
    ) -> UnitTask:
        return UnitTask(
            unit=unit,
            role=self._roles_by_unit[unit][item_id],
            item=self._items[item_id],
            status=Status(row.status) if row else Status.NOT_STARTED,
            note=row.note if row else "",
            completed_on=row.completed_on if row else None,
            updated_at=row.updated_at if row else None,
            evidence=evidence,
            milestones=promises[0],
            targets=promises[1],
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
            counts = self._evidence_counts(session, unit_id)
            item_ids = sorted(self._roles_by_unit[unit], key=lambda i: self._items[i].position)
            promises = self._promise_states(session, unit, item_ids)
        return [
            self._task(unit, i, rows.get(i), counts.get(i, 0), promises.get(i, ((), ()))) for i in item_ids
        ]

    def archived_tasks(self, unit: str) -> list[UnitTask]:
        """What a revision took from ``unit`` in this plan: kept read-only with its progress.

        ``item.id`` is the code the item had when it was taken (``item.former`` says the same)."""
        unit = self.resolve_unit(unit)
        unit_id = self._unit_ids[unit]
        with self.database.sessions() as session:
            found = session.execute(
                select(ItemRow, AssignmentRow.role, MeasureRow, AreaRow)
                .join(AssignmentRow, AssignmentRow.item_id == ItemRow.id)
                .join(MeasureRow, MeasureRow.id == ItemRow.measure_id)
                .join(AreaRow, AreaRow.id == MeasureRow.area_id)
                .where(
                    ItemRow.plan_id == self.plan_id,
                    AssignmentRow.unit_id == unit_id,
                    (ItemRow.archived_revision.is_not(None)) | (AssignmentRow.archived_revision.is_not(None)),
                )
                .order_by(ItemRow.position)
            ).all()
            progress = {
                row.item_id: row
                for row in session.scalars(select(ProgressRow).where(ProgressRow.unit_id == unit_id))
            }
            counts = self._evidence_counts(session, unit_id)
            result = []
            for item, role, measure, area in found:
                code = item.code.split("@")[0]
                row = progress.get(item.id)
                catalog_item = CatalogItem(
                    id=code,
                    area=area.number,
                    area_name=area.name,
                    measure=measure.number,
                    measure_title=measure.title,
                    item=item.sub,
                    text=item.text,
                    lead=(),
                    coop=(),
                    deadline=item.deadline,
                    position=item.position,
                    former=code,
                )
                result.append(
                    UnitTask(
                        unit=unit,
                        role=role,
                        item=catalog_item,
                        status=Status(row.status) if row else Status.NOT_STARTED,
                        note=row.note if row else "",
                        completed_on=row.completed_on if row else None,
                        updated_at=row.updated_at if row else None,
                        evidence=counts.get(item.id, 0),
                    )
                )
            return result

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
            count = self._evidence_counts(session, self._unit_ids[unit]).get(item_id, 0)
            promises = self._promise_states(session, unit, [item_id]).get(item_id, ((), ()))
            return self._task(unit, item_id, row, count, promises)

    def update(
        self,
        unit: str,
        code: str,
        *,
        status: Status | str | None = None,
        note: str | None = None,
        completed_on: dt.date | object | None = _UNSET,
        note_session: str = "",
    ) -> UnitTask:
        """Change status, note and/or completion date in one transaction, with history rows.

        Saves of a note within one editing session (``note_session``, chosen by the caller: the
        window starts one when the liaison starts typing and ends it on leaving the note) make one
        history entry, from the text before the session to the text after it, not one per pause.

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
        requested = completed_on

        def apply() -> UnitTask:
            completed_on = requested
            with self.database.transaction() as session:
                row = session.scalars(
                    select(ProgressRow).where(ProgressRow.unit_id == unit_id, ProgressRow.item_id == item_id)
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
                if target_status is Status.DONE and old_status is not Status.DONE:
                    done_on = target_completed or self.clock.today()
                    changes.extend(self._tick_open_on_done(session, unit_id, item_id, done_on))
                if changes:
                    if row is None:
                        row = ProgressRow(unit_id=unit_id, item_id=item_id)
                        session.add(row)
                    row.status = target_status.value
                    row.note = target_note
                    row.completed_on = target_completed
                    row.updated_at = now
                    for field, before, after in changes:
                        if field == "note" and self._continue_note(
                            session, unit_id, item_id, note_session, after, now
                        ):
                            continue
                        entry = HistoryRow(
                            unit_id=unit_id,
                            item_id=item_id,
                            field=field,
                            before=before,
                            after=after,
                            changed_at=now,
                            actor=self.actor,
                        )
                        session.add(entry)
                        if field == "note" and note_session:
                            session.flush()
                            self._note_sessions[(unit_id, item_id)] = (note_session, entry.id)
                count = self._evidence_counts(session, unit_id).get(item_id, 0)
                session.flush()
                promises = self._promise_states(session, unit, [item_id]).get(item_id, ((), ()))
                return self._task(unit, item_id, row, count, promises)

        return first_writer_wins(apply)

    def _continue_note(
        self,
        session: Session,
        unit_id: int,
        item_id: int,
        note_session: str,
        after: str | None,
        now: dt.datetime,
    ) -> bool:
        """Fold this save into the session's history entry if that entry is still the item's
        latest; an entry that ends where it began (typed, then deleted) is dropped."""
        remembered = self._note_sessions.get((unit_id, item_id))
        if not note_session or remembered is None or remembered[0] != note_session:
            return False
        latest = session.scalar(
            select(func.max(HistoryRow.id)).where(
                HistoryRow.unit_id == unit_id, HistoryRow.item_id == item_id
            )
        )
        entry = session.get(HistoryRow, remembered[1])
        if entry is None or latest != entry.id or entry.actor != self.actor:
            return False
        if (entry.before or "") == (after or ""):
            session.delete(entry)
            del self._note_sessions[(unit_id, item_id)]
        else:
            entry.after, entry.changed_at = after, now
        return True

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

    # -- evidence (佐证材料) -------------------------------------------------------------------
    def check_can_attach(self, unit: str, code: str) -> tuple[str, str]:
        """Canonical unit and item id, or the reason the unit cannot attach to this item."""
        unit = self.resolve_unit(unit)
        item_id = self._item_id(code)
        self._role(unit, item_id)
        return unit, self._items[item_id].id

    def attach(
        self,
        unit: str,
        code: str,
        source: Path,
        *,
        description: str = "",
        period: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> EvidenceRecord:
        """Copy ``source`` into the store, then record it (the file first, then the row)."""
        unit, code = self.check_can_attach(unit, code)
        _validate_description(description)  # before copying: a refusal must leave nothing behind
        check_file_name(source.name)
        self._check_cell_room(unit, code, source.name)
        ingested = self.evidence_store.ingest(source, progress, cancelled)
        return self.record_evidence(unit, code, ingested, description=description, period=period)

    def record_evidence(
        self, unit: str, code: str, ingested: Ingested, *, description: str = "", period: str | None = None
    ) -> EvidenceRecord:
        """Name an already stored blob on a unit's item (one transaction, with history)."""
        try:
            unit, code = self.check_can_attach(unit, code)
            description = _validate_description(description)
            check_file_name(ingested.original_name)
            self._check_cell_room(unit, code, ingested.original_name)
        except ServiceError:
            if ingested.created:
                self.delete_blob_if_unused(ingested.sha256)
            raise
        period = period or self.clock.today().strftime("%Y-%m")
        now = self.clock.now()
        item_id, unit_id = self._item_ids[code], self._unit_ids[unit]
        try:
            with self.database.transaction() as session:
                row = EvidenceRow(
                    unit_id=unit_id,
                    item_id=item_id,
                    sha256=ingested.sha256,
                    size=ingested.size,
                    original_name=ingested.original_name,
                    description=description,
                    period=period,
                    added_at=now,
                    added_by=self.actor,
                )
                session.add(row)
                session.add(
                    HistoryRow(
                        unit_id=unit_id,
                        item_id=item_id,
                        field="evidence",
                        before=None,
                        after=ingested.original_name,
                        changed_at=now,
                        actor=self.actor,
                    )
                )
                session.flush()
                record = self._evidence_record(row, unit, code)
        except Exception:
            if ingested.created:
                self.delete_blob_if_unused(ingested.sha256)
            raise
        return record

    def _check_cell_room(self, unit: str, code: str, name: str) -> None:
        """The report lists an item's file names in one cell, which holds 32,767 characters:
        refuse the file that would not fit, rather than have the cell cut (and its hash fail)."""
        names = [r.original_name for r in self.evidence(unit, code)] + [name]
        needed = len(f"{len(names)} 个:" + ";".join(names))
        if needed > MAX_CELL_CHARS:
            raise ServiceError(
                f"工作措施 {code} 的佐证材料文件名合计已达 {needed} 字，超过报表一个单元格"
                f"可容纳的 {MAX_CELL_CHARS} 字。请把文件合并(如打包为一个 zip)后再添加。"
            )

    @staticmethod
    def _evidence_record(row: EvidenceRow, unit: str, code: str) -> EvidenceRecord:
        return EvidenceRecord(
            id=row.id,
            unit=unit,
            item_code=code,
            sha256=row.sha256,
            size=row.size,
            original_name=row.original_name,
            description=row.description,
            period=row.period,
            added_at=row.added_at,
            added_by=row.added_by,
        )

    def evidence(
        self,
        unit: str,
        code: str | None = None,
        period: str | None = None,
    ) -> list[EvidenceRecord]:
        """A unit's files, for one item or all, optionally of one period; in plan order."""
        unit = self.resolve_unit(unit)
        query = select(EvidenceRow).where(
            EvidenceRow.unit_id == self._unit_ids[unit], EvidenceRow.item_id.in_(self._items)
        )
        if code is not None:
            query = query.where(EvidenceRow.item_id == self._item_id(code))
        if period is not None:
            query = query.where(EvidenceRow.period == period)
        with self.database.sessions() as session:
            rows = session.scalars(query.order_by(EvidenceRow.id)).all()
            records = [self._evidence_record(r, unit, self._items[r.item_id].id) for r in rows]
        return sorted(records, key=lambda r: self._items[self._item_ids[r.item_code]].position)

    def _evidence_row(self, session: Session, evidence_id: int, *, writing: bool = False) -> EvidenceRow:
        row = session.get(EvidenceRow, evidence_id)
        if row is None:
            raise ServiceError("该佐证材料已不存在(可能已被移除)")
        if writing and row.item_id not in self._items:
            code = self._codes.get(row.item_id, "?")
            raise ServiceError(f"这份佐证材料属于已归档或其他工作方案的工作措施({code})，只能查看")
        return row

    def describe_evidence(self, evidence_id: int, description: str) -> EvidenceRecord:
        description = _validate_description(description)
        now = self.clock.now()
        with self.database.transaction() as session:
            row = self._evidence_row(session, evidence_id, writing=True)
            if row.description != description:
                session.add(
                    HistoryRow(
                        unit_id=row.unit_id,
                        item_id=row.item_id,
                        field="evidence_description",
                        before=f"{row.original_name}:{row.description}",
                        after=f"{row.original_name}:{description}",
                        changed_at=now,
                        actor=self.actor,
                    )
                )
                row.description = description
            return self._evidence_record(row, self._unit_names[row.unit_id], self._items[row.item_id].id)

    def remove_evidence(self, evidence_id: int) -> EvidenceRecord:
        """Take a file off an item; its bytes go only when nothing else refers to them."""
        now = self.clock.now()
        with self.database.transaction() as session:
            row = self._evidence_row(session, evidence_id, writing=True)
            record = self._evidence_record(row, self._unit_names[row.unit_id], self._items[row.item_id].id)
            session.add(
                HistoryRow(
                    unit_id=row.unit_id,
                    item_id=row.item_id,
                    field="evidence",
                    before=row.original_name,
                    after=None,
                    changed_at=now,
                    actor=self.actor,
                )
            )
            session.delete(row)
        self.delete_blob_if_unused(record.sha256)
        return record

    def delete_blob_if_unused(self, sha256: str) -> None:
        """Remove stored bytes once no evidence row, no attachment and no return the office
        received refers to them."""
        with self.database.sessions() as session:
            used = session.scalar(select(func.count()).where(EvidenceRow.sha256 == sha256))
            used = used or session.scalar(select(func.count()).where(AttachmentRow.sha256 == sha256))
            used = used or session.scalar(select(func.count()).where(OfficeReturnRow.sha256 == sha256))
        if not used:
            self.evidence_store.delete(sha256)

    def evidence_file(self, evidence_id: int) -> Path:
        with self.database.sessions() as session:
            return self.evidence_store.blob_path(self._evidence_row(session, evidence_id).sha256)

    def open_copy(self, evidence_id: int) -> Path:
        """A copy under the original name, for the system's default application to open (the
        stored blob has no extension, and an editor must never change the kept original)."""
        with self.database.sessions() as session:
            row = self._evidence_row(session, evidence_id)
            sha, name = row.sha256, row.original_name
        blob = self.evidence_store.blob_path(sha)  # refuses a hash that is not one
        folder = self.data_dir / "opened" / sha[:12]
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / safe_name(name)
        if not target.exists():
            shutil.copyfile(blob, target)
        return target

    def evidence_inventory(self) -> list[tuple[str, str, str, str]]:
        """(unit, where, original name, sha256) of every stored file: what verify checks.

        ``where`` is the item id, or 典型案例 / 具体措施 / 调研报告 for the other duties' files.
        """
        with self.database.sessions() as session:
            rows = session.execute(
                select(
                    EvidenceRow.unit_id, EvidenceRow.item_id, EvidenceRow.original_name, EvidenceRow.sha256
                ).order_by(EvidenceRow.id)
            ).all()
            found = [(self._unit_names[u], self._codes[i], name, sha) for u, i, name, sha in rows]
            for attachment in session.scalars(select(AttachmentRow).order_by(AttachmentRow.id)):
                case = session.get(TypicalCaseRow, attachment.case_id) if attachment.case_id else None
                owner = case or session.get(DeliverableRow, attachment.deliverable_id)
                if owner is None:
                    continue
                where = "典型案例" if case else DeliverableKind(getattr(owner, "kind", "")).label
                found.append(
                    (self._unit_names[owner.unit_id], where, attachment.original_name, attachment.sha256)
                )
        return found

    @staticmethod
    def problems_in(
        inventory: list[tuple[str, str, str, str]], verdicts: dict[str, str]
    ) -> list[EvidenceProblem]:
        return [
            EvidenceProblem(unit, code, name, sha, verdicts[sha])
            for unit, code, name, sha in inventory
            if sha in verdicts
        ]

    def verify_evidence(
        self,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[EvidenceProblem]:
        """Every referenced file present and unchanged? The problems, per item."""
        inventory = self.evidence_inventory()
        verdicts = find_problems(self.evidence_store, [row[3] for row in inventory], progress)
        return self.problems_in(inventory, verdicts)

    def discard(self, ingested: Ingested) -> None:
        """Forget a blob copied in but never recorded (a cancelled batch)."""
        if ingested.created:
            self.delete_blob_if_unused(ingested.sha256)

    def bundle_files(self, unit: str, period: str | None, *, verify: bool = True) -> list[BundleFile]:
        """The files of ``unit`` for ``period`` (all periods when None), ready to bundle.

        Each stored file is checked first (size and SHA-256): a bundle never ships a damaged or
        truncated file under a manifest that claims the right hash.
        """
        records = self.evidence(unit, period=period)
        if verify:
            bad = [r for r in records if not self.evidence_store.intact(r.sha256, r.size)]
            if bad:
                names = "、".join(f"「{printable(r.original_name)}」" for r in bad[:5])
                raise EvidenceIntegrityError(
                    f"{len(bad)} 个佐证材料丢失、已损坏或记录无效，没有打包:{names}。"
                    "请运行“校验佐证材料”(liaison-app verify)，从备份恢复或重新添加后再打包。"
                )
        return [
            BundleFile(
                item_code=r.item_code,
                item_title=self._items[self._item_ids[r.item_code]].measure_title,
                original_name=printable(r.original_name),  # a name recorded before the rules
                sha256=r.sha256,
                size=r.size,
                added_at=r.added_at,
                description=r.description,
                blob=self.evidence_store.blob_path(r.sha256),
            )
            for r in records
        ]

    # -- settings (every key declared in liaison_app.settings) -------------------------------
    def _read(self, key: str) -> str | None:
        return self._read_many([key]).get(key)

    def _read_many(self, keys: list[str]) -> dict[str, str]:
        """Several settings in one query (the window reads a unit's liaison on every switch)."""
        with self.database.sessions() as session:
            rows = session.scalars(select(SettingRow).where(SettingRow.key.in_(keys)))
            return {row.key: row.value for row in rows}

    def _write(self, values: dict[str, str], drop: tuple[str, ...] = ()) -> None:
        def apply() -> None:
            with self.database.transaction() as session:
                for key in drop:
                    row = session.get(SettingRow, key)
                    if row is not None:
                        session.delete(row)
                for key, value in values.items():
                    row = session.get(SettingRow, key)
                    if row is None:
                        session.add(SettingRow(key=key, value=value))
                    else:
                        row.value = value

        first_writer_wins(apply)

    def _key(self, setting: Setting, unit: str = "") -> str:
        if setting.scope is Scope.UNIT:
            unit = self.resolve_unit(unit)
        return storage_key(setting, unit=unit, user=self.login)

    def get(self, setting: Setting, unit: str = "") -> str | int:
        """A declared setting's value in its scope (``unit`` for per-unit settings)."""
        key = self._key(setting, unit)
        if setting is LAST_UNIT:  # earlier versions kept one for everyone
            found = self._read_many([key, LAST_UNIT.name])
            return setting.parse(found.get(key, found.get(LAST_UNIT.name)))
        return setting.parse(self._read(key))

    def get_text(self, setting: Setting, unit: str = "") -> str:
        return str(self.get(setting, unit))

    def put(self, values: dict[Setting, str | int], unit: str = "") -> None:
        """Write declared settings in one transaction (each in its own scope)."""
        self._write({self._key(setting, unit): str(value) for setting, value in values.items()})

    def setting(self, key: str, default: str = "") -> str:
        """A shared or per-user setting by name; undeclared names are a programming error."""
        stored = self.get(REGISTRY[key])
        return str(stored) if stored != "" else default

    def set_settings(self, values: dict[str, str]) -> None:
        self.put({REGISTRY[key]: value for key, value in values.items()})

    # -- the unit's liaison (per unit, or per plan when it differs) ----------------------------
    def liaison(self, unit: str) -> LiaisonProfile:
        """Who reports for ``unit``: this plan's liaison if one was set, else the unit's."""
        unit = self.resolve_unit(unit)
        fields = (LIAISON_NAME, LIAISON_PHONE, LIAISON_EMAIL)
        keys = {plan: [storage_key(f, unit=unit, plan=plan) for f in fields] for plan in (self.plan_id, "")}
        legacy = [LAST_UNIT.name, LEGACY_PROFILE_NAME, LEGACY_PROFILE_PHONE]
        found = self._read_many([*keys[self.plan_id], *keys[""], *legacy])
        for plan in (self.plan_id, ""):
            if any(key in found for key in keys[plan]):
                name, phone, email = (found.get(key, "") for key in keys[plan])
                return LiaisonProfile(name, phone, email, plan_only=bool(plan))
        if found.get(LAST_UNIT.name) == unit:  # one profile for the whole folder, earlier
            return LiaisonProfile(found.get(LEGACY_PROFILE_NAME, ""), found.get(LEGACY_PROFILE_PHONE, ""), "")
        return LiaisonProfile()

    def set_liaison(self, unit: str, profile: LiaisonProfile) -> None:
        """Store the unit's liaison; ``profile.plan_only`` keeps it for the current plan only."""
        unit = self.resolve_unit(unit)
        check_text(profile.name, "联络员姓名", 40)
        plan = self.plan_id if profile.plan_only else ""
        values = {
            storage_key(LIAISON_NAME, unit=unit, plan=plan): profile.name,
            storage_key(LIAISON_PHONE, unit=unit, plan=plan): profile.phone,
            storage_key(LIAISON_EMAIL, unit=unit, plan=plan): profile.email,
        }
        # the unit's liaison, set for the unit, holds for this plan too from now on
        drop = (
            ()
            if profile.plan_only
            else tuple(
                storage_key(f, unit=unit, plan=self.plan_id)
                for f in (LIAISON_NAME, LIAISON_PHONE, LIAISON_EMAIL)
            )
        )
        self._write(values, drop)
