import datetime as dt

import pytest

from liaison_app.plan.deadlines import find_deadlines, item_deadline


@pytest.mark.parametrize(
    ("text", "expected", "repaired"),
    [
        ("2019年底前实现企业开办", dt.date(2019, 12, 31), False),
        ("力争2019年9月底前完成", dt.date(2019, 9, 30), False),
        ("20199月底前实现全区企业名称自主申报", dt.date(2019, 9, 30), True),
        ("2020年2月底前", dt.date(2020, 2, 29), False),
        ("2022年底前建成", dt.date(2022, 12, 31), False),
    ],
)
def test_deadline_phrases(text: str, expected: dt.date, repaired: bool) -> None:
    (finding,) = find_deadlines(text)
    assert finding.date == expected
    assert finding.repaired is repaired


def test_no_deadline_in_ongoing_work() -> None:
    assert item_deadline("持续减少年均停电时间和停电次数") == (None, [])
    # numbers that are not deadlines: amounts, counts, document numbers
    assert find_deadlines("普法人数达2000人次,审批时间由20日缩减至10个工作日") == []


def test_several_deadlines_take_the_latest() -> None:
    deadline, findings = item_deadline("2019年底前探索推进,2022年底前实现在线申请")
    assert deadline == dt.date(2022, 12, 31)
    assert len(findings) == 2
