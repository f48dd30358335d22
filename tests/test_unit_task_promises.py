"""A unit's whole task list carries the same milestone ticks and figures as each task read alone
(issue #18: the list asks by unit, not by thousands of item ids; one task still asks by its id)."""

from __future__ import annotations

from liaison_app.clock import FixedClock
from liaison_app.store.service import LiaisonService


def test_the_unit_list_and_each_task_alone_agree_on_ticks_and_figures(
    service: LiaisonService, clock: FixedClock
) -> None:
    service.record_actual("南岸供电公司", "13", "13-t1", "99.95", period="2019-10", source="月报")
    service.record_actual("南岸供电公司", "13", "13-t1", "99.97", period="2019-11")
    market = "区市场监管局"
    ticked = [t for t in service.tasks(market) if t.milestones][:3]
    assert ticked, "the bundled plan gives 区市场监管局 items with milestones"
    for task in ticked:
        service.tick_milestone(market, task.item.id, 1, clock.today())
    seen = 0
    for unit in service.units():
        for task in service.tasks(unit.name):
            alone = service.task(unit.name, task.item.id)
            assert (task.milestones, task.targets) == (alone.milestones, alone.targets), (unit, task.item.id)
            seen += bool(task.milestones or task.targets)
    assert seen > 50
    listed = {t.item.id: t for t in service.tasks(market)}
    assert all(listed[t.item.id].milestones[0].done_on == clock.today() for t in ticked)
    coop = next(t for t in service.tasks("区经济信息委") if t.item.id == "13").targets[0]
    assert [a.value for a in coop.actuals] == [
        a.value for a in service.task("南岸供电公司", "13").targets[0].actuals
    ]
    assert len(coop.actuals) == 2
