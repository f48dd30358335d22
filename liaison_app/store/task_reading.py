"""One unit's task list read with plain SQL on a DB-API ``sqlite3`` connection: progress, evidence
counts, milestone ticks and target figures, as :class:`~liaison_app.store.records.UnitTask`.

Free of SQLAlchemy, like :mod:`liaison_app.store.catalogue_index`: the service reads through its
session's connection, the first screen and the read-only commands through
:func:`liaison_app.store.sqlite_read.open_current`'s. One read, whoever asks.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Container, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from liaison_app.store.catalogue_index import CatalogueIndex, Promised, open_promises, sql_date, sql_datetime
from liaison_app.store.records import ActualRecord, CatalogItem, MilestoneState, TargetState, UnitTask
from liaison_app.store.status import Status

_FEW_ITEMS = 8  # up to this many items are asked for by their ids
_PROGRESS = "SELECT item_id, status, note, completed_on, updated_at FROM progress WHERE unit_id = ?"
_STATUSES = {status.value: status for status in Status}
_NOT_STARTED = Status.NOT_STARTED


class ProgressFields(Protocol):
    @property
    def status(self) -> str: ...

    @property
    def note(self) -> str: ...

    @property
    def completed_on(self) -> dt.date | None: ...

    @property
    def updated_at(self) -> dt.datetime | None: ...


@dataclass(frozen=True)
class Progress:
    """A ``progress`` row's fields."""

    status: str
    note: str
    completed_on: dt.date | None
    updated_at: dt.datetime | None


def unit_task(
    unit: str,
    role: str,
    item: CatalogItem,
    row: ProgressFields | None,
    evidence: int = 0,
    promises: Promised = ((), ()),
) -> UnitTask:
    return UnitTask(
        unit=unit,
        role=role,
        item=item,
        status=Status(row.status) if row else Status.NOT_STARTED,
        note=row.note if row else "",
        completed_on=row.completed_on if row else None,
        updated_at=row.updated_at if row else None,
        evidence=evidence,
        milestones=promises[0],
        targets=promises[1],
    )


def read_progress(
    connection: sqlite3.Connection, unit_id: int, item_id: int | None = None
) -> dict[int, Progress]:
    """{item row id: progress} of one unit (of one item when ``item_id`` is given)."""
    query = _PROGRESS
    parameters: tuple[int, ...] = (unit_id,)
    if item_id is not None:
        query += " AND item_id = ?"
        parameters += (item_id,)
    return {
        item: Progress(status, note, sql_date(completed_on), sql_datetime(updated_at))
        for item, status, note, completed_on, updated_at in connection.execute(query, parameters)
    }


def read_evidence_counts(connection: sqlite3.Connection, unit_id: int) -> dict[int, int]:
    """{item row id: number of evidence files} of one unit."""
    return dict(
        connection.execute(
            "SELECT item_id, count(*) FROM evidence WHERE unit_id = ? GROUP BY item_id", (unit_id,)
        ).fetchall()
    )


def read_promise_states(
    connection: sqlite3.Connection, catalogue: CatalogueIndex, unit: str, item_ids: Iterable[int]
) -> dict[int, Promised]:
    """Milestones (with this unit's ticks) and targets (with figures) of the given items.

    A lead unit sees its own figures; a cooperating unit sees the lead units' (the latest
    recorded per 报送期 when several lead units report)."""
    items = catalogue.items
    wanted = [i for i in item_ids if items[i].milestones or items[i].targets]
    if not wanted:
        return {}
    roles = catalogue.roles_by_unit[unit]
    # A unit's whole list (thousands of items on a large plan) is asked by the unit, not by an
    # IN of every item id.
    whole = len(wanted) > _FEW_ITEMS and all(i in roles for i in wanted)
    touched = _touched_promises(connection, catalogue, unit, None if whole else wanted)
    return {i: touched.get(i) or open_promises(items[i]) for i in wanted}


def _touched_promises(
    connection: sqlite3.Connection, catalogue: CatalogueIndex, unit: str, wanted: list[int] | None
) -> dict[int, Promised]:
    """The promises of the items among ``wanted`` (None: all that ``unit`` works on) on which the
    unit ticked a milestone or that have figures; the other items show :func:`open_promises`."""
    items = catalogue.items
    unit_id = catalogue.unit_ids[unit]
    roles = catalogue.roles_by_unit[unit]
    done_query = "SELECT milestone_id, item_id, done_on FROM milestone_done WHERE unit_id = ?"
    actual_query = (
        "SELECT a.item_id, a.unit_id, a.target_id, a.period, a.value, a.measured_on, a.source, "
        "a.recorded_at, a.actor FROM actual a"
    )
    done_parameters: list[int] = [unit_id]
    actual_parameters: list[int] = []
    if wanted is None:
        actual_query += " JOIN assignment s ON s.item_id = a.item_id AND s.unit_id = ?"
        actual_parameters.append(unit_id)
        with_targets = None
        kept: Container[int] = roles
    else:
        done_query += f" AND item_id IN ({', '.join('?' * len(wanted))})"
        done_parameters += wanted
        with_targets = [i for i in wanted if items[i].targets]
        actual_query += f" WHERE a.item_id IN ({', '.join('?' * len(with_targets))})"
        actual_parameters += with_targets
        kept = set(wanted)
    done: dict[int, dt.date] = {}
    touched: set[int] = set()
    for milestone_id, item_id, done_on in connection.execute(done_query, done_parameters):
        if item_id in kept:
            done[milestone_id] = dt.date.fromisoformat(done_on)
            touched.add(item_id)
    codes = {row_id: code for code, row_id in catalogue.target_ids.items()}
    by_target: dict[str, dict[str, ActualRecord]] = {}
    if with_targets is None or with_targets:
        rows = connection.execute(f"{actual_query} ORDER BY a.period, a.recorded_at, a.id", actual_parameters)
        for item_id, actual_unit, target_id, period, value, measured_on, source, recorded_at, actor in rows:
            if item_id not in kept or not items[item_id].targets:
                continue
            if roles.get(item_id) == "lead" and actual_unit != unit_id:
                continue
            code = codes[target_id]
            by_target.setdefault(code, {})[period] = ActualRecord(
                target_id=code,
                unit=catalogue.unit_names[actual_unit],
                period=period,
                value=Decimal(value),
                measured_on=dt.date.fromisoformat(measured_on),
                source=source,
                recorded_at=dt.datetime.fromisoformat(recorded_at),
                actor=actor,
            )
            touched.add(item_id)
    result: dict[int, Promised] = {}
    for item_id in touched:
        item = items[item_id]
        milestones = tuple(
            MilestoneState(number, m.date, m.text, done.get(catalogue.milestone_ids[(item_id, number)]))
            for number, m in enumerate(item.milestones, start=1)
        )
        targets = tuple(
            TargetState(t, tuple(sorted(by_target.get(t.id, {}).values(), key=lambda a: a.period)))
            for t in item.targets
        )
        result[item_id] = (milestones, targets)
    return result


def read_task(connection: sqlite3.Connection, catalogue: CatalogueIndex, unit: str, item_id: int) -> UnitTask:
    """One item as ``unit`` (canonical, assigned) sees it now."""
    unit_id = catalogue.unit_ids[unit]
    row = read_progress(connection, unit_id, item_id).get(item_id)
    count = read_evidence_counts(connection, unit_id).get(item_id, 0)
    promises = read_promise_states(connection, catalogue, unit, [item_id]).get(item_id, ((), ()))
    return unit_task(
        unit, catalogue.roles_by_unit[unit][item_id], catalogue.items[item_id], row, count, promises
    )


def read_unit_tasks(connection: sqlite3.Connection, catalogue: CatalogueIndex, unit: str) -> list[UnitTask]:
    """Every item ``unit`` (canonical) leads or cooperates on, in plan order, with its progress.

    Every unit switch reads this (4,200 items on the largest unit of a plan 100× the bundled
    one), so the loop per item is kept short: the unit's list in plan order and each item's
    untouched promises come from the catalogue (worked out once), the progress rows are taken as
    the query gives them, and each task is made in one call (:class:`UnitTask` is a tuple)."""
    unit_id = catalogue.unit_ids[unit]
    progress = {row[0]: row for row in connection.execute(_PROGRESS, (unit_id,))}
    counts = read_evidence_counts(connection, unit_id)
    touched = _touched_promises(connection, catalogue, unit, None)
    make, date, moment, statuses = tuple.__new__, dt.date.fromisoformat, dt.datetime.fromisoformat, _STATUSES
    tasks: list[UnitTask] = []
    add = tasks.append
    for item_id, role, item, untouched in catalogue.unit_items(unit):
        milestones, targets = touched.get(item_id, untouched) if touched else untouched
        row, evidence = progress.get(item_id), counts.get(item_id, 0)
        fields: tuple[object, ...]
        if row is None:
            fields = (unit, role, item, _NOT_STARTED, "", None, None, evidence, milestones, targets)
        else:
            completed_on, updated_at = row[3], row[4]
            fields = (
                unit,
                role,
                item,
                statuses[row[1]],
                row[2],
                None if completed_on is None else date(completed_on),
                None if updated_at is None else moment(updated_at),
                evidence,
                milestones,
                targets,
            )
        add(make(UnitTask, fields))
    return tasks
