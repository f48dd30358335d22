"""The read-only commands' view (sqlite3 alone) gives exactly what the service gives, and leaves a
database that needs the full opening to it (issue #18 goal 3)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from liaison_app.clock import FixedClock
from liaison_app.store.read_view import ReadView
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Status
from tests.helpers import filled_service

FIXTURES = Path(__file__).parent / "fixtures" / "db"


def agree(view: ReadView, service: LiaisonService) -> int:
    """Assert the view and the service answer alike for every unit; the number of tasks compared."""
    assert view.plan_id == service.plan_id
    assert view.plan_info() == service.plan_info()
    assert view.units() == service.units()
    assert view.catalog() == service.catalog()
    compared = 0
    for unit in service.units():
        assert view.tasks(unit.name) == service.tasks(unit.name), unit.name
        compared += len(view.tasks(unit.name))
    for alias in ("招商投资局", " 区市场监管局 "):
        assert view.resolve_unit(alias) == service.resolve_unit(alias)
    return compared


def test_the_view_agrees_with_the_service_on_progress_evidence_ticks_and_figures(
    data_dir: Path, tmp_path: Path, clock: FixedClock, bundled_template: Path
) -> None:
    shutil.copytree(bundled_template, data_dir, dirs_exist_ok=True)
    service = filled_service(data_dir, tmp_path, clock)
    service.update("区市场监管局", "1.1", status=Status.DONE, completed_on=dt.date(2019, 11, 20))
    service.update("区市场监管局", "1.2", status="需协调", note="待市级部门开放接口\n第二行")
    service.record_actual("南岸供电公司", "13", "13-t1", "99.95", period="2019-10", source="月报")
    service.record_actual("南岸供电公司", "13", "13-t1", "99.97", period="2019-11")
    ticked = next(t for t in service.tasks("区市场监管局") if t.milestones)
    service.tick_milestone("区市场监管局", ticked.item.id, 1, clock.today())
    view = ReadView.open(data_dir, clock=clock)
    assert view is not None
    try:
        assert agree(view, service) > 500  # every assignment of the plan
        mine = {t.item.id: t for t in view.tasks("区城管局")}
        assert mine["16"].status is Status.DONE and mine["16"].evidence == 1 and mine["11.2"].evidence == 1
        assert {t.item.id: t for t in view.tasks("区市场监管局")}[ticked.item.id].milestones[0].done_on == (
            clock.today()
        )
        cooperating = next(t for t in view.tasks("区经济信息委") if t.item.id == "13")
        assert [a.value for a in cooperating.targets[0].actuals] == [
            a.value for a in service.task("南岸供电公司", "13").targets[0].actuals
        ]
    finally:
        view.close()
        service.close()


def test_the_view_reads_a_database_made_by_a_released_version(tmp_path: Path) -> None:
    folder = tmp_path / "0010"
    shutil.copytree(FIXTURES / "0010", folder)
    view = ReadView.open(folder)
    assert view is not None
    service = LiaisonService.open_read_only(folder)
    try:
        agree(view, service)
        done = {t.item.id: t for t in view.tasks("区城管局")}["16"]
        assert done.status is Status.DONE and done.evidence == 1
    finally:
        view.close()
        service.close()


def test_a_folder_that_needs_the_full_opening_gets_none(tmp_path: Path) -> None:
    assert ReadView.open(tmp_path / "no such folder") is None
    empty = tmp_path / "empty"
    empty.mkdir()
    assert ReadView.open(empty) is None  # no database yet: the full opening creates it
    older = tmp_path / "0009"
    shutil.copytree(FIXTURES / "0009", older)
    before = (older / "liaison.sqlite3").read_bytes()
    assert ReadView.open(older) is None  # an older schema: the full opening upgrades it
    assert (older / "liaison.sqlite3").read_bytes() == before
