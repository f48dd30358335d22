"""The office's 报送登记 (register): per unit and period, 按时 / 迟报 / 未报 / 已被修改 / 已拒收 /
签名不符, when the return arrived and how many days late, read with plain SQL on a DB-API
``sqlite3`` connection.

Free of SQLAlchemy: :class:`liaison_app.store.ledger.OfficeLedger` reads the register through its
session's own connection, and ``office register`` on a current database through
:class:`RegisterReader` without importing SQLAlchemy at all. One read, whoever asks.
"""

from __future__ import annotations

import calendar
import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from liaison_app.store.catalogue_index import CatalogueIndex, sql_datetime
from liaison_app.vocabulary import Verdict

DUE_DAY_KEY = "office.due_day"
DEFAULT_DUE_DAY = 25
USED = (Verdict.ACCEPTED.value, Verdict.MODIFIED_ACCEPTED.value, Verdict.SUPERSEDED.value)


class RegisterState:
    """The register's words for a unit in a period."""

    ON_TIME = "按时"
    LATE = "迟报"
    MISSING = "未报"
    MODIFIED = "已被修改"
    REJECTED = "已拒收"
    BAD_SIGNATURE = "签名不符"  # signed by a key the office does not trust for the unit
    ALL = (ON_TIME, LATE, MISSING, MODIFIED, BAD_SIGNATURE, REJECTED)  # in the order shown


def period_end(period: str) -> dt.date:
    year, month = (int(part) for part in period.split("-"))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class RegisterLine:
    unit: str
    state: str  # a RegisterState word
    received_at: dt.datetime | None
    days_late: int
    exported_at: dt.datetime | None
    file_name: str

    def as_json(self) -> dict[str, object]:
        return {
            "unit": self.unit,
            "state": self.state,
            "received_at": self.received_at.isoformat(timespec="seconds") if self.received_at else None,
            "days_late": self.days_late,
            "exported_at": self.exported_at.isoformat(timespec="seconds") if self.exported_at else None,
            "file": self.file_name,
        }


class ReturnFields(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def verdict(self) -> str: ...

    @property
    def exported_at(self) -> dt.datetime | None: ...


@dataclass(frozen=True)
class ReturnHead:
    """What the register needs of an ``office_return`` row."""

    id: int
    unit_id: int
    verdict: str
    received_at: dt.datetime
    exported_at: dt.datetime | None
    original_name: str


R = TypeVar("R", bound=ReturnFields)


def current_return(used: Sequence[R]) -> R:
    """The return in use among a unit's accepted ones: the latest export not superseded."""
    live = [r for r in used if r.verdict != Verdict.SUPERSEDED.value] or list(used)
    return max(live, key=lambda r: (r.exported_at or dt.datetime.min, r.id))


def register_units(catalogue: CatalogueIndex) -> dict[int, str]:
    """{unit row id: name} of the units the plan gives work to, in plan order."""
    return {catalogue.unit_ids[u.name]: u.name for u in catalogue.units() if u.lead_items or u.coop_items}


def read_due_on(connection: sqlite3.Connection, plan_id: str, period: str) -> dt.date:
    """The period's due date: a one-off date if set, else the due day of the period's month."""
    one_off = connection.execute(
        "SELECT due_on FROM office_due WHERE plan_id = ? AND period = ?", (plan_id, period)
    ).fetchone()
    if one_off is not None:
        return dt.date.fromisoformat(one_off[0])
    row = connection.execute("SELECT value FROM setting WHERE key = ?", (DUE_DAY_KEY,)).fetchone()
    day = int(row[0]) if row and str(row[0]).isdigit() else DEFAULT_DUE_DAY
    end = period_end(period)
    return end.replace(day=min(day, end.day))


def read_periods(connection: sqlite3.Connection, plan_id: str, used_only: bool = False) -> list[str]:
    """Every period with at least one return (or one in use), oldest first."""
    query = "SELECT DISTINCT period FROM office_return WHERE plan_id = ?"
    if used_only:
        query += f" AND verdict IN ({', '.join('?' * len(USED))})"
    return sorted(row[0] for row in connection.execute(query, (plan_id, *(USED if used_only else ()))))


def read_returns(connection: sqlite3.Connection, plan_id: str, period: str) -> list[ReturnHead]:
    """The period's returns, in the order received."""
    return [
        ReturnHead(
            row_id, unit_id, verdict, dt.datetime.fromisoformat(received_at), sql_datetime(exported_at), name
        )
        for row_id, unit_id, verdict, received_at, exported_at, name in connection.execute(
            "SELECT id, unit_id, verdict, received_at, exported_at, original_name FROM office_return "
            "WHERE plan_id = ? AND period = ? ORDER BY received_at, id",
            (plan_id, period),
        )
    ]


def register_lines(units: dict[int, str], returns: list[ReturnHead], due: dt.date) -> list[RegisterLine]:
    """Per unit, in plan order: its state in the period and when its return arrived."""
    by_unit: dict[int, list[ReturnHead]] = {}
    for row in returns:
        by_unit.setdefault(row.unit_id, []).append(row)
    lines = []
    for unit_id, unit in units.items():
        found = by_unit.get(unit_id, [])
        used = [r for r in found if r.verdict in USED]
        if used:
            first = min(used, key=lambda r: r.received_at)
            current = current_return(used)
            late = (first.received_at.date() - due).days
            state = RegisterState.LATE if late > 0 else RegisterState.ON_TIME
            lines.append(
                RegisterLine(
                    unit, state, first.received_at, max(late, 0), current.exported_at, current.original_name
                )
            )
            continue
        for verdict, state in (
            (Verdict.BAD_SIGNATURE, RegisterState.BAD_SIGNATURE),
            (Verdict.MODIFIED, RegisterState.MODIFIED),
            (Verdict.REJECTED, RegisterState.REJECTED),
        ):
            kind = [r for r in found if r.verdict == verdict.value]
            if kind:
                last = kind[-1]
                lines.append(
                    RegisterLine(unit, state, last.received_at, 0, last.exported_at, last.original_name)
                )
                break
        else:
            lines.append(RegisterLine(unit, RegisterState.MISSING, None, 0, None, ""))
    return lines


class RegisterReader:
    """The register of the plan shown, read on one connection (``office register`` without the ORM)."""

    def __init__(self, connection: sqlite3.Connection, catalogue: CatalogueIndex) -> None:
        self.connection = connection
        self.plan_id = catalogue.plan_id
        self.units = register_units(catalogue)

    def due_on(self, period: str) -> dt.date:
        return read_due_on(self.connection, self.plan_id, period)

    def periods(self, used_only: bool = False) -> list[str]:
        return read_periods(self.connection, self.plan_id, used_only)

    def register(self, period: str) -> list[RegisterLine]:
        return register_lines(
            self.units, read_returns(self.connection, self.plan_id, period), self.due_on(period)
        )
