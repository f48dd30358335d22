"""Milestones: every dated clause of a work text, with its own date and words."""

from __future__ import annotations

import datetime as dt

import pytest

from liaison_app.plan.deadlines import find_deadlines
from liaison_app.plan.milestones import (
    ErrataMismatch,
    apply_milestone_errata,
    find_milestones,
    milestone_spans,
)
from liaison_app.plan.model import Milestone


def test_two_dated_clauses_are_two_milestones() -> None:
    text = (
        "推行“互联网+不动产登记”。通过“异地申请属地审核预约领证”的模式,"
        "2019年底前探索推进部分不动产登记事项“全渝通办”,2022年底前实现不动产登记“全渝通办”。"
    )
    assert find_milestones(text) == (
        Milestone(dt.date(2019, 12, 31), "2019年底前探索推进部分不动产登记事项“全渝通办”"),
        Milestone(dt.date(2022, 12, 31), "2022年底前实现不动产登记“全渝通办”"),
    )


def test_one_date_one_milestone_none_none() -> None:
    (only,) = find_milestones("拓展在线支付渠道。2019年底前实现系统融合,实现“一站式”服务。")
    assert only == Milestone(dt.date(2019, 12, 31), "2019年底前实现系统融合,实现“一站式”服务")
    assert find_milestones("持续减少年均停电时间和停电次数。") == ()
    assert find_milestones("落实渝府办发〔2019〕81号,2019年起常态推进。") == ()


def test_words_start_at_the_clause_of_the_date() -> None:
    (only,) = find_milestones("提高电子交易比例,力争2019年9月底前接入全市统一的系统。其余照常。")
    assert only == Milestone(dt.date(2019, 9, 30), "力争2019年9月底前接入全市统一的系统")


def test_a_semicolon_ends_a_milestone_only_before_the_next_date() -> None:
    text = "2019年底前完成整合,实现全覆盖、常态化;2020年底前实现相关部门全覆盖。"
    first, second = find_milestones(text)
    assert first.text == "2019年底前完成整合,实现全覆盖、常态化"
    assert second.text == "2020年底前实现相关部门全覆盖"
    (shared,) = find_milestones("2019年底前将甲控制在2个工作日以内;乙控制在4个工作日以内。丙照常。")
    assert shared.text == "2019年底前将甲控制在2个工作日以内;乙控制在4个工作日以内"


def test_a_sentence_opening_with_qizhong_continues_the_milestone() -> None:
    text = "2020年底前实现办理时间缩减至7个工作日以内。其中,小口径的4个工作日内通水。另行规范收费。"
    (only,) = find_milestones(text)
    assert only.text == "2020年底前实现办理时间缩减至7个工作日以内。其中,小口径的4个工作日内通水"


def test_commas_inside_quotes_do_not_split_a_clause() -> None:
    (only,) = find_milestones("推进“一企一档,在线核验”2019年底前上线。")
    assert only.text == "推进“一企一档,在线核验”2019年底前上线"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020年上半年完成", dt.date(2020, 6, 30)),
        ("2020年下半年前完成", dt.date(2020, 12, 31)),
        ("2020年一季度完成", dt.date(2020, 3, 31)),
        ("2021年第三季度末前完成", dt.date(2021, 9, 30)),
        ("2020年6月30日前完成", dt.date(2020, 6, 30)),
        ("2020年6月末前完成", dt.date(2020, 6, 30)),
    ],
)
def test_other_date_phrases(text: str, expected: dt.date) -> None:
    (finding,) = find_deadlines(text)
    assert finding.date == expected
    assert text[finding.start : finding.end] == finding.phrase


def test_impossible_dates_are_not_deadlines() -> None:
    assert find_deadlines("2019年13月底前") == []
    assert find_deadlines("2019年2月30日前") == []


def test_milestone_errata_replace_drop_add() -> None:
    text = "甲,2019年底前统一归集至平台;乙,2020年底前完成。"
    spans = milestone_spans(text)
    fixed, notes = apply_milestone_errata(
        "9.9",
        text,
        spans,
        [
            {"action": "replace", "index": 1, "text": "甲2019年底前统一归集至平台", "reason": "补入对象"},
            {"action": "drop", "index": 2, "reason": "重复"},
            {
                "action": "add",
                "anchor": "乙",
                "date": "2021-06-30",
                "text": "乙2021年6月底前完成",
                "reason": "另行通知",
            },
        ],
    )
    assert [s.milestone for s in fixed] == [
        Milestone(dt.date(2019, 12, 31), "甲2019年底前统一归集至平台"),
        Milestone(dt.date(2021, 6, 30), "乙2021年6月底前完成"),
    ]
    assert len(notes) == 3 and "补入对象" in notes[0]


def test_milestone_errata_that_no_longer_fit_are_refused() -> None:
    text = "2019年底前完成。"
    with pytest.raises(ErrataMismatch, match="没有第2个时间节点"):
        apply_milestone_errata("1", text, milestone_spans(text), [{"action": "drop", "index": 2}])
    with pytest.raises(ErrataMismatch, match="锚点"):
        apply_milestone_errata("1", text, milestone_spans(text), [{"action": "add", "anchor": "不存在"}])
