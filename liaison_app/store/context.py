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

from liaison_app.clock import Clock
from liaison_app.store.database import Database

T = TypeVar("T")


@dataclass
class StoreContext:
    database: Database
    clock: Clock
    actor: str = ""


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
