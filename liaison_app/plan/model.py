"""Plain data objects for a parsed plan. No I/O, no Qt, no SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from liaison_app.plan.groups import SpecialGroup

Role = Literal["lead", "coop"]
ROLES: tuple[Role, ...] = ("lead", "coop")


@dataclass(frozen=True)
class Unit:
    name: str
    category: str


@dataclass
class Item:
    """One work item: sub-item ``M.N`` or the whole measure ``M`` when it has no sub-items."""

    measure: int
    sub: int | None
    text: str
    lead: list[str] = field(default_factory=list)
    coop: list[str] = field(default_factory=list)
    deadline: dt.date | None = None

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
