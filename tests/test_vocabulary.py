"""The app's words: codes and labels defined once, numerals, periods, and older returns read by
label and turned into codes at the edge."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from liaison_app.reports.consolidation import consolidate, receive
from liaison_app.reports.report_reader import read_report
from liaison_app.store.duty_records import GroupInfo
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.vocabulary import (
    NUMERAL_PATTERN,
    CaseKind,
    Coded,
    DeliverableKind,
    GroupRole,
    KeySource,
    Light,
    Role,
    Status,
    Verdict,
    chinese_numeral,
    parse_numeral,
    parse_period,
    period_label,
    read_chinese_number,
)

V2 = Path(__file__).parent / "fixtures" / "reports" / "v2"
VOCABULARIES: list[type[Coded]] = [
    Status,
    Light,
    Role,
    GroupRole,
    DeliverableKind,
    CaseKind,
    Verdict,
    KeySource,
]

_ONES = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"]


def test_numerals_are_right_for_every_number_up_to_99() -> None:
    spelled = {1: "一", 9: "九", 10: "十", 11: "十一", 19: "十九", 20: "二十", 21: "二十一", 30: "三十"}
    spelled |= {55: "五十五", 90: "九十", 99: "九十九"}
    for number, text in spelled.items():
        assert chinese_numeral(number) == text
    for number in range(1, 100):
        tens, ones = divmod(number, 10)
        head = "" if tens == 0 else ("十" if tens == 1 else _ONES[tens] + "十")
        assert chinese_numeral(number) == head + _ONES[ones]
        assert parse_numeral(chinese_numeral(number)) == number
        assert re.fullmatch(NUMERAL_PATTERN, chinese_numeral(number))
    for bad in ("十十", "二一", "一十", "零", "百"):
        assert not re.fullmatch(NUMERAL_PATTERN, bad)
    for bad in (0, 100, -1):
        with pytest.raises(ValueError):
            chinese_numeral(bad)
    for bad in ("", "零", "十十", "二一", "百", "一十一x"):
        with pytest.raises(ValueError):
            parse_numeral(bad)


def test_numbers_in_source_documents_are_read_leniently() -> None:
    cases = {"十二": 12, "二十一": 21, "两": 2, "二〇一九": 2019, "二零二零": 2020, "十": 10, "三": 3}
    for text, number in cases.items():
        assert read_chinese_number(text) == number
    for bad in ("", "一百", "abc", "十x"):
        assert read_chinese_number(bad) is None


def test_group_twenty_and_twenty_one_are_titled_right() -> None:
    def title(number: int) -> str:
        return GroupInfo(number, "测试专项小组", "", (), (), False).title

    assert title(3) == "(三)测试专项小组"
    assert title(20) == "(二十)测试专项小组"  # was (十十)
    assert title(21) == "(二十一)测试专项小组"  # was an IndexError


@pytest.mark.parametrize("kind", VOCABULARIES, ids=lambda k: k.__name__)
def test_every_code_and_label_round_trips(kind: type[Coded]) -> None:
    labels = [member.label for member in kind]
    assert len(set(labels)) == len(labels) and all(labels)
    for member in kind:
        assert kind.parse(member.value) is member
        assert kind.parse(member.label) is member
        assert kind.parse(f" {member.label} ") is member
        assert kind(member.value) is member  # the code is the value: what the database stores
    assert kind.lookup("不存在的词") is None
    with pytest.raises(ValueError, match="无效的"):
        kind.parse("不存在的词")


def test_labels_people_know() -> None:
    assert [s.label for s in Status] == ["未启动", "推进中", "已完成", "常态化推进", "需协调"]
    assert [light.label for light in Light][:3] == ["逾期", "临期", "正常"]
    assert (Role.LEAD.label, Role.COOP.label) == ("牵头", "配合")
    assert DeliverableKind.labels() == {
        DeliverableKind.MEASURES: "具体措施",
        DeliverableKind.RESEARCH: "调研报告",
    }
    assert (CaseKind.parse("正面"), CaseKind.parse("negative").label) == (CaseKind.POSITIVE, "反面")


def test_periods() -> None:
    assert period_label("2019-11") == "2019年11月"
    assert parse_period("2019年11月") == parse_period("2019年11月 ") == parse_period("2019-11") == "2019-11"
    assert parse_period("2019年3月") == "2019-03"
    for bad in ("2019-13", "2019年0月", "十一月", ""):
        with pytest.raises(ValueError, match="报送期"):
            parse_period(bad)


def test_a_version_2_return_is_read_into_codes() -> None:
    report = read_report(next(V2.glob("区城管局_*.xlsx")))
    assert report.version == 2 and not report.modified
    row = {r.code: r for r in report.rows}
    assert row["17"].status == "需协调"  # what the file carries: the label
    assert report.status_of("17") is Status.BLOCKED  # what the program computes on: the code
    assert report.status_of("16") is Status.DONE and report.status_of("18") is Status.ONGOING
    assert report.status_of("19") is Status.NOT_STARTED
    assert report.deliverable("measures") == (Status.NOT_STARTED, "2019-12-06")


def test_version_2_returns_still_consolidate(service: LiaisonService, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(V2, inbox)
    catalog = ReportService(service).catalog_snapshot()
    intake = receive([inbox], catalog)
    assert intake.period == "2019-11" and set(intake.reports) == {"区城管局", "南岸供电公司"}
    result = consolidate(intake, catalog, dt.date(2019, 11, 30), dt.datetime(2019, 12, 1))
    view = next(v for v in result.items if v.item.id == "11.2")
    states = {s.unit: s.status for s in view.states}
    assert states["区城管局"] is Status.IN_PROGRESS and states["南岸供电公司"] is Status.DONE
    by_id = {v.item.id: v for v in result.items}
    lead_16 = {s.unit: s for s in by_id["16"].states}
    assert lead_16["区城管局"].status is Status.DONE and lead_16["区城管局"].status_label == "已完成"
    assert lead_16["东部水务公司"].status is None and by_id["16"].status_label == "未报送"  # least advanced
    line = next(u for u in result.units if u.unit == "区城管局")
    assert line.reported and line.done == 1


def test_no_module_keeps_its_own_copy_of_a_vocabulary() -> None:
    """A literal (dict, list, tuple, set) holding two labels of one vocabulary, or two Chinese
    numerals, is a copy of the vocabulary: it belongs in liaison_app/vocabulary.py."""
    import ast

    package = Path(__file__).resolve().parent.parent / "liaison_app"
    words = [set(kind.labels().values()) for kind in VOCABULARIES]
    words.append({chinese_numeral(n) for n in range(1, 100)})
    # words of other people's documents, which happen to be ours too
    not_ours = {("plan/importers/table.py", "HEADERS")}  # header-cell synonyms of a source table
    copies = []
    for source in sorted(package.rglob("*.py")):
        if source.name == "vocabulary.py":
            continue
        tree = ast.parse(source.read_text(encoding="utf-8"))
        skipped = {
            id(inner)
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Name)
            and (source.relative_to(package).as_posix(), target.id) in not_ours
            and node.value is not None
            for inner in ast.walk(node.value)
        }
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Dict):
                elements = [*node.keys, *node.values]
            elif isinstance(node, ast.List | ast.Tuple | ast.Set):
                elements = list(node.elts)
            else:
                continue
            found = {e.value for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)}
            if any(len(found & vocabulary) >= 2 for vocabulary in words):
                copies.append(f"{source.relative_to(package)}:{node.lineno} {sorted(found)[:4]}")
    assert copies == [], "\n".join(copies)
