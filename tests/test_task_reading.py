"""A unit's task list, read in one go on every unit switch (issue #18 goal 2), is exactly the tasks
read one by one: progress, notes, completion dates, evidence counts, milestone ticks and figures,
in plan order, and it follows the plan shown."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from liaison_app.clock import FixedClock
from liaison_app.store.records import MilestoneState, UnitTask
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Status
from tests.helpers import make_file, run
from tests.plan_tables import EXPECTED_NOTICE, NOTICE_TXT

MARKET = "区市场监管局"


def test_each_task_of_a_units_list_is_the_task_read_alone(
    service: LiaisonService, clock: FixedClock, tmp_path: Path
) -> None:
    service.update(MARKET, "1.1", status=Status.DONE, completed_on=dt.date(2019, 11, 20))
    service.update(MARKET, "1.2", status="需协调", note="待市级部门开放接口\n第二行")
    service.update(MARKET, "3.1", status=Status.ONGOING, note="常态推进")
    service.attach(MARKET, "1.2", make_file(tmp_path / "src", "照片.jpg", seed=3))
    service.attach(MARKET, "1.2", make_file(tmp_path / "src", "验收单.pdf", seed=4))
    ticked = next(t for t in service.tasks(MARKET) if t.milestones and t.item.id != "1.1")
    service.tick_milestone(MARKET, ticked.item.id, 1, clock.today())
    service.record_actual("南岸供电公司", "13", "13-t1", "99.95", period="2019-10", source="月报")
    service.record_actual("南岸供电公司", "13", "13-t1", "99.97", period="2019-11")

    catalog = [item.id for item in service.catalog()]
    compared = 0
    for unit in service.units():
        listed = service.tasks(unit.name)
        assert listed == [service.task(unit.name, t.item.id) for t in listed], unit.name
        assert [t.item.id for t in listed] == [c for c in catalog if c in service.roles(unit.name)]
        compared += len(listed)
    assert compared > 500  # every assignment of the plan

    mine = {t.item.id: t for t in service.tasks(MARKET)}
    done, blocked, ongoing = mine["1.1"], mine["1.2"], mine["3.1"]
    assert done.status is Status.DONE and done.completed_on == dt.date(2019, 11, 20)
    assert isinstance(done.updated_at, dt.datetime)
    assert (blocked.status, blocked.note, blocked.evidence) == (
        Status.BLOCKED,
        "待市级部门开放接口\n第二行",
        2,
    )
    assert ongoing.status is Status.ONGOING and ongoing.completed_on is None
    untouched = next(t for t in mine.values() if t.item.id not in {"1.1", "1.2", "3.1", ticked.item.id})
    assert (untouched.status, untouched.note, untouched.updated_at, untouched.evidence) == (
        Status.NOT_STARTED,
        "",
        None,
        0,
    )
    assert mine[ticked.item.id].milestones[0].done_on == clock.today()
    # marking 1.1 done ticked its milestone too
    assert {t.item.id for t in mine.values() if any(m.done for m in t.milestones)} == {"1.1", ticked.item.id}
    coop = next(t for t in service.tasks("区经济信息委") if t.item.id == "13")
    assert [a.value for a in coop.targets[0].actuals] == [
        a.value for a in service.task("南岸供电公司", "13").targets[0].actuals
    ]


def test_a_task_equals_only_a_task_with_the_same_fields(service: LiaisonService) -> None:
    task = service.tasks(MARKET)[0]
    again = service.task(MARKET, task.item.id)
    assert task == again and hash(task) == hash(again) and len({task, again}) == 1
    assert task != tuple(task) and tuple(task) != task  # a task is a record, not any tuple
    assert task != service.tasks(MARKET)[1]
    assert isinstance(task, UnitTask) and task.unit == MARKET


def test_the_list_follows_the_plan_shown(
    capsys: pytest.CaptureFixture[str], data_dir: Path, clock: FixedClock, bundled_template: Path
) -> None:
    shutil.copytree(bundled_template, data_dir)
    code, _out, err = run(capsys, data_dir, "plan", "import", str(NOTICE_TXT), "--id", "yaodian-2020")
    assert code == 0, err
    service = LiaisonService.open(data_dir, clock=clock, plan="nanan-2019")
    try:
        unit = next(u for u in EXPECTED_NOTICE if u in {i.name for i in service.units()})
        before = [(t.item.id, t.role) for t in service.tasks(unit)]
        service.switch_plan("yaodian-2020")
        assert [(t.item.id, t.role) for t in service.tasks(unit)] == EXPECTED_NOTICE[unit] != before
        service.switch_plan("nanan-2019")
        assert [(t.item.id, t.role) for t in service.tasks(unit)] == before
    finally:
        service.close()


def test_the_next_milestone_is_the_open_one_due_first_whatever_the_order_written(
    service: LiaisonService,
) -> None:
    task = service.tasks(MARKET)[0]
    day = dt.date(2020, 3, 1)
    written = (
        MilestoneState(1, day, "三月"),
        MilestoneState(2, day - dt.timedelta(days=40), "一月", done_on=day),
        MilestoneState(3, day, "也是三月"),
        MilestoneState(4, day + dt.timedelta(days=30), "三月底"),
    )
    shown = task._replace(milestones=written)
    assert shown.next_milestone == written[0] and shown.due == day  # ticked ones skipped, ties by number
    assert task._replace(milestones=written[3:] + written[:1]).next_milestone == written[0]
    everything_ticked = tuple(m if m.done else MilestoneState(m.number, m.date, m.text, day) for m in written)
    assert task._replace(milestones=everything_ticked).next_milestone is None
    assert task._replace(milestones=everything_ticked).due == task.item.deadline
