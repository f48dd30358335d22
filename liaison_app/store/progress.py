"""One unit's work on its items: the task list, a change of status, note or completion date
with its history, and the items a plan revision took away (kept read-only)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison_app.store.catalogue import Catalogue, catalog_item
from liaison_app.store.context import StoreContext, first_writer_wins, history_date
from liaison_app.store.database import raw_connection
from liaison_app.store.models import (
    AreaRow,
    AssignmentRow,
    HistoryRow,
    ItemRow,
    MeasureRow,
    ProgressRow,
)
from liaison_app.store.promises import PromisesService
from liaison_app.store.records import (
    MAX_NOTE_CHARS,
    HistoryEntry,
    UnitTask,
    check_text,
)
from liaison_app.store.status import Status, parse_status
from liaison_app.store.task_reading import (
    read_evidence_counts,
    read_progress,
    read_task,
    read_unit_tasks,
    unit_task,
)

UNSET = object()  # "not given", where None means "clear it"


def _validate_note(note: str) -> str:
    return check_text(note, "进展情况", MAX_NOTE_CHARS)


class ProgressService:
    """Status, note and completion date per (unit, item), one transaction per change."""

    def __init__(self, context: StoreContext, catalogue: Catalogue, promises: PromisesService) -> None:
        self._context = context
        self._catalogue = catalogue
        self._promises = promises
        # (unit id, item id) → (note editing session, its history row): see update()
        self._note_sessions: dict[tuple[int, int], tuple[str, int]] = {}

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
        new_status = parse_status(status) if isinstance(status, str) else status
        if note is not None:
            note = _validate_note(note)
        clock = self._context.clock
        now = clock.now()
        unit_id = self._catalogue.unit_ids[unit]
        requested = completed_on

        def apply() -> UnitTask:
            completed_on = requested
            with self._context.database.transaction() as session:
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
                    if completed_on is UNSET:
                        if new_status is Status.DONE and old_completed is None:
                            completed_on = clock.today()
                        elif new_status is not Status.DONE and old_status is Status.DONE:
                            completed_on = None
                if note is not None and note != old_note:
                    changes.append(("note", old_note, note))
                    target_note = note
                if completed_on is not UNSET and completed_on != old_completed:
                    assert completed_on is None or isinstance(completed_on, dt.date)
                    changes.append(("completed_on", history_date(old_completed), history_date(completed_on)))
                    target_completed = completed_on
                if target_status is Status.DONE and old_status is not Status.DONE:
                    done_on = target_completed or clock.today()
                    changes.extend(self._promises.tick_open_on_done(session, unit_id, item_id, done_on))
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
                        entry = self._context.log_change(
                            session, unit_id, item_id, (field, before, after), now
                        )
                        if field == "note" and note_session:
                            session.flush()
                            self._note_sessions[(unit_id, item_id)] = (note_session, entry.id)
                session.flush()
                return read_task(raw_connection(session), self._catalogue, unit, item_id)

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
        if entry is None or latest != entry.id or entry.actor != self._context.actor:
            return False
        if (entry.before or "") == (after or ""):
            session.delete(entry)
            del self._note_sessions[(unit_id, item_id)]
        else:
            entry.after, entry.changed_at = after, now
        return True

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
