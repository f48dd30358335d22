"""Targets: the numbers a work text promises, and the numbers that are not promises."""

from __future__ import annotations

from decimal import Decimal

import pytest

from liaison_app.plan.milestones import ErrataMismatch, milestone_spans
from liaison_app.plan.model import Target
from liaison_app.plan.targets import apply_target_errata, describe, extract_targets, numbers_not_targets


def targets(text: str, code: str = "9.9") -> list[Target]:
    return [span.target for span in extract_targets(code, text, milestone_spans(text))]


def one(text: str) -> Target:
    (target,) = targets(text)
    return target


# -- the phrases -----------------------------------------------------------------------
def test_compressed_to_three_working_days() -> None:
    target = one("2019年底前将一般登记压缩至3个工作日")
    assert (target.text, target.op, target.value, target.unit) == ("一般登记", "<=", Decimal(3), "个工作日")
    assert target.milestone == 1 and target.baseline is None
    assert target.id == "9.9-t1"


def test_kept_within_twenty_working_days() -> None:
    target = one("高压客户在供电企业的办电时限控制在20个工作日以内")
    assert (target.text, target.op, target.value, target.unit) == (
        "高压客户在供电企业的办电时限",
        "<=",
        Decimal(20),
        "个工作日",
    )
    assert target.milestone is None


def test_reliability_reaches_a_percentage_exactly() -> None:
    target = one("2019年底前城市供电可靠率达到99.96%")
    assert (target.text, target.op, target.unit) == ("城市供电可靠率", ">=", "%")
    assert target.value == Decimal("99.96") and str(target.value) == "99.96"


def test_a_bare_amount_is_at_least() -> None:
    target = one("2019年底前开展职业培训5000人次")
    assert (target.text, target.op, target.value, target.unit) == (
        "开展职业培训",
        ">=",
        Decimal(5000),
        "人次",
    )


def test_patents_per_ten_thousand_people() -> None:
    target = one("2019年底前实现万人发明专利拥有量达到10件")
    assert (target.text, target.op, target.value, target.unit) == (
        "万人发明专利拥有量",
        ">=",
        Decimal(10),
        "件",
    )


def test_cut_from_a_baseline() -> None:
    target = one("2020年底前实现用水接入办理时间由12个工作日缩减至7个工作日以内")
    assert (target.text, target.op, target.value, target.unit) == (
        "用水接入办理时间",
        "<=",
        Decimal(7),
        "个工作日",
    )
    assert (target.baseline, target.baseline_unit) == (Decimal(12), "个工作日")
    assert describe(target) == "≤ 7 个工作日(基线 12 个工作日)"


def test_coverage_of_one_hundred_percent_and_a_second_rate_in_the_same_clause() -> None:
    coverage, publicity = targets("2020年底前实现“双随机、一公开”监管事项覆盖率100%、结果公示率100%")
    assert (coverage.text, coverage.op, coverage.value, coverage.unit) == (
        "“双随机、一公开”监管事项覆盖率",
        ">=",
        Decimal(100),
        "%",
    )
    assert (publicity.text, publicity.id) == ("结果公示率", "9.9-t2")


def test_two_milestones_each_keep_their_targets() -> None:
    text = "2019年底前探索推进新增绿地50万平方米,2022年底前实现建成区绿化覆盖率达到45%。"
    assert len(milestone_spans(text)) == 2
    green, cover = targets(text)
    assert (green.milestone, green.unit, cover.milestone, cover.unit) == (1, "万平方米", 2, "%")


def test_service_rule_duration_is_a_target_without_milestone() -> None:
    text = "规范流程。招标人提出退还投标保证金的,在2个工作日内办结。"
    target = one(text)
    assert (target.text, target.op, target.value, target.unit, target.milestone) == (
        "招标人提出退还投标保证金的办结",
        "<=",
        Decimal(2),
        "个工作日",
        None,
    )


# -- invented sentences ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "phrase", "op", "value", "unit"),
    [
        ("审批时限不超过5个工作日", "审批时限", "<=", "5", "个工作日"),
        ("群众满意率不低于95%", "群众满意率", ">=", "95", "%"),
        ("新增市场主体3000户以上", "新增市场主体", ">=", "3000", "户"),
        ("窗口等候时间压减至15分钟", "窗口等候时间", "<=", "15", "分钟"),
        ("减按50%征收印花税", "征收印花税", "=", "50", "%"),
        ("将开办流程简化为申请、审核2个环节", "开办流程", "<=", "2", "个环节"),
        ("年度培训补贴达1.5万元", "年度培训补贴", ">=", "1.5", "万元"),
        ("投诉在24小时内响应", "投诉响应", "<=", "24", "小时"),
    ],
)
def test_invented_sentences(text: str, phrase: str, op: str, value: str, unit: str) -> None:
    target = one(text)
    assert (target.text, target.op, target.value, target.unit) == (phrase, op, Decimal(value), unit)


def test_a_raise_from_a_baseline_is_at_least() -> None:
    target = one("将不良贷款容忍度从不高于各项贷款不良率2个百分点放宽到3个百分点")
    assert (target.op, target.value, target.baseline, target.unit) == (
        ">=",
        Decimal(3),
        Decimal(2),
        "个百分点",
    )
    assert target.text == "不良贷款容忍度"


def test_a_conditional_clause_is_put_in_front() -> None:
    target = one("对经营性人力资源服务机构从事职业中介活动的,审批时间由20日缩减至10个工作日")
    assert target.text == "经营性人力资源服务机构从事职业中介活动的审批时间"
    assert (target.baseline, target.baseline_unit, target.unit) == (Decimal(20), "日", "个工作日")


# -- numbers that are not promises -----------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "2019年底前全面推行“双随机、一公开”监管",
        "2019年全区推行电子营业执照",
        "落实渝府办发〔2019〕81号要求",
        "对10千伏供电非居民客户加强外线工程前期审核",
        "水表口径DN100以下的用户",
        "推动行政许可等6类行政权力网上办理",
        "在全区相对固定的三级法院组建破产合议庭",
        "推进“四端同步”服务,实现“一次都不跑”",
        "第2项工作由区政府办牵头",
        "确保长江寸滩断面水质达到或优于Ⅲ类",
    ],
)
def test_no_target_from_numbers_that_promise_nothing(text: str) -> None:
    assert targets(text) == []


# -- errata ----------------------------------------------------------------------------------------
TEXT = "分别压减高、低压客户办电环节至4个、3个,按照非居民供水3.25/吨的价格执行。"


def test_errata_replace_add_drop_with_reasons() -> None:
    spans = milestone_spans(TEXT)
    found = extract_targets("10", TEXT, spans)
    assert [t.target.value for t in found] == [Decimal(4), Decimal(3)]
    fixed, notes = apply_target_errata(
        "10",
        TEXT,
        found,
        spans,
        [
            {
                "action": "replace",
                "anchor": "环节至4个",
                "text": "高压客户办电环节",
                "unit": "个环节",
                "reason": "分别",
            },
            {"action": "drop", "anchor": "、3个", "reason": "另列"},
            {
                "action": "add",
                "anchor": "3.25/吨",
                "text": "非居民供水价格",
                "op": "=",
                "value": "3.25",
                "unit": "元/吨",
                "reason": "源文本缺“元”",
            },
        ],
    )
    assert [(t.target.id, t.target.text, t.target.op, str(t.target.value), t.target.unit) for t in fixed] == [
        ("10-t1", "高压客户办电环节", "<=", "4", "个环节"),
        ("10-t2", "非居民供水价格", "=", "3.25", "元/吨"),
    ]
    assert [n.split(":")[-1] for n in notes] == ["分别", "另列", "源文本缺“元”"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"action": "drop", "anchor": "不在文中"}, "不在工作措施文字中"),
        ({"action": "drop", "anchor": "按照非居民"}, "没有可drop的指标"),
        (
            {"action": "add", "anchor": "环节至4个", "text": "x", "op": "<=", "value": "1", "unit": "个"},
            "应写 replace",
        ),
        ({"action": "add", "anchor": "3.25/吨", "text": "价格"}, "缺少"),
        ({"action": "replace", "anchor": "环节至4个", "op": "<"}, "比较符"),
        ({"action": "replace", "anchor": "环节至4个", "value": "四"}, "不是数字"),
        ({"action": "rename", "anchor": "环节至4个"}, "不认识的操作"),
    ],
)
def test_errata_that_do_not_fit_are_refused(entry: dict[str, object], message: str) -> None:
    spans = milestone_spans(TEXT)
    with pytest.raises(ErrataMismatch, match=message):
        apply_target_errata("10", TEXT, extract_targets("10", TEXT, spans), spans, [entry])


def test_numbers_left_out_are_listed_with_the_reason() -> None:
    text = "2019年底前对10千伏客户、DN100以下用户及第2批等6类事项,由20日缩减至10个工作日。"
    spans = extract_targets("9.9", text, milestone_spans(text))
    assert [(s.target.value, s.target.baseline) for s in spans] == [(Decimal(10), Decimal(20))]
    assert numbers_not_targets(text, spans) == [
        ("10千伏客", "后无计量单位"),
        ("DN100以下用", "前有字母，是型号或规格"),
        ("2批等6", "序号"),
        ("6类事项", "后无计量单位"),
    ]


@pytest.mark.parametrize(
    ("text", "actual", "met"),
    [
        ("2019年底前将一般登记压缩至3个工作日", "3", True),
        ("2019年底前将一般登记压缩至3个工作日", "3.5", False),
        ("城市供电可靠率达到99.96%", "99.96", True),
        ("城市供电可靠率达到99.96%", "99.959", False),
        ("减按50%征收印花税", "50.0", True),
        ("减按50%征收印花税", "40", False),
    ],
)
def test_an_actual_figure_meets_the_target_or_not(text: str, actual: str, met: bool) -> None:
    assert one(text).met(Decimal(actual)) is met


def test_a_baseline_never_reaches_into_another_clause() -> None:
    text = "审批时间由12个工作日缩减至第3档,退还保证金在5个工作日内办结"
    target = one(text)
    assert (target.value, target.baseline, target.text) == (Decimal(5), None, "退还保证金办结")
