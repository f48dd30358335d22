"""The plans in a data folder: list, activate, load a reviewed plan, load a revision.

Every change is one transaction: a plan is loaded whole or not at all. The CLI and the window
call these functions; neither sees SQL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from liaison_app.plan.diff import PlanDiff, diff_plans
from liaison_app.plan.model import Plan, Unit
from liaison_app.plan.units import UnitRegistry
from liaison_app.store.database import Database
from liaison_app.store.models import ItemRow, PlanRow, PlanUnitRow, UnitAliasRow, UnitRow
from liaison_app.store.plan_loader import (
    RevisionOutcome,
    fingerprint,
    load_plan,
    plan_from_db,
    progress_on,
    revise_plan,
    set_active,
)
from liaison_app.store.records import ServiceError, UnknownPlanError


@dataclass(frozen=True)
class PlanSummary:
    plan_id: str
    name: str
    revision: int
    issued_on: dt.date
    active: bool
    items: int
    archived: int
    units: int
    loaded_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.plan_id,
            "name": self.name,
            "revision": self.revision,
            "issued_on": self.issued_on.isoformat(),
            "active": self.active,
            "items": self.items,
            "archived": self.archived,
            "units": self.units,
            "loaded_at": self.loaded_at.isoformat(sep=" ", timespec="seconds"),
        }


class RevisionRefused(ServiceError):
    """A revision would lose track of progress (doubtful matches, dropped items with records)."""

    def __init__(self, message: str, doubtful: list[str], orphaned: list[str]) -> None:
        super().__init__(message)
        self.doubtful = doubtful
        self.orphaned = orphaned


@dataclass
class LoadOutcome:
    status: str  # "loaded" | "already_loaded" | "revised"
    plan_id: str
    revision: int
    message: str
    revised: RevisionOutcome | None = None
    lines: list[str] = field(default_factory=list)


def list_plans(database: Database) -> list[PlanSummary]:
    with database.sessions() as session:
        live = dict(
            session.execute(
                select(ItemRow.plan_id, func.count())
                .where(ItemRow.archived_revision.is_(None))
                .group_by(ItemRow.plan_id)
            ).all()
        )
        archived = dict(
            session.execute(
                select(ItemRow.plan_id, func.count())
                .where(ItemRow.archived_revision.is_not(None))
                .group_by(ItemRow.plan_id)
            ).all()
        )
        units = dict(
            session.execute(select(PlanUnitRow.plan_id, func.count()).group_by(PlanUnitRow.plan_id)).all()
        )
        return [
            PlanSummary(
                plan_id=row.id,
                name=row.name,
                revision=row.revision,
                issued_on=row.issued_on,
                active=row.active,
                items=live.get(row.id, 0),
                archived=archived.get(row.id, 0),
                units=units.get(row.id, 0),
                loaded_at=row.loaded_at,
            )
            for row in session.scalars(select(PlanRow).order_by(PlanRow.loaded_at, PlanRow.id))
        ]


def activate(database: Database, plan_id: str) -> PlanSummary:
    with database.transaction() as session:
        if session.get(PlanRow, plan_id) is None:
            raise UnknownPlanError(f"没有编号为「{plan_id}」的工作方案")
        set_active(session, plan_id)
    return next(p for p in list_plans(database) if p.plan_id == plan_id)


def set_issued_on(database: Database, plan_id: str, day: dt.date) -> None:
    """Correct one plan's issue date (deliverables are due one month after it)."""
    with database.transaction() as session:
        row = session.get(PlanRow, plan_id)
        if row is None:
            raise UnknownPlanError(f"没有编号为「{plan_id}」的工作方案")
        row.issued_on = day


def registry(database: Database) -> UnitRegistry:
    """Every unit the data folder knows, across plans, with its aliases: what a preview resolves to."""
    with database.sessions() as session:
        units = [
            Unit(n, c)
            for n, c in session.execute(select(UnitRow.name, UnitRow.category).order_by(UnitRow.id))
        ]
        names = dict(session.execute(select(UnitRow.id, UnitRow.name)).all())
        aliases = {a: names[u] for a, u in session.execute(select(UnitAliasRow.alias, UnitAliasRow.unit_id))}
    return UnitRegistry(units, aliases)


def loaded_plan(database: Database, plan_id: str) -> tuple[Plan, int, dict[str, str]]:
    with database.sessions() as session:
        try:
            return plan_from_db(session, plan_id)
        except ValueError as exc:
            raise UnknownPlanError(str(exc)) from exc


def load(
    database: Database,
    plan: Plan,
    now: dt.datetime,
    *,
    revision: int = 1,
    item_ids: Mapping[str, str] | None = None,
) -> LoadOutcome:
    """Load a reviewed plan (a new id) and make it active; the same plan twice changes nothing."""
    with database.transaction() as session:
        row = session.get(PlanRow, plan.plan_id)
        if row is not None:
            if row.content_sha256 == fingerprint(plan) and row.revision == revision:
                return LoadOutcome(
                    "already_loaded",
                    row.id,
                    row.revision,
                    f"工作方案 {row.id}(第{row.revision}版)已经载入，内容相同，未作任何改动。",
                )
            raise ServiceError(
                f"已载入编号同为 {row.id} 而内容不同的工作方案《{row.name}》(第{row.revision}版)。"
                f"若这是它的新版本，请加 --revises {row.id};否则请用 --id 另起编号。本次未作任何改动。"
            )
        load_plan(session, plan, now, revision=revision, item_ids=item_ids)
    return LoadOutcome(
        "loaded", plan.plan_id, revision, f"已载入工作方案《{plan.name}》({plan.plan_id})，并设为当前方案。"
    )


# -- revisions ----------------------------------------------------------------------------------------
@dataclass
class RevisionPlan:
    """What loading ``new`` as the next revision of ``old_id`` would do, before it is done."""

    old_id: str
    old_revision: int
    diff: PlanDiff
    mapping: dict[str, tuple[str, str, float]]  # old code -> (new code, how, score)
    doubtful: list[str]  # "11.2 → 11.3(相似度 0.62)"
    orphaned: list[str]  # old codes dropped although units have records on them
    dropped: list[str]


def plan_revision(
    database: Database,
    old_id: str,
    new: Plan,
    *,
    explicit: Mapping[str, str] | None = None,
    new_item_ids: Mapping[str, str] | None = None,
) -> RevisionPlan:
    """Match the loaded plan's items to ``new``'s: stable package ids first, then ``explicit``
    old=new pairs, then the diff engine (same id and text, else text similarity)."""
    old, old_revision, old_ids = loaded_plan(database, old_id)
    diff = diff_plans(old, new)
    explicit = dict(explicit or {})
    old_codes = {i.code for i in old.items()}
    new_codes = {i.code for i in new.items()}
    for old_code, new_code in explicit.items():
        if old_code not in old_codes:
            raise ServiceError(f"--map {old_code}={new_code}:原方案中没有编号为 {old_code} 的工作措施")
        if new_code and new_code not in new_codes:
            raise ServiceError(f"--map {old_code}={new_code}:新版本中没有编号为 {new_code} 的工作措施")
    mapping: dict[str, tuple[str, str, float]] = {}
    taken: set[str] = set()
    by_stable = {v: k for k, v in (new_item_ids or {}).items()}
    for old_code, stable in old_ids.items():
        if stable in by_stable and old_code not in explicit:
            mapping[old_code] = (by_stable[stable], "stable", 1.0)
            taken.add(by_stable[stable])
    for old_code, new_code in explicit.items():
        if new_code:
            mapping[old_code] = (new_code, "mapped", 1.0)
            taken.add(new_code)
    doubtful: list[str] = []
    for match in diff.matches:
        if match.old in mapping or match.old in explicit or match.new in taken:
            continue
        mapping[match.old] = (match.new, match.how, match.similarity)
        taken.add(match.new)
        if match.doubtful:
            doubtful.append(f"{match.old} → {match.new}(相似度 {match.similarity:.2f})")
    dropped = sorted(old_codes - set(mapping), key=_code_key)
    with database.sessions() as session:
        ids = dict(
            session.execute(
                select(ItemRow.code, ItemRow.id).where(
                    ItemRow.plan_id == old_id, ItemRow.archived_revision.is_(None)
                )
            ).all()
        )
        counts = progress_on(session, [ids[c] for c in dropped])
    orphaned = [c for c in dropped if counts.get(ids[c])]
    return RevisionPlan(old_id, old_revision, diff, mapping, doubtful, orphaned, dropped)


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


def revise(
    database: Database,
    revision_plan: RevisionPlan,
    new: Plan,
    now: dt.datetime,
    *,
    accept_doubtful: bool = False,
    archive_dropped: bool = False,
    revision: int | None = None,
    item_ids: Mapping[str, str] | None = None,
) -> LoadOutcome:
    """Load ``new`` over the loaded plan as its next revision, carrying progress (one transaction)."""
    if revision_plan.doubtful and not accept_doubtful:
        raise RevisionRefused(
            f"有 {len(revision_plan.doubtful)} 条对应关系把握不大，请核对后确认"
            "(--accept-doubtful 全部接受，或用 --map 旧编号=新编号 逐条指定):"
            + "；".join(revision_plan.doubtful),
            revision_plan.doubtful,
            revision_plan.orphaned,
        )
    if revision_plan.orphaned and not archive_dropped:
        raise RevisionRefused(
            f"新版本没有与旧编号 {'、'.join(revision_plan.orphaned)} 对应的工作措施，"
            "而已有单位在这些工作措施上填报过进展或添加过材料。请用 --map 旧编号=新编号 指定对应，"
            "或加 --archive-dropped 把它们连同记录归档(只读保留)。本次未作任何改动。",
            revision_plan.doubtful,
            revision_plan.orphaned,
        )
    with database.transaction() as session:
        row = session.get(PlanRow, revision_plan.old_id)
        same = dataclasses.replace(new, plan_id=revision_plan.old_id)
        if row is not None and row.content_sha256 == fingerprint(same):
            return LoadOutcome(
                "already_loaded",
                row.id,
                row.revision,
                f"工作方案 {row.id}(第{row.revision}版)已经载入，未作任何改动。",
            )
        outcome = revise_plan(
            session,
            revision_plan.old_id,
            new,
            revision_plan.mapping,
            now,
            item_ids=item_ids,
            revision=revision,
        )
        set_active(session, revision_plan.old_id)
    message = (
        f"已把《{new.name}》载入为 {revision_plan.old_id} 的第{outcome.revision}版:"
        f"沿用 {len(outcome.carried)} 条(其中改号或改写 "
        f"{sum(1 for o, n in outcome.carried if o != n)} 条)，新增 {len(outcome.added)} 条，"
        f"归档 {len(outcome.archived)} 条。"
    )
    return LoadOutcome("revised", revision_plan.old_id, outcome.revision, message, outcome)
