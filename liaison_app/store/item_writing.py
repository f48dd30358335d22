"""A unit's change to one of its items, written with plain SQL on a DB-API ``sqlite3`` connection:
its progress (status, note, completion date), the milestones ticked off when it is marked 已完成,
and the change history (one entry per changed field; the saves of one note-editing session
folded into one entry).

Free of SQLAlchemy. The service (:meth:`liaison_app.store.progress.ProgressService.update`) runs
it inside its session's transaction, through the session's own connection; ``set`` on the command
line runs it on a connection of its own (:mod:`liaison_app.store.write_view`). One write,
whoever asks: every test of the service proves the command line's write too.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from liaison_app.store.catalogue_index import CatalogueIndex, sql_date
from liaison_app.store.records import MAX_NOTE_CHARS, check_text
from liaison_app.store.sqlite_write import date_text, datetime_text
from liaison_app.store.status import Status, parse_status

UNSET = object()  # "not given", where None means "clear it"

Change = tuple[str, str | None, str | None]  # (field, before, after) as the history writes them
# (unit id, item id) → (note-editing session, the id of its history entry)
NoteSessions = dict[tuple[int, int], tuple[str, int]]


@dataclass(frozen=True)
class Stamp:
    """When and by whom a change is made (the clock read once per change)."""

    now: dt.datetime
    today: dt.date
    actor: str


def history_date(day: dt.date | None) -> str | None:
    """A date as the change history writes it (``2019-12-20``), or None."""
    return day.isoformat() if day else None


def tick_text(number: int, day: dt.date | None) -> str:
    """A milestone's state in the change history: ``第1个 2019-12-20`` or ``第1个 未完成``."""
    return f"第{number}个 {day.isoformat() if day else '未完成'}"


def insert_history(
    connection: sqlite3.Connection, unit_id: int, item_id: int, change: Change, stamp: Stamp
) -> int:
    """Add one change of a unit's item to its history; the row id."""
    field, before, after = change
    cursor = connection.execute(
        "INSERT INTO history (unit_id, item_id, field, before, after, changed_at, actor)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (unit_id, item_id, field, before, after, datetime_text(stamp.now), stamp.actor),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def tick_open_on_done(
    connection: sqlite3.Connection,
    catalogue: CatalogueIndex,
    unit_id: int,
    item_id: int,
    done_on: dt.date,
    stamp: Stamp,
) -> list[Change]:
    """已完成 set directly: every open milestone of the item is ticked off on ``done_on``.

    Returns the history changes (the caller writes them with its own)."""
    item = catalogue.items[item_id]
    if not item.milestones:
        return []
    ticked = {
        milestone_id
        for (milestone_id,) in connection.execute(
            "SELECT milestone_id FROM milestone_done WHERE unit_id = ? AND item_id = ?", (unit_id, item_id)
        )
    }
    changes: list[Change] = []
    for number in range(1, len(item.milestones) + 1):
        milestone_id = catalogue.milestone_ids[(item_id, number)]
        if milestone_id in ticked:
            continue
        connection.execute(
            "INSERT INTO milestone_done (unit_id, item_id, milestone_id, done_on, updated_at, actor)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (unit_id, item_id, milestone_id, date_text(done_on), datetime_text(stamp.now), stamp.actor),
        )
        changes.append(("milestone", tick_text(number, None), tick_text(number, done_on)))
    return changes


@dataclass(frozen=True)
class ProgressChange:
    """What a liaison asks of one item; ``completed_on`` is :data:`UNSET` when not given."""

    status: Status | None = None
    note: str | None = None
    completed_on: dt.date | object | None = UNSET
    note_session: str = ""


def progress_change(
    status: Status | str | None = None,
    note: str | None = None,
    completed_on: dt.date | object | None = UNSET,
    note_session: str = "",
) -> ProgressChange:
    """The change asked for, checked: a status word or code read, a note's length and
    characters checked (a :class:`~liaison_app.store.records.ServiceError` otherwise)."""
    return ProgressChange(
        parse_status(status) if isinstance(status, str) else status,
        None if note is None else check_text(note, "进展情况", MAX_NOTE_CHARS),
        completed_on,
        note_session,
    )


def write_progress(
    connection: sqlite3.Connection,
    catalogue: CatalogueIndex,
    unit_id: int,
    item_id: int,
    change: ProgressChange,
    stamp: Stamp,
    note_sessions: NoteSessions,
) -> None:
    """Apply ``change`` to the unit's item in the caller's transaction, with its history rows.

    Marking an item 已完成 sets its completion date to today unless one is given (and ticks its
    open milestones); moving it away from 已完成 clears the date unless one is given. A field
    that does not change writes nothing; a change that changes nothing writes no row at all.
    """
    found = connection.execute(
        "SELECT id, status, note, completed_on FROM progress WHERE unit_id = ? AND item_id = ?",
        (unit_id, item_id),
    ).fetchone()
    old_status = Status(found[1]) if found else Status.NOT_STARTED
    old_note: str = found[2] if found else ""
    old_completed = sql_date(found[3]) if found else None
    completed_on = change.completed_on
    changes: list[Change] = []
    target_status, target_note, target_completed = old_status, old_note, old_completed
    if change.status is not None and change.status is not old_status:
        changes.append(("status", old_status.value, change.status.value))
        target_status = change.status
        if completed_on is UNSET:
            if change.status is Status.DONE and old_completed is None:
                completed_on = stamp.today
            elif change.status is not Status.DONE and old_status is Status.DONE:
                completed_on = None
    if change.note is not None and change.note != old_note:
        changes.append(("note", old_note, change.note))
        target_note = change.note
    if completed_on is not UNSET and completed_on != old_completed:
        assert completed_on is None or isinstance(completed_on, dt.date)
        changes.append(("completed_on", history_date(old_completed), history_date(completed_on)))
        target_completed = completed_on
    if target_status is Status.DONE and old_status is not Status.DONE:
        done_on = target_completed or stamp.today
        changes.extend(tick_open_on_done(connection, catalogue, unit_id, item_id, done_on, stamp))
    if not changes:
        return
    if found is None:
        connection.execute(
            "INSERT INTO progress (unit_id, item_id, status, note, completed_on, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                *(unit_id, item_id, target_status.value, target_note),
                *(date_text(target_completed), datetime_text(stamp.now)),
            ),
        )
    else:  # only what changed, as the ORM did: a field another writer changed meanwhile is kept
        columns: dict[str, str | None] = {"updated_at": datetime_text(stamp.now)}
        if target_status is not old_status:
            columns["status"] = target_status.value
        if target_note != old_note:
            columns["note"] = target_note
        if target_completed != old_completed:
            columns["completed_on"] = date_text(target_completed)
        assignments = ", ".join(f"{name} = ?" for name in columns)
        connection.execute(f"UPDATE progress SET {assignments} WHERE id = ?", (*columns.values(), found[0]))
    for field_change in changes:
        field, _before, after = field_change
        if field == "note" and _continue_note(
            connection, unit_id, item_id, change.note_session, after, stamp, note_sessions
        ):
            continue
        entry_id = insert_history(connection, unit_id, item_id, field_change, stamp)
        if field == "note" and change.note_session:
            note_sessions[(unit_id, item_id)] = (change.note_session, entry_id)


def _continue_note(
    connection: sqlite3.Connection,
    unit_id: int,
    item_id: int,
    note_session: str,
    after: str | None,
    stamp: Stamp,
    note_sessions: NoteSessions,
) -> bool:
    """Fold this save into the session's history entry if that entry is still the item's
    latest and its author's; an entry that ends where it began (typed, then deleted) is dropped."""
    remembered = note_sessions.get((unit_id, item_id))
    if not note_session or remembered is None or remembered[0] != note_session:
        return False
    entry_id = remembered[1]
    (latest,) = connection.execute(
        "SELECT max(id) FROM history WHERE unit_id = ? AND item_id = ?", (unit_id, item_id)
    ).fetchone()
    entry = connection.execute("SELECT before, actor FROM history WHERE id = ?", (entry_id,)).fetchone()
    if entry is None or latest != entry_id or entry[1] != stamp.actor:
        return False
    if (entry[0] or "") == (after or ""):
        connection.execute("DELETE FROM history WHERE id = ?", (entry_id,))
        del note_sessions[(unit_id, item_id)]
    else:
        connection.execute(
            "UPDATE history SET after = ?, changed_at = ? WHERE id = ?",
            (after, datetime_text(stamp.now), entry_id),
        )
    return True
