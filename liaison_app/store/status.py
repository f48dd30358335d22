"""Progress statuses and the red/amber/green light rules (pure functions, no I/O)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum


class StatusError(ValueError):
    """A status word that is not one of ours (the message is for the user)."""


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    ONGOING = "ongoing"
    BLOCKED = "blocked"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: "未启动",
    Status.IN_PROGRESS: "推进中",
    Status.DONE: "已完成",
    Status.ONGOING: "常态化推进",
    Status.BLOCKED: "需协调",
}

# Finished, or work that by nature never finishes: never overdue.
SETTLED = frozenset({Status.DONE, Status.ONGOING})


def parse_status(text: str) -> Status:
    """A status from its code (``done``) or its Chinese label (``已完成``)."""
    cleaned = text.strip()
    for status in Status:
        if cleaned in (status.value, status.label):
            return status
    valid = "、".join(f"{s.value}({s.label})" for s in Status)
    raise StatusError(f"无效的进展状态「{text}」，可用:{valid}")


class Light(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"

    @property
    def label(self) -> str:
        return LIGHT_LABELS[self]


LIGHT_LABELS: dict[Light, str] = {
    Light.OVERDUE: "逾期",
    Light.DUE_SOON: "临期",
    Light.ON_TRACK: "正常",
}

DUE_SOON_DAYS = 30


def light_for(deadline: dt.date | None, status: Status, as_of: dt.date) -> Light:
    """逾期 when the deadline has passed and the item is not settled; 临期 within 30 days."""
    if deadline is None or status in SETTLED:
        return Light.ON_TRACK
    if deadline < as_of:
        return Light.OVERDUE
    if (deadline - as_of).days <= DUE_SOON_DAYS:
        return Light.DUE_SOON
    return Light.ON_TRACK
