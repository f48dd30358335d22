"""Plain records the service returns, its errors, and summary counts.

Kept apart from :mod:`liaison_app.store.service` so the window can import them without loading
SQLAlchemy (the window shows itself first and opens the database right after).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from liaison_app.store.status import Light, Status, days_late, light_for

MAX_NOTE_CHARS = 20000


class ServiceError(ValueError):
    """A request that cannot be done; ``str(error)`` is a Chinese sentence for the user."""


class StorageError(ServiceError):
    """The data could not be written (disk full, read-only folder, locked): nothing was saved."""


class UnknownUnitError(ServiceError):
    def __init__(self, written: str, suggestions: list[str]) -> None:
        self.written = written
        self.suggestions = suggestions
        hint = f"，是否要找:{'、'.join(suggestions)}" if suggestions else ""
        super().__init__(f"没有名为「{written}」的单位{hint}")


class UnknownItemError(ServiceError):
    pass


class NotAssignedError(ServiceError):
    pass


_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS = set("\n\r\t")


def check_text(text: str, what: str, max_chars: int) -> str:
    """Typed text as it may be stored: any language and emoji, but no NUL, no invisible control
    characters, no bidirectional overrides (they can make a report read differently from what it
    says), and not longer than ``max_chars``."""
    if len(text) > max_chars:
        raise ServiceError(f"{what}过长({len(text)} 字)，请控制在 {max_chars} 字以内")
    if "\x00" in text:
        raise ServiceError(f"{what}中含有不可见的空字符(NUL)，请删除后再保存")
    if any(ch in _BIDI_CONTROLS for ch in text):
        raise ServiceError(f"{what}中含有改变文字方向的控制字符，请删除后再保存")
    if any(ord(ch) < 32 and ch not in _ALLOWED_CONTROLS for ch in text):
        raise ServiceError(f"{what}中含有不可见的控制字符，请删除后再保存")
    return text


@dataclass(frozen=True)
class PlanInfo:
    plan_id: str
    name: str
    issued_on: dt.date
    issued_on_note: str
    areas: int
    measures: int
    items: int
    units: int


@dataclass(frozen=True)
class UnitInfo:
    name: str
    category: str
    lead_items: int
    coop_items: int
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogItem:
    id: str
    area: int
    area_name: str
    measure: int
    measure_title: str
    item: int | None
    text: str
    lead: tuple[str, ...]
    coop: tuple[str, ...]
    deadline: dt.date | None
    position: int


@dataclass(frozen=True)
class UnitTask:
    """One item as one unit sees it."""

    unit: str
    role: str  # "lead" | "coop"
    item: CatalogItem
    status: Status
    note: str
    completed_on: dt.date | None
    updated_at: dt.datetime | None
    evidence: int

    def light(self, as_of: dt.date) -> Light:
        return light_for(self.item.deadline, self.status, as_of, self.completed_on)

    def days_late(self, as_of: dt.date) -> int:
        return days_late(self.item.deadline, self.status, as_of, self.completed_on)


@dataclass(frozen=True)
class HistoryEntry:
    changed_at: dt.datetime
    field: str
    before: str | None
    after: str | None
    actor: str


@dataclass(frozen=True)
class LiaisonProfile:
    """Who reports for a unit; ``plan_only`` when it was set for the current plan alone."""

    name: str = ""
    phone: str = ""
    email: str = ""
    plan_only: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.phone or self.email)


@dataclass(frozen=True)
class Anomaly:
    kind: str
    location: str
    detail: str


@dataclass(frozen=True)
class EvidenceRecord:
    id: int
    unit: str
    item_code: str
    sha256: str
    size: int
    original_name: str
    description: str
    period: str
    added_at: dt.datetime
    added_by: str


@dataclass(frozen=True)
class EvidenceProblem:
    unit: str
    item_code: str
    original_name: str
    sha256: str
    problem: str  # "missing" | "damaged"

    @property
    def label(self) -> str:
        return {"missing": "文件丢失", "damaged": "文件已损坏或被改动"}[self.problem]


def summarize(tasks: Iterable[UnitTask], as_of: dt.date) -> dict[str, int]:
    """Counts for a unit's summary strip: totals, roles, statuses, lights."""
    counts: dict[str, int] = {"total": 0, "lead": 0, "coop": 0}
    counts.update({light.value: 0 for light in Light if light is not Light.ON_TRACK})
    counts.update({s.value: 0 for s in Status})
    for task in tasks:
        counts["total"] += 1
        counts[task.role] += 1
        counts[task.status.value] += 1
        light = task.light(as_of)
        if light is not Light.ON_TRACK:
            counts[light.value] += 1
    return counts
