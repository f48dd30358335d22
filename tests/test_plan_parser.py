"""The seed-text parser on the real 南岸区 plan and on small texts that isolate each defect."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from liaison_app.plan.bundle import UNPLACED_KINDS
from liaison_app.plan.model import Plan
from liaison_app.plan.parser import Errata, PlanSourceError, parse_plan

PLANS = Path(__file__).resolve().parent.parent / "resources" / "plans"
SOURCE = PLANS / "nanan-2019.source.txt"
ERRATA = PLANS / "nanan-2019.errata.toml"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_plan(SOURCE.read_text(encoding="utf-8"), Errata.load(ERRATA))


def items_by_code(plan: Plan) -> dict[str, object]:
    return {item.code: item for item in plan.items()}


def test_counts(plan: Plan) -> None:
    assert len(plan.areas) == 17
    assert [a.number for a in plan.areas] == list(range(1, 18))
    assert plan.areas[0].name == "开办企业" and plan.areas[-1].name == "包容普惠创新"
    assert [m.number for m in plan.measures] == list(range(1, 74))
    assert len(plan.items()) == 162
    assert plan.measures[0].title == "精简企业开办流程"
    assert plan.measures[-1].title == "优化综合立体交通指数"


def test_measures_without_sub_items_are_one_item(plan: Plan) -> None:
    codes = items_by_code(plan)
    for number in (
        2,
        10,
        13,
        14,
        16,
        17,
        18,
        19,
        20,
        21,
        22,
        24,
        25,
        27,
        29,
        31,
        36,
        39,
        42,
        49,
        53,
        54,
        62,
        69,
        73,
    ):
        assert str(number) in codes, number
        assert f"{number}.1" not in codes


@pytest.mark.parametrize(
    ("measure", "codes"),
    [
        (56, ["56.1", "56.2", "56.3"]),
        (59, ["59.1", "59.2", "59.3", "59.4"]),
        (70, ["70.1", "70.2", "70.3", "70.4"]),
    ],
)
def test_measures_continue_across_repeated_headings(plan: Plan, measure: int, codes: list[str]) -> None:
    found = next(m for m in plan.measures if m.number == measure)
    assert [i.code for i in found.items] == codes
    assert sum(m.number == measure for m in plan.measures) == 1
    repeats = [a for a in plan.anomalies if a.kind == "repeated_heading" and f"{measure}." in a.detail]
    assert len(repeats) == 1


def test_units_belong_to_the_row_group_not_the_measure(plan: Plan) -> None:
    codes = items_by_code(plan)
    assert codes["11.1"].lead == ["区经济信息委"]
    assert codes["11.1"].coop == ["南岸供电公司"]
    assert codes["11.2"].coop == [
        "区规划自然资源局",
        "区城管局",
        "区公安分局",
        "经开区市政绿化处",
        "南岸供电公司",
    ]
    assert "区城管局" not in codes["11.1"].lead + codes["11.1"].coop
    # 15.1 has an empty cooperating cell, 15.2 one cooperating unit
    assert (codes["15.1"].lead, codes["15.1"].coop) == (["南岸供电公司"], [])
    assert (codes["15.2"].lead, codes["15.2"].coop) == (["南岸供电公司"], ["区政务办"])
    # sub-items sharing one pair of unit cells
    assert codes["1.1"].lead == codes["1.2"].lead == ["区市场监管局"]
    assert codes["1.2"].coop == ["区公安分局", "区人力社保局", "区税务局", "经开区税务局", "区政务办"]


def test_wrapped_and_run_together_names_are_repaired(plan: Plan) -> None:
    codes = items_by_code(plan)
    assert codes["68.2"].coop == ["区发展改革委", "区教委", "区经济信息委", "区人力社保局"]
    assert codes["67.1"].coop == ["区市场监管局", "区大数据发展局"]
    assert codes["8.1"].lead == ["区住房城乡建委", "区发展改革委", "经开区经发局"]
    assert "区商务委" in codes["72.1"].coop and "区市场监管局" in codes["72.1"].coop
    assert codes["19"].lead == ["区城管局", "经开区市政绿化处"]  # 开区市政绿化处 (typo)
    assert codes["70.1"].coop[0] == "区政府外办(区招商投资局)"  # 招商投资局


def test_every_unit_name_resolves_to_a_canonical_unit(plan: Plan) -> None:
    names = {u.name for u in plan.units}
    for item in plan.items():
        assert item.lead, f"{item.code} has no lead unit"
        for unit in item.lead + item.coop:
            assert unit in names, (item.code, unit)
        assert not set(item.lead) & set(item.coop)
    assert not [a for a in plan.anomalies if a.kind in UNPLACED_KINDS]


def test_member_list_and_table_only_units(plan: Plan) -> None:
    names = [u.name for u in plan.units]
    assert len(names) == len(set(names)) == 61
    assert names[0] == "区委办公室"
    for table_only in ("区公共资源交易监管局", "区公共资源交易中心", "区公务员局", "区纪委监委机关"):
        assert table_only in names
    categories = {u.name: u.category for u in plan.units}
    assert categories["区法院"] == "法院和检察院"
    assert categories["经开区经发局"] == "经开区部门"
    assert categories["南岸供电公司"] == "公用企业和服务机构"
    assert categories["区城管局"] == "区级部门"


def test_deadlines(plan: Plan) -> None:
    codes = items_by_code(plan)
    assert codes["1.1"].deadline == dt.date(2019, 9, 30)  # 20199月底前
    assert codes["1.2"].deadline is None
    assert codes["2"].deadline == dt.date(2019, 12, 31)
    assert codes["17"].deadline == dt.date(2020, 12, 31)
    assert codes["21"].deadline == dt.date(2021, 12, 31)
    assert codes["26.1"].deadline == dt.date(2022, 12, 31)  # 2019 and 2022: the latest
    assert codes["34.4"].deadline == dt.date(2019, 12, 31)
    with_deadline = sum(1 for i in plan.items() if i.deadline)
    assert with_deadline == 49  # 52 "…底前" phrases on 49 lines; three lines hold two


def test_lost_markers_are_repaired_and_reported(plan: Plan) -> None:
    codes = items_by_code(plan)
    assert codes["3.1"].text == "减少企业材料准备成本。"
    assert codes["6.2"].text.startswith("2019年底前政府投资项目")
    assert codes["63.2"].text.startswith("建设“双随机、一公开”")
    assert codes["22"].text.startswith("按照市上要求")  # "22提高应急保障能力" lost its dot
    kinds = Counter(a.kind for a in plan.anomalies)
    assert kinds["lost_parenthesis"] == 11
    assert kinds["missing_dot"] == 1
    assert kinds["deadline_repaired"] == 1


def test_broken_lines_are_joined(plan: Plan) -> None:
    codes = items_by_code(plan)
    assert codes["35.2"].text == "引导征信机构参与小微企业信用体系建设,完善企业信息采集、评价和使用。"
    assert codes["40.3"].text.startswith("健全替代性纠纷解决机制。加强外部调解主体引入,综合运用调解")


def test_the_item_without_unit_cells_is_decided_and_reported(plan: Plan) -> None:
    codes = items_by_code(plan)
    assert codes["34.4"].lead == codes["34.3"].lead == ["区法院"]
    assert codes["34.4"].coop == codes["34.3"].coop
    decisions = [a for a in plan.anomalies if a.kind == "decision"]
    assert [d.where for d in decisions if "34.4" in d.detail] == ["34.4"]


def test_anomaly_report_lists_every_repair(plan: Plan) -> None:
    kinds = Counter(a.kind for a in plan.anomalies)
    assert kinds == Counter(
        {
            "repeated_heading": 13,
            "lost_parenthesis": 11,
            "unit_without_items": 9,
            "unit_cell_wrapped": 6,
            "unit_alias": 5,
            "several_deadlines": 3,
            "text_joined": 3,
            "missing_separator": 9,
            "deadline_repaired": 1,
            "missing_dot": 1,
            "decision": 3,
            "group_field_repaired": 6,
            "target_decision": 9,
            "not_a_target": 8,
        }
    )


def test_no_line_of_the_table_is_dropped(plan: Plan) -> None:
    """Every line of 附件2 is a heading, a unit cell, or part of some item's text."""
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    start = lines.index("一、开办企业") - 1  # the table's title and column headings come before
    end = next(i for i, line in enumerate(lines) if line.startswith("扫一扫"))
    texts = "\n".join(item.text for item in plan.items())
    unit_forms = {u.name for u in plan.units} | set(plan.aliases)
    headings = {f"{a.numeral}、{a.name}" for a in plan.areas}
    for line in (raw.strip() for raw in lines[start + 1 : end]):
        if not line or line in headings:
            continue
        if re.match(r"^\d{1,2}\.?\D", line) and any(line.endswith(m.title) for m in plan.measures):
            continue
        body = re.sub(r"^\d{1,2}\)?(?=\D|20\d\d)", "", line)
        if body and body in texts:
            continue
        pieces = [p for p in line.split("、") if p]
        assert all(any(p in form or form in p for form in unit_forms) for p in pieces), line


# -- small texts, one defect each ------------------------------------------------------------
MEMBERS = "成员:区市场监管局、区税务局、区城管局、南岸供电公司。"


def errata(**changes: object) -> Errata:
    base = Errata.load(ERRATA)
    return dataclasses.replace(
        base,
        table_only_units=[],
        aliases={},
        decisions={},
        milestone_errata={},
        target_errata={},
        **changes,
    )


def table(*cells: str) -> str:
    """A source text: the member line, 附件2, then cells separated by blank lines."""
    return "\n\n".join([MEMBERS, "附件2", *cells, "扫一扫在手机打开当前页"])


def test_unknown_unit_is_reported_not_dropped() -> None:
    text = table("一、开办企业", "1.精简流程", "做一件事。", "区市场监管局、区不存在局", "区税务局")
    plan = parse_plan(text, errata())
    (item,) = plan.items()
    assert item.lead == ["区市场监管局"]
    unknown = [a for a in plan.anomalies if a.kind == "unknown_unit"]
    assert len(unknown) == 1 and "区不存在局" in unknown[0].detail


def test_item_without_units_and_no_decision_is_reported() -> None:
    text = table(
        "一、开办企业",
        "1.精简流程",
        "1)第一件事。",
        "区市场监管局",
        "区税务局",
        "2)第二件事,没有单位。",
        "2.另一项",
        "做事。",
        "区税务局",
        "区城管局",
    )
    plan = parse_plan(text, errata())
    codes = items_by_code(plan)
    assert codes["1.2"].lead == [] and codes["1.2"].coop == []
    assert [a.where for a in plan.anomalies if a.kind == "no_units"] == ["1.2"]


def test_extra_unit_cell_is_reported() -> None:
    text = table("一、开办企业", "1.精简流程", "做一件事。", "区市场监管局", "区税务局", "区城管局")
    plan = parse_plan(text, errata())
    assert [a.kind for a in plan.anomalies if a.kind == "unplaced_units"] == ["unplaced_units"]


def test_empty_cooperating_cell_is_an_extra_blank_line() -> None:
    text = "\n\n".join([MEMBERS, "附件2", "一、开办企业", "1.精简流程", "1)甲。", "区税务局"])
    text += "\n\n\n" + "2)乙。\n\n区城管局\n\n南岸供电公司\n\n扫一扫在手机打开当前页"
    codes = items_by_code(parse_plan(text, errata()))
    assert (codes["1.1"].lead, codes["1.1"].coop) == (["区税务局"], [])
    assert (codes["1.2"].lead, codes["1.2"].coop) == (["区城管局"], ["南岸供电公司"])


def test_not_a_plan() -> None:
    with pytest.raises(PlanSourceError, match="任务分工表"):
        parse_plan("这是一份普通的通知。", errata())
    with pytest.raises(PlanSourceError, match="成员"):
        parse_plan("附件2\n\n一、开办企业", errata())


# -- the special groups of 附件1 -------------------------------------------------------------------
def test_thirteen_special_groups_with_resolved_units(plan: Plan) -> None:
    assert [g.number for g in plan.groups] == list(range(1, 14))
    names = {u.name for u in plan.units}
    for group in plan.groups:
        assert group.lead and group.duties, group.name
        assert set(group.lead) | set(group.members) <= names
        assert group.members or group.all_members
    first, third, seventh = plan.groups[0], plan.groups[2], plan.groups[6]
    assert first.name == "简化企业开办优化市场监管专项小组"
    assert first.lead == ["区市场监管局", "区市场监管局经开区局"]
    assert "区金融办" in first.members
    # "区政务办经开区经发局、经开区市政绿化处经开区建管局、…南岸供电公司燃气南岸分公司"
    assert {
        "区政务办",
        "经开区经发局",
        "经开区市政绿化处",
        "经开区建管局",
        "南岸供电公司",
        "燃气南岸分公司",
    } <= set(third.members)
    assert third.duties.startswith("方便企业获得水电气")  # "要职责" lost its 主
    assert seventh.members[0] == "区发展改革委"  # "责任单位区发展改革委" lost its colon
    assert "区政府外办(区招商投资局)" in plan.groups[10].members  # 区招商投资局
    assert plan.groups[11].all_members and plan.groups[12].all_members
    assert plan.groups[12].lead[0] == "区委督查办"


def test_group_repairs_are_reported(plan: Plan) -> None:
    repaired = [a.detail for a in plan.anomalies if a.kind == "group_field_repaired"]
    assert sum("字段「任单位」" in d for d in repaired) == 3
    assert sum("字段「要职责」" in d for d in repaired) == 2
    assert sum("缺少冒号" in d for d in repaired) == 1
    split = [a.detail for a in plan.anomalies if a.kind == "missing_separator" and "小组" in a.detail]
    assert len(split) == 7
