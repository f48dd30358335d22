"""One unit's work on its items: the task list, a change of status, note or completion date
with its history, and the items a plan revision took away (kept read-only)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from liaison_app.store.catalogue import Catalogue, catalog_item
from liaison_app.store.context import StoreContext, first_writer_wins
from liaison_app.store.database import raw_connection
from liaison_app.store.item_writing import UNSET, NoteSessions, progress_change, write_progress
from liaison_app.store.models import (
    AreaRow,
    AssignmentRow,
    HistoryRow,
    ItemRow,
    MeasureRow,
)
from liaison_app.store.records import HistoryEntry, UnitTask
from liaison_app.store.status import Status
from liaison_app.store.task_reading import (
    read_evidence_counts,
    read_progress,
    read_task,
    read_unit_tasks,
    unit_task,
)


class ProgressService:
    """Status, note and completion date per (unit, item), one transaction per change."""

    def __init__(self, context: StoreContext, catalogue: Catalogue) -> None:
        self._context = context
        self._catalogue = catalogue
        # (unit id, item id) → (note editing session, its history row): see update()
        self._note_sessions: NoteSessions = {}

    def tasks(self, unit: str) -> list[UnitTask]:
        """Every item ``unit`` leads or cooperates on, in plan order, with its progress."""
        unit = self._catalogue.resolve_unit(unit)
        with self._context.database.sessions() as session:
            return read_unit_tasks(raw_connection(session), self._catalogue, unit)

    def archived_tasks(self, unit: str) -> list[UnitTask]:
        """What a revision took from ``unit`` in this plan: kept read-only with its progress.

        ``item.id`` is the code the item had when it was taken (``item.former`` says the same)."""
        unit = self._catalogue.resolve_unit(unit)
        unit_id = self._catalogue.unit_ids[unit]
        with self._context.database.sessions() as session:
            found = session.execute(
                select(ItemRow, AssignmentRow.role, MeasureRow, AreaRow)
                .join(AssignmentRow, AssignmentRow.item_id == ItemRow.id)
                .join(MeasureRow, MeasureRow.id == ItemRow.measure_id)
                .join(AreaRow, AreaRow.id == MeasureRow.area_id)
                .where(
                    ItemRow.plan_id == self._catalogue.plan_id,
                    AssignmentRow.unit_id == unit_id,
                    (ItemRow.archived_revision.is_not(None)) | (AssignmentRow.archived_revision.is_not(None)),
                )
                .order_by(ItemRow.position)
            ).all()
            connection = raw_connection(session)
            progress = read_progress(connection, unit_id)
            counts = read_evidence_counts(connection, unit_id)
            result = []
            for item, role, measure, area in found:
                code = item.code.split("@")[0]
                archived = catalog_item(item, measure, area, code=code, former=code)
                result.append(unit_task(unit, role, archived, progress.get(item.id), counts.get(item.id, 0)))
            return result

    def task(self, unit: str, code: str) -> UnitTask:
        unit, item_id = self._catalogue.assigned(unit, code)
        with self._context.database.sessions() as session:
            return read_task(raw_connection(session), self._catalogue, unit, item_id)

    def update(
        self,
        unit: str,
        code: str,
        *,
        status: Status | str | None = None,
        note: str | None = None,
        completed_on: dt.date | object | None = UNSET,
        note_session: str = "",
    ) -> UnitTask:
        """Change status, note and/or completion date in one transaction, with history rows.

        Saves of a note within one editing session (``note_session``, chosen by the caller: the
        window starts one when the liaison starts typing and ends it on leaving the note) make one
        history entry, from the text before the session to the text after it, not one per pause.

        Marking an item 已完成 sets its completion date to today unless one is given; moving it
        away from 已完成 clears the date unless one is given.
        """
        unit, item_id = self._catalogue.assigned(unit, code)
        change = progress_change(status, note, completed_on, note_session)
        stamp = self._context.stamp()
        unit_id = self._catalogue.unit_ids[unit]

        def apply() -> UnitTask:
            with self._context.database.transaction() as session:
                connection = raw_connection(session)
                write_progress(
                    connection, self._catalogue, unit_id, item_id, change, stamp, self._note_sessions
                )
                return read_task(connection, self._catalogue, unit, item_id)

        return first_writer_wins(apply)

    def history(self, unit: str, code: str) -> list[HistoryEntry]:
        """This unit's changes to this item, newest first."""
        unit = self._catalogue.resolve_unit(unit)
        item_id = self._catalogue.item_id(code)
        with self._context.database.sessions() as session:
            rows = session.scalars(
                select(HistoryRow)
                .where(HistoryRow.unit_id == self._catalogue.unit_ids[unit], HistoryRow.item_id == item_id)
                .order_by(HistoryRow.id.desc())
            ).all()
            return [HistoryEntry(r.changed_at, r.field, r.before, r.after, r.actor) for r in rows]
