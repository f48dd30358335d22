"""Plain records of the duties beyond the task table (typical cases, deliverables, special
groups), kept apart from :mod:`liaison_app.store.duties` so the window can import them without
loading SQLAlchemy."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from liaison_app.store.status import Light, Status, light_for
from liaison_app.vocabulary import CaseKind, DeliverableKind, chinese_numeral


@dataclass(frozen=True)
class GroupInfo:
    number: int
    name: str
    duties: str
    lead: tuple[str, ...]
    members: tuple[str, ...]
    all_members: bool
    role: str = ""  # for a unit: 牵头单位 / 责任单位 / 责任单位(各相关成员单位), else ""

    @property
    def title(self) -> str:
        return f"({chinese_numeral(self.number)}){self.name}"

    def units(self, everyone: list[str]) -> list[str]:
        return list(dict.fromkeys([*self.lead, *(everyone if self.all_members else self.members)]))


@dataclass(frozen=True)
class Attachment:
    id: int
    original_name: str
    size: int
    sha256: str
    added_at: dt.datetime


@dataclass(frozen=True)
class TypicalCase:
    id: int
    unit: str
    period: str
    kind: str  # positive | negative
    title: str
    body: str
    related: tuple[str, ...]
    attachments: tuple[Attachment, ...]
    updated_at: dt.datetime

    @property
    def kind_label(self) -> str:
        return CaseKind(self.kind).label


@dataclass(frozen=True)
class Deliverable:
    unit: str
    kind: str  # measures | research
    due: dt.date
    status: Status
    note: str
    completed_on: dt.date | None
    updated_at: dt.datetime | None
    attachments: tuple[Attachment, ...]

    @property
    def label(self) -> str:
        return DeliverableKind(self.kind).label

    def light(self, as_of: dt.date) -> Light:
        return light_for(self.due, self.status, as_of, self.completed_on)


def one_month_after(day: dt.date) -> dt.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
