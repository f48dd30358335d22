"""Plain records the service returns, its errors, and summary counts.

Kept apart from :mod:`liaison_app.store.service` so the window can import them without loading
SQLAlchemy (the window shows itself first and opens the database right after).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from liaison_app.filenames import printable as printable  # re-exported for the CLI
from liaison_app.plan.model import OP_SIGNS, Milestone, Target
from liaison_app.store.status import SETTLED, Light, Status, days_late, light_for
from liaison_app.vocabulary import Attainment

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


class UnknownPlanError(ServiceError):
    pass


class NotAssignedError(ServiceError):
    pass


MAX_CELL_CHARS = 32767  # what one spreadsheet cell holds (Excel, WPS and openpyxl agree)

# Characters that make text read differently from what it says, or hide in it. Refused in
# everything typed and in file names (never silently removed: the user sees what was wrong).
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BIDI_MARKS = set("\u200e\u200f\u061c")  # LRM, RLM, ALM
_INVISIBLE = set("\u200b\u2060\ufeff\u180e")  # zero-width space, word joiner, BOM, MVS
_LINE_SEPARATORS = set("\u2028\u2029\x85")
_ALLOWED_CONTROLS = set("\n\r\t")


def text_problem(text: str, *, allow_newlines: bool = True) -> str:
    """Why ``text`` may not be stored, or "" (zero-width joiners of emoji and scripts stay)."""
    if "\x00" in text:
        return "不可见的空字符(NUL)"
    if any(ch in _BIDI_CONTROLS or ch in _BIDI_MARKS for ch in text):
        return "改变文字方向的控制字符"
    if any(ch in _INVISIBLE for ch in text):
        return "零宽度或字节顺序标记(BOM)等不可见字符"
    if any(ch in _LINE_SEPARATORS for ch in text):
        return "特殊的换行符(U+2028/U+2029/NEL)"
    allowed = _ALLOWED_CONTROLS if allow_newlines else set()
    if any((ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F) and ch not in allowed for ch in text):
        return "不可见的控制字符"
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return "无效的字符编码"
    return ""


def check_text(text: str, what: str, max_chars: int) -> str:
    """Typed text as it may be stored: any language and emoji, but no NUL, no invisible control
    characters (C0, DEL, C1), no bidirectional overrides or marks, no zero-width space or BOM,
    no U+2028, and not longer than ``max_chars``."""
    if len(text) > max_chars:
        raise ServiceError(f"{what}过长({len(text)} 字)，请控制在 {max_chars} 字以内")
    problem = text_problem(text)
    if problem:
        raise ServiceError(f"{what}中含有{problem}，请删除后再保存")
    return text


def check_file_name(name: str) -> str:
    """A file name as it may be recorded: the same rules as typed text, on one line, and what
    the disk can hold (255 bytes)."""
    problem = text_problem(name, allow_newlines=False)
    if problem:
        raise ServiceError(f"文件名「{printable(name)}」中含有{problem}，请改名后再添加")
    if len(name.encode("utf-8")) > 255:
        raise ServiceError(f"文件名过长({len(name.encode('utf-8'))} 字节，上限 255)，请改短后再添加")
    return name


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
    revision: int = 1
    active: bool = True


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
    former: str = ""  # the item's code before the latest revision that renumbered or reworded it
    milestones: tuple[Milestone, ...] = ()
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class MilestoneState:
    """One of an item's milestones as one unit sees it: ticked off on ``done_on``, or open."""

    number: int  # from 1, in the order written
    date: dt.date
    text: str
    done_on: dt.date | None = None

    @property
    def done(self) -> bool:
        return self.done_on is not None


@dataclass(frozen=True)
class ActualRecord:
    """A figure a lead unit reported on a target for one 报送期."""

    target_id: str
    unit: str
    period: str
    value: Decimal
    measured_on: dt.date
    source: str
    recorded_at: dt.datetime
    actor: str


def format_decimal(value: Decimal) -> str:
    """``Decimal('3')`` → ``3``, ``Decimal('99.960')`` → ``99.960`` (as entered; no exponent)."""
    return format(value, "f")


def describe_target(target: Target) -> str:
    """``≤ 3 个工作日``: the promise in a few characters."""
    return f"{OP_SIGNS[target.op]} {format_decimal(target.value)} {target.unit}"


@dataclass(frozen=True)
class TargetState:
    """A target with the figures reported against it, oldest 报送期 first (the trend)."""

    target: Target
    actuals: tuple[ActualRecord, ...] = ()

    @property
    def latest(self) -> ActualRecord | None:
        return self.actuals[-1] if self.actuals else None

    def in_period(self, period: str | None) -> ActualRecord | None:
        """The figure of ``period``, or the latest one up to it (None: the latest of all)."""
        found = [a for a in self.actuals if period is None or a.period <= period]
        return found[-1] if found else None

    def attainment(self, period: str | None = None) -> Attainment:
        actual = self.in_period(period)
        if actual is None:
            return Attainment.MISSING
        return Attainment.MET if self.target.met(actual.value) else Attainment.NOT_MET

    @property
    def met(self) -> bool | None:
        """True 达标, False 未达标, None 未填报 (on the latest figure)."""
        verdict = self.attainment()
        return None if verdict is Attainment.MISSING else verdict is Attainment.MET


class UnitTask(NamedTuple):
    """One item as one unit sees it.

    A named tuple, not a frozen dataclass: a unit switch builds one per item of the unit (4,200
    on the largest unit of a plan 100× the bundled one), and a tuple is made in one call (~0.2 µs)
    where a frozen dataclass sets each field through ``object.__setattr__`` (~1.4 µs), and is
    freed faster too. Equal only to another ``UnitTask`` with the same fields, as before."""

    unit: str
    role: str  # "lead" | "coop"
    item: CatalogItem
    status: Status
    note: str
    completed_on: dt.date | None
    updated_at: dt.datetime | None
    evidence: int
    milestones: tuple[MilestoneState, ...] = ()
    targets: tuple[TargetState, ...] = ()

    @property
    def next_milestone(self) -> MilestoneState | None:
        """The open milestone due first (None when there is none open, or no milestones)."""
        # one pass, no key function: the window asks this of every item on a unit switch
        upcoming: MilestoneState | None = None
        for milestone in self.milestones:
            if milestone.done_on is None and (
                upcoming is None
                or milestone.date < upcoming.date
                or (milestone.date == upcoming.date and milestone.number < upcoming.number)
            ):
                upcoming = milestone
        return upcoming

    @property
    def due(self) -> dt.date | None:
        """The date the light follows: the next open milestone's, else the item's deadline."""
        upcoming = self.next_milestone
        return upcoming.date if upcoming else self.item.deadline

    def light(self, as_of: dt.date) -> Light:
        return light_for(self.due, self.status, as_of, self.completed_on)

    def days_late(self, as_of: dt.date) -> int:
        return days_late(self.due, self.status, as_of, self.completed_on)

    def overdue_milestones(self, as_of: dt.date) -> list[MilestoneState]:
        """Open milestones whose date has passed (none when the item is settled)."""
        if self.status in SETTLED:
            return []
        return [m for m in self.milestones if not m.done and m.date < as_of]

    # a dataclass's equality: a task is never equal to a plain tuple of the same fields
    def __eq__(self, other: object) -> bool:
        return type(other) is UnitTask and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:  # defining __eq__ alone would make tasks unhashable
        return tuple.__hash__(self)


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
