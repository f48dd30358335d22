"""Milestones and targets in the database: the light, ticking off, actual figures (#15)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from liaison_app import paths
from liaison_app.clock import FixedClock
from liaison_app.store.records import ServiceError, UnknownItemError
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Light, Status
from liaison_app.vocabulary import Attainment

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "db"
TWO_STEPS = "63.1"  # 2019年底前… 2020年底前…; lead 区市场监管局, coop 区司法局
LEAD, COOP = "区市场监管局", "区司法局"


def open_at(data_dir: Path, day: dt.date) -> LiaisonService:
    return LiaisonService.open(data_dir, clock=FixedClock(dt.datetime.combine(day, dt.time(9))), actor="张三")


def test_the_catalogue_carries_milestones_and_targets_from_the_database(service: LiaisonService) -> None:
    items = {i.id: i for i in service.catalog()}
    assert [m.date for m in items[TWO_STEPS].milestones] == [dt.date(2019, 12, 31), dt.date(2020, 12, 31)]
    (reliability, rural) = items["13"].targets
    assert (reliability.id, reliability.op, reliability.value, reliability.unit) == (
        "13-t1",
        ">=",
        Decimal("99.96"),  # exact, not a float
        "%",
    )
    assert rural.value == Decimal("99.81")
    with sqlite3.connect(paths.database_path(service.data_dir)) as connection:
        assert connection.execute("SELECT value FROM target WHERE code = '13-t1'").fetchone() == ("99.96",)


def test_a_two_milestone_item_is_overdue_after_its_first_date_while_that_one_is_open(data_dir: Path) -> None:
    service = open_at(data_dir, dt.date(2020, 1, 15))
    task = service.task(LEAD, TWO_STEPS)
    assert task.item.deadline == dt.date(2020, 12, 31)  # the item's last date is far away
    assert task.due == dt.date(2019, 12, 31)
    assert task.light(dt.date(2020, 1, 15)) is Light.OVERDUE
    assert [m.number for m in task.overdue_milestones(dt.date(2020, 1, 15))] == [1]
    service.tick_milestone(LEAD, TWO_STEPS, 1, dt.date(2019, 12, 20))
    task = service.task(LEAD, TWO_STEPS)
    assert task.due == dt.date(2020, 12, 31) and task.light(dt.date(2020, 1, 15)) is Light.ON_TRACK
    assert task.status is Status.IN_PROGRESS  # ticking one off means the work has started
    # each unit ticks its own: the cooperating unit's first milestone is still open
    assert service.task(COOP, TWO_STEPS).light(dt.date(2020, 1, 15)) is Light.OVERDUE
    service.close()


def test_an_item_with_one_date_behaves_as_before(data_dir: Path) -> None:
    service = open_at(data_dir, dt.date(2019, 11, 20))
    task = service.task("区城管局", "11.2")
    assert len(task.milestones) == 1 and task.due == task.item.deadline == dt.date(2019, 12, 31)
    assert task.light(dt.date(2019, 12, 10)) is Light.DUE_SOON
    assert task.light(dt.date(2020, 1, 2)) is Light.OVERDUE
    service.close()


def test_ticking_the_last_milestone_completes_the_item_and_opening_one_reopens_it(data_dir: Path) -> None:
    service = open_at(data_dir, dt.date(2021, 3, 1))
    service.tick_milestone(LEAD, TWO_STEPS, 2, dt.date(2020, 11, 30))
    assert service.task(LEAD, TWO_STEPS).status is Status.IN_PROGRESS
    service.tick_milestone(LEAD, TWO_STEPS, 1, dt.date(2019, 12, 20))
    task = service.task(LEAD, TWO_STEPS)
    assert (task.status, task.completed_on) == (Status.DONE, dt.date(2020, 11, 30))
    assert [m.done_on for m in task.milestones] == [dt.date(2019, 12, 20), dt.date(2020, 11, 30)]
    service.tick_milestone(LEAD, TWO_STEPS, 2, None)
    task = service.task(LEAD, TWO_STEPS)
    assert (task.status, task.completed_on) == (Status.IN_PROGRESS, None)
    changes = [(h.field, h.before, h.after) for h in service.history(LEAD, TWO_STEPS)]
    assert ("milestone", "第2个 2020-11-30", "第2个 未完成") in changes[:3]
    assert ("milestone", "第1个 未完成", "第1个 2019-12-20") in changes and (
        "status",
        "done",
        "in_progress",
    ) in changes
    service.close()


def test_setting_done_directly_ticks_every_open_milestone_with_that_date(data_dir: Path) -> None:
    service = open_at(data_dir, dt.date(2021, 3, 1))
    service.tick_milestone(LEAD, TWO_STEPS, 1, dt.date(2019, 12, 20))
    service.update(LEAD, TWO_STEPS, status="已完成", completed_on=dt.date(2021, 2, 1))
    task = service.task(LEAD, TWO_STEPS)
    assert [m.done_on for m in task.milestones] == [dt.date(2019, 12, 20), dt.date(2021, 2, 1)]
    assert task.next_milestone is None
    service.close()


@pytest.mark.parametrize(
    ("number", "day", "reason"),
    [
        (3, dt.date(2019, 11, 1), "没有第 3 个时间节点"),
        (0, dt.date(2019, 11, 1), "没有第 0 个时间节点"),
        (1, dt.date(2019, 11, 21), "晚于今天"),
        (1, dt.date(2019, 1, 1), "早于工作方案印发日期"),
    ],
)
def test_a_tick_that_cannot_be_true_is_refused_and_nothing_written(
    service: LiaisonService, number: int, day: dt.date, reason: str
) -> None:
    with pytest.raises(ServiceError, match=reason):
        service.tick_milestone(LEAD, TWO_STEPS, number, day)
    assert service.history(LEAD, TWO_STEPS) == []
    assert all(not m.done for m in service.task(LEAD, TWO_STEPS).milestones)


def test_an_actual_figure_is_met_or_not_and_keeps_its_trend(service: LiaisonService) -> None:
    assert service.task("南岸供电公司", "13").targets[0].attainment() is Attainment.MISSING
    service.record_actual("南岸供电公司", "13", "13-t1", "99.95", period="2019-10", source="供电公司月报")
    state = service.record_actual("南岸供电公司", "13", "13-t1", "99.97%", period="2019-11")
    assert [a.value for a in state.actuals] == [Decimal("99.95"), Decimal("99.97")]
    assert state.attainment("2019-10") is Attainment.NOT_MET
    assert state.attainment("2019-11") is Attainment.MET and state.met is True
    assert state.actuals[0].source == "供电公司月报" and state.actuals[1].actor == "测试联络员"
    # correcting a period's figure replaces it, with history
    state = service.record_actual("南岸供电公司", "13", "13-t1", "99.90", period="2019-11")
    assert [a.value for a in state.actuals] == [Decimal("99.95"), Decimal("99.90")] and state.met is False
    history = [(h.before, h.after) for h in service.history("南岸供电公司", "13") if h.field == "actual"]
    assert history[:2] == [("13-t1 2019-11 99.97", "13-t1 2019-11 99.90"), (None, "13-t1 2019-11 99.97")]
    # the cooperating unit sees the lead unit's figures
    coop = service.task("区经济信息委", "13").targets[0]
    assert coop.met is False and coop.latest is not None and coop.latest.unit == "南岸供电公司"


@pytest.mark.parametrize(
    ("unit", "item", "target", "value", "reason"),
    [
        ("南岸供电公司", "13", "13-t1", "100.5", "百分比不能超过 100%"),
        ("区人力社保局", "45.3", "45.3-t1", "-3", "不能为负数"),
        ("区人力社保局", "45.3", "45.3-t1", "5000.5", "应为整数"),
        ("南岸供电公司", "13", "13-t1", "很高", "不是数字"),
        ("南岸供电公司", "13", "13-t1", "", "请填写"),
        ("区经济信息委", "11.2", "11.2-t1", "5天", "单位「天」与指标的单位「个工作日」不符"),
        ("区经济信息委", "13", "13-t1", "99.99", "配合单位"),
        ("南岸供电公司", "13", "13-t9", "99.99", "没有编号为「13-t9」的指标"),
        ("南岸供电公司", "13", "13-t1", "99.99 ", None),  # accepted: the control case
    ],
)
def test_bad_figures_are_refused_with_the_reason_and_nothing_written(
    service: LiaisonService, unit: str, item: str, target: str, value: str, reason: str | None
) -> None:
    if reason is None:
        service.record_actual(unit, item, target, value, period="2019-11")
        assert len(service.history(unit, item)) == 1
        return
    with pytest.raises(ServiceError, match=reason):
        service.record_actual(unit, item, target, value, period="2019-11")
    assert service.history(unit, item) == []
    with sqlite3.connect(paths.database_path(service.data_dir)) as connection:
        assert connection.execute("SELECT count(*) FROM actual").fetchone() == (0,)


def test_an_unknown_target_of_an_item_without_targets_says_so(service: LiaisonService) -> None:
    with pytest.raises(UnknownItemError, match="没有量化指标"):
        service.record_actual(LEAD, TWO_STEPS, "63.1-t1", "1")


def test_a_database_of_schema_0005_gets_milestones_and_targets_on_first_open(data_dir: Path) -> None:
    shutil.copytree(FIXTURES / "0005", data_dir)
    service = open_at(data_dir, dt.date(2020, 1, 15))
    items = {i.id: i for i in service.catalog()}
    assert len(items[TWO_STEPS].milestones) == 2 and [t.id for t in items["13"].targets] == ["13-t1", "13-t2"]
    assert sum(bool(i.milestones) for i in items.values()) == 49
    assert sum(bool(i.targets) for i in items.values()) == 35
    # 11.2 was 推进中 in that database: its milestone is open; settled items are ticked off
    assert service.task("区城管局", "11.2").next_milestone is not None
    done = service.task("区城管局", "16")
    assert done.status is Status.DONE and all(m.done for m in done.milestones)
    service.close()
    again = open_at(data_dir, dt.date(2020, 1, 15))  # filled once, not twice
    assert len({i.id: i for i in again.catalog()}[TWO_STEPS].milestones) == 2
    again.close()
