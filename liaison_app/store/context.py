"""What every part of the liaison service shares: the database, the clock and who is acting.

One object, held by reference, so that a change of actor (the window sets the liaison's name
once it is known) reaches the progress, evidence and promises parts at once.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison_app.clock import Clock
from liaison_app.store.database import Database, raw_connection
from liaison_app.store.item_writing import Change, Stamp, insert_history
from liaison_app.store.item_writing import history_date as history_date

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
        change: Change,
        now: dt.datetime | None = None,
    ) -> int:
        """Add one ``(field, before, after)`` change of a unit's item to its history, by the
        current actor at ``now`` (default: the clock's now), in the session's transaction (the
        caller commits); the row id. Written by :func:`item_writing.insert_history`, as every
        history row is."""
        return insert_history(raw_connection(session), unit_id, item_id, change, self.stamp(now))

    def stamp(self, now: dt.datetime | None = None) -> Stamp:
        """Now (the clock's, unless given), today and the current actor, for one change."""
        return Stamp(now or self.clock.now(), self.clock.today(), self.actor)


def first_writer_wins(action: Callable[[], T]) -> T:
    """Run a one-transaction action; when another writer created the same row first (two
    first saves of one item at once), run it again on top of that row instead of failing.
    (A row written through the session's own connection raises sqlite3's error, unwrapped.)"""
    try:
        return action()
    except (IntegrityError, sqlite3.IntegrityError):
        return action()
