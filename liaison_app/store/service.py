"""The service layer's front door: the only code that opens the data folder. The CLI and the UI
call :class:`LiaisonService` and get plain frozen dataclasses back; they never see SQLAlchemy
objects.

The work is done by one part per concern, which the façade composes and answers through:

* :class:`~liaison_app.store.catalogue.Catalogue`: the plan in memory (units, items, roles);
* :class:`~liaison_app.store.progress.ProgressService`: a unit's tasks, changes and history;
* :class:`~liaison_app.store.promises.PromisesService`: milestone ticks and actual figures;
* :class:`~liaison_app.store.evidence_files.EvidenceFiles`: evidence files on items;
* :class:`~liaison_app.store.settings_store.SettingsStore`: settings and liaison profiles.

This module itself opens and closes the folder (lock, migration, daily snapshot, first plan),
and writes full backups.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, Generic, ParamSpec, Self, TypeVar, overload

from sqlalchemy.orm import Session

from liaison_app import data_lock, paths
from liaison_app.clock import Clock, SystemClock
from liaison_app.evidence import EvidenceError, EvidenceStore
from liaison_app.plan.model import Plan
from liaison_app.settings import login_name
from liaison_app.store import backup
from liaison_app.store.catalogue import Catalogue
from liaison_app.store.context import StoreContext
from liaison_app.store.database import Database, open_database, open_read_only, raw_connection
from liaison_app.store.evidence_files import EvidenceFiles, EvidenceIntegrityError, problems_in
from liaison_app.store.plan_loader import (
    bundled_plan,
    has_any_plan,
    has_promises,
    load_groups,
    load_plan,
    load_promises,
)
from liaison_app.store.progress import ProgressService
from liaison_app.store.promises import PromisesService
from liaison_app.store.records import (
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
    UnknownUnitError,
    printable,
    summarize,
)
from liaison_app.store.settings_store import SettingsStore

log = logging.getLogger(__name__)

__all__ = [
    "MAX_NOTE_CHARS",
    "ActualRecord",
    "Anomaly",
    "CatalogItem",
    "EvidenceError",
    "EvidenceIntegrityError",
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

LOCK_WAIT_SECONDS = 10.0  # a second writer waits this long for the first to finish

P = ParamSpec("P")
R = TypeVar("R")


class UnsafeOutputError(ServiceError):
    """An output path inside the data folder's own files."""


class _Answered(Generic[P, R]):
    """A façade method answered by one part: ``part`` names the attribute holding it, and the
    method keeps its own name, signature and documentation (a class attribute, so a test can
    still replace ``LiaisonService.update``)."""

    def __init__(self, part: str, method: Callable[Concatenate[Any, P], R]) -> None:
        self._part = part
        self._name = method.__name__
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, service: None, owner: type) -> Self: ...

    @overload
    def __get__(self, service: object, owner: type | None = None) -> Callable[P, R]: ...

    def __get__(self, service: object | None, owner: type | None = None) -> Self | Callable[P, R]:
        if service is None:
            return self
        method: Callable[P, R] = getattr(getattr(service, self._part), self._name)
        return method


class LiaisonService:
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
        self.context = StoreContext(database, clock or SystemClock(), actor)
        self.data_dir = database.path.parent
        self.warnings: list[str] = []  # things the user should hear about, e.g. a failed backup
        self.daily_backup: backup.DailyBackup | None = None  # the window's, copied once it is usable
        self.evidence_store = EvidenceStore(self.data_dir / "evidence")
        self._locked: Path | None = None
        self.catalogue = Catalogue(database)
        self.promises = PromisesService(self.context, self.catalogue)
        self.progress = ProgressService(self.context, self.catalogue)
        self.evidence_files = EvidenceFiles(self.context, self.catalogue, self.evidence_store, self.data_dir)
        self.settings = SettingsStore(database, self.catalogue, login_name())
        with self.database.sessions() as session:
            if not self.database.read_only:
                self.evidence_store.clean_temporary()  # part files of a copy interrupted by a crash
            if not has_any_plan(session):
                if self.database.read_only:
                    raise ServiceError("台账数据库中还没有工作方案，只读方式无法打开")
                load_plan(session, first_plan or bundled_plan(), self.clock.now())
                session.commit()
            self.catalogue.load(session, plan)
            self._fill_groups(session)
            self._fill_promises(session)

    # -- who, when, which plan ----------------------------------------------------------------
    @property
    def clock(self) -> Clock:
        return self.context.clock

    @property
    def actor(self) -> str:
        return self.context.actor

    @actor.setter
    def actor(self, actor: str) -> None:
        self.context.actor = actor

    @property
    def login(self) -> str:
        """Whose per-user settings these are."""
        return self.settings.login

    @property
    def plan_id(self) -> str:
        return self.catalogue.plan_id

    @property
    def read_only(self) -> bool:
        return self.database.read_only

    # -- opening and closing the data folder -------------------------------------------------------
    def _fill_promises(self, session: Session) -> None:
        """A database made before schema 0006 gets milestones and targets from the bundled plan."""
        if has_promises(session, self.plan_id):
            return
        plan = bundled_plan()
        if plan.plan_id != self.plan_id:
            return
        if load_promises(session, plan, {item.id: row_id for row_id, item in self.catalogue.items.items()}):
            session.flush()
            self.catalogue.load(session)
            self.promises.tick_settled_items(session)
            session.commit()

    def _fill_groups(self, session: Session) -> None:
        """A database loaded before special groups existed gets them from the bundled plan."""
        if (
            self.database.read_only
            or raw_connection(session)
            .execute("SELECT 1 FROM special_group WHERE plan_id = ? LIMIT 1", (self.plan_id,))
            .fetchone()
        ):
            return
        plan = bundled_plan()
        if plan.plan_id == self.plan_id and plan.groups:
            load_groups(session, plan, self.catalogue.unit_ids)
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
        defer_backup: bool = False,
    ) -> LiaisonService:
        """Open the data folder for writing: take its lock (one writer per folder), check,
        migrate (after a snapshot), load, and take today's snapshot if there is none yet.
        ``plan`` chooses the plan shown (default: the active one); ``first_plan`` is what an empty
        database is filled with (the bundled plan unless given; tests use a small synthetic one).
        ``defer_backup`` (the window): today's snapshot is only pinned here, before anything can
        be written, and copied later (``daily_backup``: its ``start``; ``close`` waits for it)."""
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
            if defer_backup:
                service.daily_backup = backup.DailyBackup(folder, db_path, clock.today())
            else:
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
        if self.daily_backup is not None:  # finished while the data is still ours
            self.daily_backup.wait()
            self.daily_backup = None
        self.database.dispose()
        if self._locked is not None:
            data_lock.release(self._locked)
            self._locked = None

    # -- the catalogue (read once; see Catalogue) -------------------------------------------
    switch_plan = _Answered("catalogue", Catalogue.switch_plan)
    plan_info = _Answered("catalogue", Catalogue.plan_info)
    set_issued_on = _Answered("catalogue", Catalogue.set_issued_on)
    anomalies = _Answered("catalogue", Catalogue.anomalies)
    catalog = _Answered("catalogue", Catalogue.catalog)
    units = _Answered("catalogue", Catalogue.units)
    resolve_unit = _Answered("catalogue", Catalogue.resolve_unit)
    suggest_units = _Answered("catalogue", Catalogue.suggest_units)
    unit_id = _Answered("catalogue", Catalogue.unit_id)
    unit_name = _Answered("catalogue", Catalogue.unit_name)
    item_id = _Answered("catalogue", Catalogue.item_id)
    roles = _Answered("catalogue", Catalogue.roles)

    # -- one unit's work (see ProgressService and PromisesService) ---------------------------
    tasks = _Answered("progress", ProgressService.tasks)
    archived_tasks = _Answered("progress", ProgressService.archived_tasks)
    task = _Answered("progress", ProgressService.task)
    update = _Answered("progress", ProgressService.update)
    history = _Answered("progress", ProgressService.history)
    tick_milestone = _Answered("promises", PromisesService.tick_milestone)
    record_actual = _Answered("promises", PromisesService.record_actual)
    target_trend = _Answered("promises", PromisesService.target_trend)

    # -- evidence (佐证材料; see EvidenceFiles) -----------------------------------------------
    check_can_attach = _Answered("evidence_files", EvidenceFiles.check_can_attach)
    attach = _Answered("evidence_files", EvidenceFiles.attach)
    record_evidence = _Answered("evidence_files", EvidenceFiles.record_evidence)
    evidence = _Answered("evidence_files", EvidenceFiles.evidence)
    describe_evidence = _Answered("evidence_files", EvidenceFiles.describe_evidence)
    remove_evidence = _Answered("evidence_files", EvidenceFiles.remove_evidence)
    delete_blob_if_unused = _Answered("evidence_files", EvidenceFiles.delete_blob_if_unused)
    discard = _Answered("evidence_files", EvidenceFiles.discard)
    evidence_file = _Answered("evidence_files", EvidenceFiles.evidence_file)
    open_copy = _Answered("evidence_files", EvidenceFiles.open_copy)
    evidence_inventory = _Answered("evidence_files", EvidenceFiles.evidence_inventory)
    verify_evidence = _Answered("evidence_files", EvidenceFiles.verify_evidence)
    bundle_files = _Answered("evidence_files", EvidenceFiles.bundle_files)
    problems_in = staticmethod(problems_in)

    # -- settings and the unit's liaison (see SettingsStore) ---------------------------------
    get = _Answered("settings", SettingsStore.get)
    get_text = _Answered("settings", SettingsStore.get_text)
    put = _Answered("settings", SettingsStore.put)
    setting = _Answered("settings", SettingsStore.setting)
    set_settings = _Answered("settings", SettingsStore.set_settings)
    liaison = _Answered("settings", SettingsStore.liaison)
    set_liaison = _Answered("settings", SettingsStore.set_liaison)
