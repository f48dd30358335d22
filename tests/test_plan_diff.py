"""The diff engine between two revisions: renumbered, reworded, deleted, added, units changed."""

from __future__ import annotations

import datetime as dt

from liaison_app.plan.diff import diff_plans
from liaison_app.plan.model import Area, Item, Measure, Plan
from liaison_app.store.plan_loader import bundled_plan


def _plan(rows: list[tuple[str, str, list[str], list[str]]]) -> Plan:
    measures: dict[int, Measure] = {}
    for code, text, lead, coop in rows:
        number, _, sub = code.partition(".")
        measure = measures.setdefault(int(number), Measure(int(number), f"任务{number}", 1))
        measure.items.append(Item(int(number), int(sub) if sub else None, text, list(lead), list(coop)))
    return Plan(
        plan_id="p",
        name="测试方案",
        issued_on=dt.date(2020, 1, 1),
        issued_on_note="",
        source_sha256="",
        areas=[Area(1, "一", "开办企业")],
        measures=list(measures.values()),
        units=[],
        aliases={},
        anomalies=[],
    )


OLD = _plan(
    [
        ("1.1", "推行企业开办全程网上办理，实现一网通办。", ["区市场监管局"], []),
        ("1.2", "免费刻制公章。", ["区市场监管局"], ["区公安分局"]),
        ("1.3", "压缩企业开办时间至3个工作日以内。", ["区市场监管局"], ["区税务局"]),
        ("2", "推行工程建设项目审批一窗受理。", ["区住房城乡建委"], ["区规划自然资源局"]),
        ("3.1", "低压小微企业接电时间压缩至10个工作日以内。", ["南岸供电公司"], []),
        ("3.2", "推行用电报装零上门服务，提升办电便利度。", ["南岸供电公司"], []),
    ]
)
NEW = _plan(
    [
        ("1.1", "推行企业开办全程网上办理，实现一网通办。", ["区市场监管局"], []),
        ("1.2", "压缩企业开办时间至2个工作日以内。", ["区市场监管局"], ["区税务局"]),
        ("2", "推行工程建设项目审批一窗受理。", ["区住房城乡建委"], ["区规划自然资源局", "区城管局"]),
        ("3", "开展政务服务好差评工作。", ["区政务办"], []),
        ("4.1", "低压小微企业接电时间压缩至10个工作日以内。", ["南岸供电公司"], []),
        ("4.2", "推行用电报装“零上门、零审批”服务，办电时间压缩一半。", ["南岸供电公司"], []),
    ]
)


def test_renumbered_reworded_deleted_added_and_units_changed() -> None:
    diff = diff_plans(OLD, NEW)
    assert diff.mapping() == {"1.1": "1.1", "1.3": "1.2", "2": "2", "3.1": "4.1", "3.2": "4.2"}
    assert diff.removed == ["1.2"]
    assert diff.added == ["3"]
    by_old = {m.old: m for m in diff.matches}
    assert by_old["1.1"].how == "same" and not by_old["1.1"].renumbered
    assert by_old["3.1"].how == "text" and by_old["3.1"].renumbered and not by_old["3.1"].reworded
    assert by_old["1.3"].renumbered and by_old["1.3"].reworded and not by_old["1.3"].doubtful
    assert by_old["3.2"].doubtful  # 0.65 similar: a person confirms it
    assert by_old["2"].units.coop_added == ("区城管局",) and not by_old["2"].renumbered
    assert [m.old for m in diff.units_changed] == ["2"]
    counts = diff.to_dict()["counts"]
    assert counts == {
        "matched": 5,
        "unchanged": 1,
        "renumbered": 3,
        "reworded": 2,
        "units_changed": 1,
        "doubtful": 1,
        "added": 1,
        "removed": 1,
    }
    text = diff.render()
    assert "+ 3 新增" in text and "- 1.2 删除" in text and "编号 3.2 → 4.2" in text and "存疑" in text


def test_a_plan_against_itself_is_unchanged() -> None:
    plan = bundled_plan()
    diff = diff_plans(plan, bundled_plan())
    assert diff.is_empty()
    assert len(diff.matches) == 162
    assert "完全相同" in diff.render()


def test_same_code_with_unrelated_text_is_deleted_and_added_not_matched() -> None:
    old = _plan([("1", "免费刻制公章。", ["区市场监管局"], [])])
    new = _plan([("1", "开展政务服务好差评工作。", ["区政务办"], [])])
    diff = diff_plans(old, new)
    assert diff.matches == [] and diff.removed == ["1"] and diff.added == ["1"]


def test_bundled_plan_with_an_inserted_item_shifts_codes_without_doubt() -> None:
    old = bundled_plan()
    new = bundled_plan()
    first = new.measures[0]
    first.items.insert(0, Item(first.number, 1, "新增一条关于企业开办的全新工作措施。", ["区市场监管局"], []))
    for sub, item in enumerate(first.items, start=1):
        item.sub = sub
    diff = diff_plans(old, new)
    assert diff.added == ["1.1"]
    assert diff.removed == []
    assert diff.mapping()["1.1"] == "1.2"
    assert not diff.doubtful


def test_stable_item_ids_follow_renumbered_items_into_the_next_revision() -> None:
    from liaison_app.plan.package import carry_item_ids, new_item_ids

    old_ids = new_item_ids(OLD)
    new_ids = carry_item_ids(OLD, old_ids, NEW)
    assert new_ids["4.1"] == old_ids["3.1"]  # renumbered: same id
    assert new_ids["1.2"] == old_ids["1.3"]  # renumbered and reworded: same id
    assert new_ids["3"] not in old_ids.values()  # added: a fresh id
    assert set(new_ids) == {i.code for i in NEW.items()}
