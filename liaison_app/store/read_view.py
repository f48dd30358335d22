"""What the read-only commands (``units``, ``catalog``, ``tasks``) ask of the data, answered with
the standard library's ``sqlite3`` alone when the database is already at this version's schema.

SQLAlchemy and its ORM cost ~300 ms to import and set up on an old PC, ten times what these
commands need. The answers come from the very functions the service reads with
(:mod:`catalogue_index`, :mod:`task_reading`), so they are the service's answers. When the data
needs the full opening (no database yet, an older schema, no plan loaded) :meth:`ReadView.open`
says ``None`` and the command opens the service as before.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from liaison_app import paths
from liaison_app.clock import Clock, SystemClock
from liaison_app.settings import LAST_UNIT, keys_to_read, storage_key, stored_value
from liaison_app.store.catalogue_index import CatalogueIndex
from liaison_app.store.records import CatalogItem, PlanInfo, UnitInfo, UnitTask
from liaison_app.store.sqlite_read import if_planned, open_current
from liaison_app.store.task_reading import read_unit_tasks


def read_settings(connection: sqlite3.Connection, keys: list[str]) -> dict[str, str]:
    """{key: value} of the ``setting`` rows with these keys (the service reads them so too)."""
    marks = ", ".join("?" * len(keys))
    return dict(connection.execute(f"SELECT key, value FROM setting WHERE key IN ({marks})", keys).fetchall())


class ReadView:
    """A read transaction on a current database, with the plan's catalogue in memory."""

    read_only = True

    def __init__(self, connection: sqlite3.Connection, clock: Clock, plan: str | None = None) -> None:
        self.connection = connection
        self.clock = clock
        connection.execute("BEGIN")  # every answer from one state of the data
        self.catalogue = CatalogueIndex()
        self.catalogue.fill(connection, plan)

    @classmethod
    def open(cls, data_dir: Path, clock: Clock | None = None, plan: str | None = None) -> ReadView | None:
        """The view of ``data_dir``'s data, or ``None`` when the full opening has work to do."""
        if not data_dir.is_dir():
            return None
        connection = open_current(paths.database_path(data_dir))
        if connection is None:
            return None
        return if_planned(connection, lambda current: cls(current, clock or SystemClock(), plan))

    @property
    def plan_id(self) -> str:
        return self.catalogue.plan_id

    def plan_info(self) -> PlanInfo:
        return self.catalogue.plan_info()

    def units(self) -> list[UnitInfo]:
        return self.catalogue.units()

    def catalog(self) -> list[CatalogItem]:
        return self.catalogue.catalog()

    def resolve_unit(self, written: str) -> str:
        return self.catalogue.resolve_unit(written)

    def tasks(self, unit: str) -> list[UnitTask]:
        """Every item ``unit`` leads or cooperates on, in plan order, with its progress."""
        return read_unit_tasks(self.connection, self.catalogue, self.catalogue.resolve_unit(unit))

    def last_unit(self, login: str) -> str:
        """The unit ``login`` chose last (earlier versions kept one for everyone), as the service's
        settings give it."""
        key = storage_key(LAST_UNIT, user=login)
        found = read_settings(self.connection, keys_to_read(LAST_UNIT, key))
        return str(stored_value(LAST_UNIT, key, found))

    def close(self) -> None:
        self.connection.close()
