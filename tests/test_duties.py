"""Typical cases, lead units' deliverables and special groups, on a real database."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from liaison_app.clock import FixedClock
from liaison_app.paths import database_path
from liaison_app.store.duties import DutiesService, one_month_after
from liaison_app.store.records import ServiceError
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Light, Status
from tests.helpers import first_start, make_file


@pytest.fixture
def duties(service: LiaisonService) -> DutiesService:
    return DutiesService(service)


def test_groups_of_the_plan_and_of_a_unit(duties: DutiesService) -> None:
    groups = duties.groups()
    assert len(groups) == 13 and groups[0].title == "(一)简化企业开办优化市场监管专项小组"
    assert groups[12].title == "(十三)营商环境督查组"
    mine = {g.number: g.role for g in duties.groups("区城管局")}
    assert mine == {
        3: "牵头单位",
        11: "责任单位",
        12: "责任单位(各相关成员单位)",
        13: "责任单位(各相关成员单位)",
    }
    assert duties.groups("区市场监管局")[0].duties.startswith("简化企业开办流程")


def test_groups_are_filled_into_a_database_made_before_them(data_dir: Path, clock: FixedClock) -> None:
    first_start(data_dir)  # the bundled plan's first start, copied (~0.4 s to create)
    with sqlite3.connect(database_path(data_dir)) as connection:
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("DELETE FROM special_group")
    service = LiaisonService.open(data_dir, clock=clock)
    assert len(DutiesService(service).groups()) == 13
    service.close()


def test_typical_case_round_trip_with_history(duties: DutiesService, clock: FixedClock) -> None:
    assert not duties.has_case("区城管局", "2019-11")
    case = duties.save_case(
        "区城管局",
        period="2019-11",
        kind="positive",
        title="“一窗办理”用水报装",
        body="企业报装时间由12天压缩到5天。",
        related=["16", "17"],
    )
    assert duties.has_case("区城管局", "2019-11") and not duties.has_case("区城管局", "2019-12")
    clock.advance(hours=1)
    changed = duties.save_case(
        "区城管局",
        case_id=case.id,
        period="2019-11",
        kind="negative",
        title=case.title,
        body=case.body,
        related=["16"],
    )
    assert (changed.kind_label, changed.related) == ("反面", ("16",))
    fields = [h[2] for h in duties.history("区城管局", f"case:{case.id}")]
    assert set(fields) == {"case_kind", "case_related", "case"}
    duties.delete_case("区城管局", case.id)
    assert duties.cases("区城管局") == []
    assert duties.history("区城管局", f"case:{case.id}")[0][2:] == ("case", case.title, None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": " "}, "标题"),
        ({"kind": "neutral"}, "正面或反面"),
        ({"period": "2019-13"}, "月份"),
        ({"related": ["11.1"]}, "不承担"),
    ],
)
def test_bad_cases_are_refused(duties: DutiesService, changes: dict, message: str) -> None:
    values = {"period": "2019-11", "kind": "positive", "title": "标题", "related": ["16"]} | changes
    with pytest.raises(ServiceError, match=message):
        duties.save_case("区城管局", **values)
    assert duties.cases("区城管局") == []


def test_case_files_share_the_evidence_store(
    duties: DutiesService, service: LiaisonService, tmp_path: Path
) -> None:
    case = duties.save_case("区城管局", period="2019-11", kind="positive", title="案例")
    source = make_file(tmp_path, "现场照片.jpg")
    attachment = duties.attach("区城管局", "case", case.id, source)
    evidence = service.attach("区城管局", "16", source)  # the same bytes as item evidence
    assert attachment.sha256 == evidence.sha256
    assert duties.cases("区城管局")[0].attachments[0].original_name == "现场照片.jpg"
    assert ("区城管局", "典型案例", "现场照片.jpg", attachment.sha256) in service.evidence_inventory()
    service.remove_evidence(evidence.id)
    assert service.evidence_store.exists(attachment.sha256)  # still used by the case
    duties.delete_case("区城管局", case.id)
    assert not service.evidence_store.exists(attachment.sha256)


def test_deliverables_due_a_month_after_issue_with_lights(duties: DutiesService, clock: FixedClock) -> None:
    assert duties.issued_on() == dt.date(2019, 11, 6)
    found = duties.deliverables("区城管局")
    assert [(d.label, d.due) for d in found] == [
        ("具体措施", dt.date(2019, 12, 6)),
        ("调研报告", dt.date(2019, 12, 6)),
    ]
    assert found[0].light(dt.date(2019, 11, 20)) is Light.DUE_SOON
    assert found[0].light(dt.date(2019, 12, 7)) is Light.OVERDUE
    done = duties.update_deliverable("区城管局", "measures", status="已完成", note="已印发")
    assert done.status is Status.DONE and done.completed_on == clock.today()
    assert done.light(dt.date(2020, 6, 1)) is Light.ON_TRACK
    duties.set_issued_on(dt.date(2019, 1, 31))
    assert duties.deliverables("区城管局")[0].due == dt.date(2019, 2, 28)
    assert one_month_after(dt.date(2019, 12, 15)) == dt.date(2020, 1, 15)


def test_deliverable_completion_dates_are_logged_like_progress(
    duties: DutiesService, clock: FixedClock
) -> None:
    duties.update_deliverable("区城管局", "research", status="done")
    clock.advance(days=3)
    duties.update_deliverable("区城管局", "research", status="in_progress")
    changes = [(f, b, a) for _when, _s, f, b, a in duties.history("区城管局", "deliverable:research")]
    day = clock.today() - dt.timedelta(days=3)
    assert ("completed_on", None, day.isoformat()) in changes
    assert ("completed_on", day.isoformat(), None) in changes
    assert len(changes) == 4  # two status changes, two completion dates


def test_lead_only_duties_are_not_shown_to_a_unit_that_leads_nothing(duties: DutiesService) -> None:
    assert duties.deliverables("区公安分局") == []
    with pytest.raises(ServiceError, match="不是任何工作措施的牵头单位"):
        duties.update_deliverable("区公安分局", "measures", status="已完成")


def test_deliverable_files(duties: DutiesService, tmp_path: Path) -> None:
    attachment = duties.attach("区城管局", "deliverable", "research", make_file(tmp_path, "调研报告.docx"))
    assert duties.deliverables("区城管局")[1].attachments == (attachment,)
    duties.remove_attachment("区城管局", attachment.id)
    assert duties.deliverables("区城管局")[1].attachments == ()
    with pytest.raises(ServiceError):
        duties.attach("区公安分局", "deliverable", "research", make_file(tmp_path, "x.docx"))
