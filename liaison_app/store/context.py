"""What every part of the liaison service shares: the database, the clock and who is acting.

One object, held by reference, so that a change of actor (the window sets the liaison's name
once it is known) reaches the progress, evidence and promises parts at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison_app.clock import Clock
from liaison_app.store.database import Database
from liaison_app.store.models import HistoryRow

T = TypeVar("T")


@dataclass
class StoreContext:
    database: Database
    clock: Clock
    actor: str = ""

    def log_change(
        self,
        session: Session,
        unit_id: int,
        item_id: int,
        change: tuple[str, str | None, str | None],
        now: dt.datetime | None = None,
    ) -> HistoryRow:
        """Add one ``(field, before, after)`` change of a unit's item to its history, by the
        current actor at ``now`` (default: the clock's now); the caller commits."""
        field, before, after = change
        entry = HistoryRow(
            unit_id=unit_id,
            item_id=item_id,
            field=field,
            before=before,
            after=after,
            changed_at=now or self.clock.now(),
            actor=self.actor,
        )
        session.add(entry)
        return entry


def first_writer_wins(action: Callable[[], T]) -> T:
    """Run a one-transaction action; when another writer created the same row first (two
    first saves of one item at once), run it again on top of that row instead of failing."""
    try:
        return action()
    except IntegrityError:
        return action()


def history_date(day: dt.date | None) -> str | None:
    """A date as the change history writes it (``2019-12-20``), or None."""
    return day.isoformat() if day else None
