"""``set`` on the command line without SQLAlchemy: the data folder opened for one change of a
unit's item when the database is already at this version's schema.

SQLAlchemy and its ORM cost more to import and set up than the whole change (a status and its
history row). Everything the service's opening promises before a write is kept, in its order:
the folder proven writable, the folder's lock held (one writer at a time; a window holding it
makes ``set`` wait as before), the leftovers of a killed run removed, the database checked
(``quick_check`` and schema revision, a damaged or newer file refused untouched), today's
snapshot taken before anything is written. The change itself is the service's own write
(:func:`liaison_app.store.item_writing.write_progress`), in one ``BEGIN IMMEDIATE`` transaction
on a connection with the service's pragmas (WAL, ``synchronous=FULL``, foreign keys).

When the data needs the full opening (no database yet, an older schema to upgrade, no plan
loaded) :meth:`WriteView.open` says ``None`` and the command opens the service as before. What the
full opening also does and a change does not need is left to it: evidence copies interrupted by a
crash are cleared, and a database that lacks the bundled plan's milestones or special groups gets
them, at the next opening of the window or of a command that uses the service.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from liaison_app import data_lock, paths
from liaison_app.clock import Clock, SystemClock
from liaison_app.store import backup
from liaison_app.store.catalogue_index import CatalogueIndex
from liaison_app.store.item_writing import Stamp, progress_change, write_progress
from liaison_app.store.records import UnitTask
from liaison_app.store.sqlite_read import HEAD_REVISION, checked_revision, if_planned
from liaison_app.store.sqlite_write import connect_for_writing, immediate_transaction
from liaison_app.store.task_reading import read_task

log = logging.getLogger(__name__)


class WriteView:
    """A data folder held for writing, on a current database, with the plan's catalogue."""

    read_only = False

    def __init__(self, folder: Path, connection: sqlite3.Connection, clock: Clock, plan: str | None) -> None:
        self.folder = folder
        self.db_path = paths.database_path(folder)
        self.connection = connection
        self.clock = clock
        self.catalogue = CatalogueIndex()  # no other writer: the folder's lock is held
        self.catalogue.fill(connection, plan)

    @classmethod
    def open(
        cls, data_dir: Path, clock: Clock | None = None, *, wait_seconds: float, plan: str | None = None
    ) -> WriteView | None:
        """``data_dir`` held for one change, or ``None`` when the full opening has work to do
        (then nothing was written and the lock is free again)."""
        db_path = paths.database_path(data_dir)
        if not db_path.is_file() or db_path.stat().st_size == 0:
            return None  # to create, or to refuse as lost: the full opening's work
        folder = paths.ensure_data_dir(data_dir)
        clock = clock or SystemClock()
        data_lock.acquire(folder, wait_seconds)
        try:
            paths.clean_leftovers(folder)
            view = cls._open_current(folder, clock, plan)
        except BaseException:
            data_lock.release(folder)
            raise
        if view is None:
            data_lock.release(folder)
            return None
        log.info("opened %s for one change without SQLAlchemy (plan %s)", view.db_path, view.plan_id)
        try:
            backup.daily(folder, view.db_path, clock.today())
        except backup.BackupError as exc:  # as the service: the change is still made
            log.warning("daily backup not made: %s", exc)
        except BaseException:
            view.close()
            raise
        return view

    @classmethod
    def _open_current(cls, folder: Path, clock: Clock, plan: str | None) -> WriteView | None:
        db_path = paths.database_path(folder)
        if not db_path.is_file() or db_path.stat().st_size == 0:
            return None
        if checked_revision(db_path) != HEAD_REVISION:
            return None  # the full opening snapshots and upgrades it
        return if_planned(connect_for_writing(db_path), lambda current: cls(folder, current, clock, plan))

    @property
    def plan_id(self) -> str:
        return self.catalogue.plan_id

    def update(self, unit: str, code: str, *, status: str | None = None, note: str | None = None) -> UnitTask:
        """As :meth:`liaison_app.store.progress.ProgressService.update` (what ``set`` can change),
        by the same write."""
        unit, item_id = self.catalogue.assigned(unit, code)
        change = progress_change(status, note)
        stamp = Stamp(self.clock.now(), self.clock.today(), "")
        unit_id = self.catalogue.unit_ids[unit]
        with immediate_transaction(self.connection, self.db_path):
            write_progress(self.connection, self.catalogue, unit_id, item_id, change, stamp, {})
            return read_task(self.connection, self.catalogue, unit, item_id)

    def close(self) -> None:
        self.connection.close()
        data_lock.release(self.folder)
