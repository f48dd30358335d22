"""Progress statuses and the red/amber/green light rules (pure functions, no I/O).

The words themselves (codes and labels) live in :mod:`liaison_app.vocabulary`; they are
re-exported here so ``from liaison_app.store.status import Status`` keeps working.
"""

from __future__ import annotations

import datetime as dt

from liaison_app.vocabulary import LIGHT_LABELS, SETTLED, STATUS_LABELS, Light, Status

__all__ = [
    "DUE_SOON_DAYS",
    "LIGHT_LABELS",
    "SETTLED",
    "STATUS_LABELS",
    "Light",
    "Status",
    "days_late",
    "light_for",
    "parse_status",
]


def parse_status(text: str) -> Status:
    """A status from its code (``done``) or its Chinese label (``已完成``)."""
    return Status.parse(text)


DUE_SOON_DAYS = 30


def light_for(
    deadline: dt.date | None, status: Status, as_of: dt.date, completed_on: dt.date | None = None
) -> Light:
    """逾期 when the deadline has passed and the item is not settled; 临期 within 30 days;
    逾期完成 when it was done, but after its deadline (a late finish is not 正常)."""
    if deadline is None:
        return Light.ON_TRACK
    if status is Status.DONE and completed_on is not None and completed_on > deadline:
        return Light.DONE_LATE
    if status in SETTLED:
        return Light.ON_TRACK
    if deadline < as_of:
        return Light.OVERDUE
    if (deadline - as_of).days <= DUE_SOON_DAYS:
        return Light.DUE_SOON
    return Light.ON_TRACK


def days_late(deadline: dt.date | None, status: Status, as_of: dt.date, completed_on: dt.date | None) -> int:
    """Days past the deadline: until today while open, until completion when done late."""
    light = light_for(deadline, status, as_of, completed_on)
    if deadline is None:
        return 0
    if light is Light.DONE_LATE and completed_on is not None:
        return (completed_on - deadline).days
    if light is Light.OVERDUE:
        return (as_of - deadline).days
    return 0
