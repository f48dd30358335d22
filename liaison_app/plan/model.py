"""Plain data objects for a parsed plan. No I/O, no Qt, no SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from liaison_app.plan.groups import SpecialGroup

Role = Literal["lead", "coop"]
ROLES: tuple[Role, ...] = ("lead", "coop")

# How a target compares: the actual must be at most / at least / exactly the value.
Op = Literal["<=", ">=", "="]
OPS: tuple[Op, ...] = ("<=", ">=", "=")
OP_SIGNS: dict[Op, str] = {"<=": "≤", ">=": "≥", "=": "="}


@dataclass(frozen=True)
class Unit:
    name: str
    category: str


@dataclass(frozen=True)
class Milestone:
    """One dated clause of an item (时间节点): ``2019年底前探索推进…`` is one, ``2022年底前实现…`` another.

    ``text`` is the clause as written, date phrase included. Milestones are numbered from 1 in
    the order they are written; targets refer to them by that number.
    """

    date: dt.date
    text: str


@dataclass(frozen=True)
class Target:
    """One quantitative promise of an item (指标): ``一般登记压缩至3个工作日`` → 一般登记 ≤ 3 个工作日.

    ``value`` and ``baseline`` are :class:`~decimal.Decimal`, not float: they are compared with
    the figures a liaison enters, and ``99.96`` must stay 99.96 (a float is 99.9599999…).
    ``milestone`` is the 1-based number of the item's milestone the promise belongs to, or None
    when it is not tied to a date (a standing service rule such as ``2个工作日内办结``).
    """

    id: str  # "26.1-t1": the item's code, then the promise's place in the text
    text: str  # what is measured, in the plan's own words
    op: Op
    value: Decimal
    unit: str
    baseline: Decimal | None = None
    baseline_unit: str | None = None  # the baseline's unit when it has one (69: 由20日…)
    milestone: int | None = None

    def met(self, actual: Decimal) -> bool:
        """达标: whether an actual figure (in the target's unit) keeps the promise."""
        if self.op == "<=":
            return actual <= self.value
        if self.op == ">=":
            return actual >= self.value
        return actual == self.value


@dataclass
class Item:
    """One work item: sub-item ``M.N`` or the whole measure ``M`` when it has no sub-items."""

    measure: int
    sub: int | None
    text: str
    lead: list[str] = field(default_factory=list)
    coop: list[str] = field(default_factory=list)
    deadline: dt.date | None = None
    milestones: tuple[Milestone, ...] = ()
    targets: tuple[Target, ...] = ()

    @property
    def code(self) -> str:
        return f"{self.measure}" if self.sub is None else f"{self.measure}.{self.sub}"


@dataclass
class Measure:
    number: int
    title: str
    area: int
    items: list[Item] = field(default_factory=list)


@dataclass
class Area:
    number: int
    numeral: str
    name: str


@dataclass(frozen=True)
class Anomaly:
    """Something the parser repaired, decided, or could not place.

    ``kind`` is a stable machine word; ``where`` names the line or item; ``detail`` says what
    was seen and what was done, in words a reviewer can check against the source text.
    """

    kind: str
    where: str
    detail: str


@dataclass
class Plan:
    plan_id: str
    name: str
    issued_on: dt.date
    issued_on_note: str
    source_sha256: str
    areas: list[Area]
    measures: list[Measure]
    units: list[Unit]
    aliases: dict[str, str]
    anomalies: list[Anomaly]
    groups: list[SpecialGroup] = field(default_factory=list)

    def items(self) -> list[Item]:
        return [item for measure in self.measures for item in measure.items]

    def area_of(self, measure: Measure) -> Area:
        return next(a for a in self.areas if a.number == measure.area)
