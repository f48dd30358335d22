"""What the plan promises, per unit: ticking milestones off and reporting actual figures.

The rules, without Qt:

* a milestone is ticked off with the date it was achieved: not in the future, not before the
  plan was issued; it can be opened again (``done_on=None``);
* ticking the last open milestone makes the item 已完成 (completion date: the latest tick);
  ticking one of several makes a 未启动 item 推进中; opening one of a 已完成 item makes it
  推进中 again. Setting 已完成 directly ticks every open milestone with the completion date
  (:func:`liaison_app.store.item_writing.tick_open_on_done`, called by ``update``);
* only a lead unit (牵头单位) reports actual figures; cooperating units see the lead units'
  figures. A figure is an exact decimal in the target's unit: a different unit, a percentage
  over 100, a negative count, a fraction of a count, or anything that is not a number is
  refused with the reason, and nothing is written;
* every change is a row of ``history``, like a change of status.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison_app.plan.model import Target
from liaison_app.store.catalogue import Catalogue
from liaison_app.store.context import StoreContext, history_date
from liaison_app.store.database import raw_connection
from liaison_app.store.item_writing import tick_open_on_done, tick_text
from liaison_app.store.models import (
    ActualRow,
    MilestoneDoneRow,
    ProgressRow,
)
from liaison_app.store.records import (
    MilestoneState,
    ServiceError,
    TargetState,
    UnknownItemError,
    check_text,
    format_decimal,
)
from liaison_app.store.status import Status
from liaison_app.store.task_reading import read_promise_states
from liaison_app.vocabulary import parse_period

MAX_SOURCE_CHARS = 200
MAX_DIGITS = 18

# Units counted in whole numbers: 5000.5 人次 is a typo, not a figure.
COUNT_UNITS = frozenset({"人次", "件", "家", "个环节", "个阶段", "个", "户", "项", "次", "人"})
# Units whose figures may be negative (a change, not an amount).
SIGNED_UNITS = frozenset({"个百分点"})

_NUMBER = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(.*)$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％－＋", "0123456789.%-+")


def _same_unit(written: str, unit: str) -> bool:
    forms = {unit, unit.removeprefix("个")}
    if unit == "天":
        forms.add("日")
    return written in forms


def parse_actual(text: str, target: Target) -> Decimal:
    """The figure a liaison typed (``7``, ``7个工作日``, ``99.5%``), checked against the target.

    Raises :class:`ServiceError` with the reason in Chinese.
    """
    cleaned = "".join(text.split()).translate(_FULLWIDTH).replace(",", "")
    if not cleaned:
        raise ServiceError(f"请填写指标「{target.text}」的实际值(单位:{target.unit})")
    match = _NUMBER.match(cleaned)
    if match is None:
        raise ServiceError(f"实际值「{text.strip()}」不是数字;请只填数值，单位为「{target.unit}」")
    number, written_unit = match.groups()
    if written_unit and not _same_unit(written_unit, target.unit):
        raise ServiceError(
            f"实际值的单位「{written_unit}」与指标的单位「{target.unit}」不符;请换算成「{target.unit}」后填写"
        )
    try:
        value = Decimal(number)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only decimals
        raise ServiceError(f"实际值「{text.strip()}」不是数字") from exc
    if len(value.as_tuple().digits) > MAX_DIGITS:
        raise ServiceError(f"实际值「{text.strip()}」位数过多(最多 {MAX_DIGITS} 位)")
    if value < 0 and target.unit not in SIGNED_UNITS:
        raise ServiceError(f"实际值不能为负数({format_decimal(value)} {target.unit})")
    if target.unit == "%" and value > 100:
        raise ServiceError(f"百分比不能超过 100%(填写的是 {format_decimal(value)}%)")
    if target.unit in COUNT_UNITS and value != value.to_integral_value():
        raise ServiceError(f"「{target.unit}」应为整数(填写的是 {format_decimal(value)})")
    return value


class PromisesService:
    """Milestone ticks and actual figures of one unit's items, on the catalogue shown."""

    def __init__(self, context: StoreContext, catalogue: Catalogue) -> None:
        self._context = context
        self._catalogue = catalogue

    # -- reading ------------------------------------------------------------------------------
    def promise_states(
        self, session: Session, unit: str, item_ids: Iterable[int]
    ) -> dict[int, tuple[tuple[MilestoneState, ...], tuple[TargetState, ...]]]:
        """Milestones (with this unit's ticks) and targets (with figures) of the given items
        (:func:`~liaison_app.store.task_reading.read_promise_states`)."""
        return read_promise_states(raw_connection(session), self._catalogue, unit, item_ids)

    def _target(self, item_id: int, target_id: str) -> Target:
        item = self._catalogue.items[item_id]
        for target in item.targets:
            if target.id == target_id.strip():
                return target
        if not item.targets:
            raise UnknownItemError(f"工作措施 {item.id} 没有量化指标")
        listed = "、".join(t.id for t in item.targets)
        raise UnknownItemError(f"工作措施 {item.id} 没有编号为「{target_id}」的指标(可用:{listed})")

    def target_trend(self, unit: str, code: str, target_id: str) -> TargetState:
        """A target with every figure reported on it, oldest 报送期 first."""
        unit = self._catalogue.resolve_unit(unit)
        item_id = self._catalogue.item_id(code)
        self._catalogue.role(unit, item_id)
        target = self._target(item_id, target_id)
        with self._context.database.sessions() as session:
            _milestones, targets = self.promise_states(session, unit, [item_id])[item_id]
        return next(t for t in targets if t.target.id == target.id)

    # -- milestones ---------------------------------------------------------------------------
    def _check_done_date(self, day: dt.date) -> None:
        today = self._context.clock.today()
        if day > today:
            raise ServiceError(f"完成日期 {day.isoformat()} 晚于今天({today.isoformat()})，不能预先勾选")
        issued = self._catalogue.plan.issued_on
        if day < issued:
            raise ServiceError(f"完成日期 {day.isoformat()} 早于工作方案印发日期 {issued.isoformat()}")

    def _history(
        self, session: Session, unit_id: int, item_id: int, changes: list[tuple[str, str | None, str | None]]
    ) -> None:
        now = self._context.clock.now()
        for change in changes:
            self._context.log_change(session, unit_id, item_id, change, now)

    def tick_milestone(self, unit: str, code: str, number: int, done_on: dt.date | None) -> None:
        """Tick milestone ``number`` (from 1) off on ``done_on``, or open it again with None.

        The item's status follows (see the module's rules); all in one transaction."""
        unit = self._catalogue.resolve_unit(unit)
        item_id = self._catalogue.item_id(code)
        self._catalogue.role(unit, item_id)
        item = self._catalogue.items[item_id]
        if not item.milestones:
            raise UnknownItemError(f"工作措施 {item.id} 没有时间节点")
        if not 1 <= number <= len(item.milestones):
            raise UnknownItemError(
                f"工作措施 {item.id} 没有第 {number} 个时间节点(共 {len(item.milestones)} 个)"
            )
        if done_on is not None:
            self._check_done_date(done_on)
        unit_id = self._catalogue.unit_ids[unit]
        milestone_id = self._catalogue.milestone_ids[(item_id, number)]
        now = self._context.clock.now()
        with self._context.database.transaction() as session:
            ticks = {
                row.milestone_id: row
                for row in session.scalars(
                    select(MilestoneDoneRow).where(
                        MilestoneDoneRow.unit_id == unit_id, MilestoneDoneRow.item_id == item_id
                    )
                )
            }
            row = ticks.get(milestone_id)
            before = row.done_on if row else None
            if before == done_on:
                return
            changes: list[tuple[str, str | None, str | None]] = [
                ("milestone", tick_text(number, before), tick_text(number, done_on))
            ]
            if done_on is None:
                assert row is not None
                session.delete(row)
                del ticks[milestone_id]
            elif row is None:
                row = MilestoneDoneRow(
                    unit_id=unit_id,
                    item_id=item_id,
                    milestone_id=milestone_id,
                    done_on=done_on,
                    updated_at=now,
                    actor=self._context.actor,
                )
                session.add(row)
                ticks[milestone_id] = row
            else:
                row.done_on, row.updated_at, row.actor = done_on, now, self._context.actor
            progress = session.scalars(
                select(ProgressRow).where(ProgressRow.unit_id == unit_id, ProgressRow.item_id == item_id)
            ).first()
            status = Status(progress.status) if progress else Status.NOT_STARTED
            completed = progress.completed_on if progress else None
            all_done = len(ticks) == len(item.milestones)
            if all_done:
                new_status, new_completed = Status.DONE, max(r.done_on for r in ticks.values())
            elif status is Status.DONE:
                new_status, new_completed = Status.IN_PROGRESS, None
            elif status is Status.NOT_STARTED and ticks:
                new_status, new_completed = Status.IN_PROGRESS, completed
            else:
                new_status, new_completed = status, completed
            if new_status is not status:
                changes.append(("status", status.value, new_status.value))
            if new_completed != completed:
                changes.append(("completed_on", history_date(completed), history_date(new_completed)))
            if new_status is not status or new_completed != completed:
                if progress is None:
                    progress = ProgressRow(unit_id=unit_id, item_id=item_id, note="")
                    session.add(progress)
                progress.status = new_status.value
                progress.completed_on = new_completed
                progress.updated_at = now
            self._history(session, unit_id, item_id, changes)

    def tick_settled_items(self, session: Session) -> int:
        """After milestones arrive in an older database: items a unit already marked 已完成
        get their milestones ticked off on the completion date (caller commits)."""
        ticked = 0
        connection, stamp, catalogue = raw_connection(session), self._context.stamp(), self._catalogue
        for row in session.scalars(select(ProgressRow).where(ProgressRow.status == Status.DONE.value)).all():
            if row.item_id in self._catalogue.items and self._catalogue.items[row.item_id].milestones:
                done_on = row.completed_on or row.updated_at.date()
                ticks = tick_open_on_done(connection, catalogue, row.unit_id, row.item_id, done_on, stamp)
                ticked += len(ticks)
        return ticked

    # -- actual figures -----------------------------------------------------------------------
    def record_actual(
        self,
        unit: str,
        code: str,
        target_id: str,
        value: str,
        *,
        period: str | None = None,
        measured_on: dt.date | None = None,
        source: str = "",
    ) -> TargetState:
        """Record (or correct) the lead unit's figure on a target for one 报送期.

        ``period`` defaults to this month, ``measured_on`` to today. Returns the target with
        its figures. Refused, with nothing written, for anything the module's rules refuse."""
        unit = self._catalogue.resolve_unit(unit)
        item_id = self._catalogue.item_id(code)
        role = self._catalogue.role(unit, item_id)
        target = self._target(item_id, target_id)
        if role != "lead":
            raise ServiceError(
                f"{unit} 是工作措施 {self._catalogue.items[item_id].id} 的配合单位;指标实际值由牵头单位填报"
            )
        number = parse_actual(value, target)
        try:
            period = parse_period(period) if period else self._context.clock.today().strftime("%Y-%m")
        except ValueError as exc:
            raise ServiceError(str(exc)) from exc
        measured_on = measured_on or self._context.clock.today()
        if measured_on > self._context.clock.today():
            raise ServiceError(f"数据日期 {measured_on.isoformat()} 晚于今天，不能预先填报")
        source = check_text(source.strip(), "数据来源", MAX_SOURCE_CHARS)
        unit_id = self._catalogue.unit_ids[unit]
        target_row_id = self._catalogue.target_ids[target.id]
        now = self._context.clock.now()
        text = format_decimal(number)
        with self._context.database.transaction() as session:
            row = session.scalars(
                select(ActualRow).where(
                    ActualRow.unit_id == unit_id,
                    ActualRow.target_id == target_row_id,
                    ActualRow.period == period,
                )
            ).first()
            before = row.value if row else None
            if row is None:
                row = ActualRow(unit_id=unit_id, item_id=item_id, target_id=target_row_id, period=period)
                session.add(row)
            changed = (row.value if before is not None else None, row.measured_on, row.source) != (
                text,
                measured_on,
                source,
            )
            if changed:
                row.value, row.measured_on, row.source = text, measured_on, source
                row.recorded_at, row.actor = now, self._context.actor
                entry = f"{target.id} {period} "
                self._history(
                    session,
                    unit_id,
                    item_id,
                    [("actual", None if before is None else entry + before, entry + text)],
                )
            session.flush()
            _milestones, targets = self.promise_states(session, unit, [item_id])[item_id]
        return next(t for t in targets if t.target.id == target.id)
