"""Every test owns its world: a fresh data folder, a fixed clock, and Qt without a screen."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

# Must be set before anything imports Qt; with no display Qt would abort with an xcb message.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_SCALE_FACTOR", "1")

import pytest

from liaison_app.clock import FixedClock
from liaison_app.plan.bundle import load_plan_file
from liaison_app.plan.model import Plan
from liaison_app.reports.unit_report import default_file_name
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Status
from tests.helpers import (
    NOT_REPORTING,
    RETURNS_AS_OF,
    RETURNS_PERIOD,
    SMALL_AS_OF,
    SMALL_NOT_REPORTING,
    SMALL_PERIOD,
    START,
    SYNTHETIC_PLAN,
    Windows,
    first_start,
)

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from liaison_app.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("LIAISON_APP_DATA_DIR", str(folder))
    monkeypatch.setenv("LIAISON_APP_CONFIG_DIR", str(tmp_path / "config"))  # per-machine UI state
    return folder


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


def _template(factory: pytest.TempPathFactory, plan: Plan | None) -> Path:
    """A data folder as the first start at START leaves it (database, today's backups), made
    once per session: creating and migrating a database and snapshotting it costs each test
    more than the test itself, mostly in fsync."""
    folder = factory.mktemp("template") / "data"
    LiaisonService.open(folder, clock=FixedClock(START), first_plan=plan).close()
    return folder


@pytest.fixture(scope="session")
def bundled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("template") / "data"
    first_start(folder)  # the same first start filled_service copies
    return folder


@pytest.fixture
def service(data_dir: Path, clock: FixedClock, bundled_template: Path) -> Iterator[LiaisonService]:
    """The bundled 南岸区 plan (162 items, 61 units): for tests about that plan and its units."""
    shutil.copytree(bundled_template, data_dir)
    svc = LiaisonService.open(data_dir, clock=clock, actor="测试联络员")
    yield svc
    svc.close()


@pytest.fixture
def windows(qtbot: QtBot, data_dir: Path, bundled_template: Path) -> Iterator[Windows]:
    """``windows(clock)`` opens the main window on the test's data folder, as the app starts on
    that day; each call is a fresh start. A folder not there yet starts as the bundled plan's
    first start (a copy of the session's template: creating it costs ~0.25 s a test)."""
    from liaison_app.ui.main_window import MainWindow

    opened: list[tuple[MainWindow, LiaisonService]] = []

    def open_window(clock: FixedClock, size: tuple[int, int] | None = None) -> MainWindow:
        if not data_dir.exists():
            shutil.copytree(bundled_template, data_dir)
        service = LiaisonService.open(data_dir, clock=clock, actor="联络员甲")
        window = MainWindow(service)
        qtbot.addWidget(window)
        if size is not None:
            window.resize(*size)
        window.show()
        opened.append((window, service))
        return window

    yield open_window
    for window, service in opened:
        window.close()
        service.close()


@pytest.fixture
def quick_autosave(monkeypatch: pytest.MonkeyPatch) -> int:
    """The note's autosave after a 50 ms pause instead of 800 ms, for windows opened from now
    on: a test that waits for the autosave proves that it comes, not how long the pause is."""
    from liaison_app.ui import detail_pane

    monkeypatch.setattr(detail_pane, "NOTE_SAVE_DELAY_MS", 50)
    return 50


@pytest.fixture(scope="session")
def synthetic_plan() -> Plan:
    """Six items in three areas, five units (tests/fixtures/plans/synthetic.plan.json): 1.1-1.3
    share a measure but not their units, 1.3 has no deadline, measure 3 has no sub-items, 区戊办
    has no items, 甲局 is an alias of 区甲局, group 2 takes every member unit."""
    return load_plan_file(SYNTHETIC_PLAN)


@pytest.fixture(scope="session")
def synthetic_template(tmp_path_factory: pytest.TempPathFactory, synthetic_plan: Plan) -> Path:
    return _template(tmp_path_factory, synthetic_plan)


@pytest.fixture
def small(data_dir: Path, clock: FixedClock, synthetic_template: Path) -> Iterator[LiaisonService]:
    """A fresh data folder holding the synthetic plan: for tests of behaviour, not of the plan."""
    shutil.copytree(synthetic_template, data_dir)
    svc = LiaisonService.open(data_dir, clock=clock, actor="测试联络员")
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dt.datetime]:
    """The office's world built once per session (~6-14 s of updates, each one committed and
    fsynced): its folder (``data`` and ``inbox``) and the time its clock had reached."""
    root = tmp_path_factory.mktemp("office-template")
    clock = FixedClock(dt.datetime(2020, 1, 8, 9, 0))
    service = LiaisonService.open(root / "data", clock=clock)
    reports = ReportService(service)
    for n, unit in enumerate(u.name for u in service.units() if u.lead_items or u.coop_items):
        for k, task in enumerate(service.tasks(unit)):
            status = list(Status)[(n + k) % len(Status)]
            if status is not Status.NOT_STARTED:
                service.update(unit, task.item.id, status=status, note=f"{unit}第{k}条")
    # planted: the earliest deadline (1.1, 2019-09-30) still open, so it heads the chase list
    service.update("区市场监管局", "1.1", status=Status.IN_PROGRESS, note="系统联调中")
    # planted: typical cases of two units, one lead unit's deliverables done
    from liaison_app.store.duties import DutiesService

    duties = DutiesService(service)
    duties.save_case(
        "区城管局",
        period=RETURNS_PERIOD,
        kind="positive",
        title="用水报装提速",
        body="报装时间压缩到5天",
        related=["16"],
    )
    duties.save_case("区法院", period=RETURNS_PERIOD, kind="negative", title="执行案件超期", body="已整改")
    duties.save_case("区法院", period="2019-11", kind="positive", title="上月的案例")
    duties.update_deliverable("区市场监管局", "measures", status="已完成")
    duties.update_deliverable("区市场监管局", "research", status="已完成")
    # planted: the lead says done while a helper says not started
    service.update("区经济信息委", "11.2", status=Status.DONE, note="牵头已办结")
    service.update("区城管局", "11.2", status=Status.NOT_STARTED, note="")
    inbox = root / "inbox"
    inbox.mkdir()
    for unit in (u.name for u in service.units() if u.lead_items or u.coop_items):
        if unit != NOT_REPORTING:
            reports.export(
                unit, RETURNS_PERIOD, RETURNS_AS_OF, inbox / default_file_name(unit, RETURNS_PERIOD)
            )
        clock.advance(seconds=1)
    service.close()
    return root, clock.now()


def _copy_of(root: Path, template: Path, at: dt.datetime) -> Iterator[tuple[LiaisonService, Path]]:
    """An office world's template (data folder and inbox) copied under ``root``, opened at ``at``."""
    shutil.copytree(template / "data", root / "data")
    shutil.copytree(template / "inbox", root / "inbox")
    service = LiaisonService.open(root / "data", clock=FixedClock(at))
    yield service, root / "inbox"
    service.close()


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, world_template: tuple[Path, dt.datetime]
) -> Iterator[tuple[LiaisonService, Path]]:
    """One data folder where every unit has reported, with varied statuses; a folder of returns.
    A copy of the session's template per module, so a module may change it."""
    yield from _copy_of(tmp_path_factory.mktemp("office"), *world_template)


@pytest.fixture(scope="session")
def small_world_template(
    tmp_path_factory: pytest.TempPathFactory, synthetic_plan: Plan
) -> tuple[Path, dt.datetime]:
    """The office's world on the synthetic plan (~0.5 s, against ~8 s for ``world``): every
    status in use, one item overdue, three returns in the inbox and one unit left out."""
    root = tmp_path_factory.mktemp("small-office-template")
    clock = FixedClock(dt.datetime(2020, 6, 1, 9, 0))
    service = LiaisonService.open(root / "data", clock=clock, first_plan=synthetic_plan)
    reports = ReportService(service)
    units = [u.name for u in service.units() if u.lead_items or u.coop_items]
    for n, unit in enumerate(units):
        for k, task in enumerate(service.tasks(unit)):
            status = list(Status)[(n + k) % len(Status)]
            if status is not Status.NOT_STARTED:
                service.update(unit, task.item.id, status=status, note=f"{unit}第{k}条")
    # planted: 1.1 (due 2020-04-30) still open; the lead says 2.1 is done, a helper not started
    service.update("区甲局", "1.1", status=Status.IN_PROGRESS, note="系统联调中")
    service.update("丁供电公司", "2.1", status=Status.DONE, note="牵头已办结")
    service.update("区甲局", "2.1", status=Status.NOT_STARTED, note="")
    inbox = root / "inbox"
    inbox.mkdir()
    for unit in units:
        if unit != SMALL_NOT_REPORTING:
            reports.export(unit, SMALL_PERIOD, SMALL_AS_OF, inbox / default_file_name(unit, SMALL_PERIOD))
        clock.advance(seconds=1)
    service.close()
    return root, clock.now()


@pytest.fixture(scope="module")
def small_world(
    tmp_path_factory: pytest.TempPathFactory, small_world_template: tuple[Path, dt.datetime]
) -> Iterator[tuple[LiaisonService, Path]]:
    """``world`` on the synthetic plan, for tests of how returns are judged and merged rather
    than of the bundled plan's sixty units: a copy of the session's template per module."""
    yield from _copy_of(tmp_path_factory.mktemp("small-office"), *small_world_template)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses Qt's widgets is a ``gui`` test (select or skip them with -m)."""
    for item in items:
        if {"qtbot", "qapp"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.gui)
