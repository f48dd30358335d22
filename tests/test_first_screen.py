"""The window's first screen, read with sqlite3 before the data is opened (issue #18 goal 1).

The window is started as the program starts it (:func:`liaison_app.app.start_window`) on real data
folders: it must show what the service shows once attached, on every kind of database; and what a
user does before the data is attached must be done, not dropped.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from liaison_app import app, paths
from liaison_app.settings import LAST_UNIT
from liaison_app.store import backup
from liaison_app.store.database import KNOWN_REVISIONS
from liaison_app.store.duties import DutiesService
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Status
from liaison_app.ui import error_dialog
from liaison_app.ui.machine_settings import MachineSettings
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.periods import default_period
from liaison_app.ui.unit_picker import UNIT_NAME_ROLE
from tests.helpers import drop_files
from tests.plan_tables import write_2020_table

FIXTURES = Path(__file__).parent / "fixtures" / "db"
OLDER = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())[:-1]
UNIT = "区市场监管局"
Started = list[tuple[MainWindow, app.DataOpening | None]]


def choose_last_unit(folder: Path, unit: str) -> None:
    """As after an earlier start (opening upgrades an older database first)."""
    service = LiaisonService.open(folder)
    service.put({LAST_UNIT: unit})
    service.close()


def picker_units(window: MainWindow) -> list[str]:
    model = window.picker.model()
    return [model.index(row, 0).data(UNIT_NAME_ROLE) for row in range(model.rowCount())]


@pytest.fixture
def windows(qtbot: QtBot) -> Iterator[Started]:
    started: Started = []
    yield started
    for window, opening in started:
        if opening is not None:
            opening.wait()
        service = window.service
        window.close()
        if service is not None:
            service.close()


def start(qtbot: QtBot, folder: Path, started: Started, machine: MachineSettings | None = None) -> MainWindow:
    window = MainWindow(machine=machine)
    qtbot.addWidget(window)
    opening, _shown = app.start_window(window, folder)
    started.append((window, opening))
    return window


def attached_alike(window: MainWindow, qtbot: QtBot) -> None:
    """What the first screen showed is what the attached data shows."""
    shown = window.model.tasks()
    units = picker_units(window)
    unit = window.unit
    window.finish_loading()
    qtbot.waitUntil(lambda: window.service is not None)
    service = window.service
    assert service is not None
    assert unit == service.get_text(LAST_UNIT)
    window.picker.set_units(service.units())  # as the window fills it from the service
    assert units == picker_units(window)
    assert shown == service.tasks(unit) and shown, unit
    assert window.model.tasks() == shown


@pytest.mark.parametrize("template", ["bundled_template", "synthetic_template"])
def test_the_first_screen_is_what_the_service_shows(
    qtbot: QtBot, data_dir: Path, template: str, request: pytest.FixtureRequest, windows: Started
) -> None:
    shutil.copytree(request.getfixturevalue(template), data_dir)
    unit = UNIT if template == "bundled_template" else "区甲局"
    choose_last_unit(data_dir, unit)
    window = start(qtbot, data_dir, windows)
    assert window.loading and window.service is None  # shown from the sqlite3 read
    assert window.unit == unit and window.central.isEnabled()
    attached_alike(window, qtbot)


def test_a_database_of_a_released_version_is_shown_before_it_is_opened(
    qtbot: QtBot, tmp_path: Path, windows: Started
) -> None:
    folder = tmp_path / "current"
    shutil.copytree(FIXTURES / sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())[-1], folder)
    with sqlite3.connect(folder / "liaison.sqlite3") as connection:
        connection.execute("INSERT OR REPLACE INTO setting VALUES ('ui.last_unit', '区城管局')")
    window = start(qtbot, folder, windows)
    assert window.loading
    attached_alike(window, qtbot)
    assert {t.item.id: t for t in window.model.tasks()}["16"].status is Status.DONE


@pytest.mark.parametrize("fixture", OLDER)
def test_an_older_database_is_upgraded_before_anything_is_shown(
    qtbot: QtBot, tmp_path: Path, fixture: str, windows: Started
) -> None:
    folder = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, folder)
    with sqlite3.connect(folder / "liaison.sqlite3") as connection:  # chosen on that version
        connection.execute("INSERT OR REPLACE INTO setting VALUES ('ui.last_unit', '区城管局')")
    window = start(qtbot, folder, windows)
    assert not window.loading and window.service is not None  # the full opening, at once
    assert window.unit == "区城管局"
    assert window.model.tasks() == window.service.tasks("区城管局")
    # the next start, on the upgraded database, shows it first from sqlite3, alike
    service = window.service
    windows.clear()
    window.close()
    service.close()
    again = start(qtbot, folder, windows)
    assert again.loading
    attached_alike(again, qtbot)


def status_of(db: Path, unit: str, code: str) -> str | None:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT p.status FROM progress p JOIN unit u ON u.id = p.unit_id JOIN item i ON i.id = p.item_id"
            " WHERE u.name = ? AND i.code = ?",
            (unit, code),
        ).fetchone()
    finally:
        connection.close()
    return None if row is None else str(row[0])


def test_a_status_chosen_right_after_start_is_saved_after_todays_backup_is_pinned(
    qtbot: QtBot, data_dir: Path, bundled_template: Path, windows: Started
) -> None:
    shutil.copytree(bundled_template, data_dir)
    choose_last_unit(data_dir, UNIT)
    for snapshot in (backup.backups_dir(data_dir) / "daily").iterdir():
        snapshot.unlink()  # as if those were yesterday's: today's backup is due
    window = start(qtbot, data_dir, windows)
    opening = windows[-1][1]
    assert opening is not None
    opening.start()  # as run_gui does after the first paint: the data is being opened
    assert window.loading
    first = window.model.tasks()[0]
    assert first.status is Status.NOT_STARTED
    index = window.index_for(first.item.id)
    window.tree.scrollTo(index)
    click_at = window.tree.visualRect(index).center()
    qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=click_at)
    assert window.service is not None, "choosing an item waited for the data"
    assert window.detail.task is not None and window.detail.task.item.id == first.item.id
    window.detail.status.setFocus()
    qtbot.keyClick(window.detail.status, Qt.Key.Key_Down)  # the next status
    service = window.service
    windows.clear()
    window.close()
    service.close()  # waits for today's backup
    saved = status_of(data_dir / "liaison.sqlite3", UNIT, first.item.id)
    assert saved is not None and saved != Status.NOT_STARTED.value
    (day_file,) = (backup.backups_dir(data_dir) / "daily").iterdir()
    assert backup.check_database(day_file, KNOWN_REVISIONS).ok
    assert status_of(day_file, UNIT, first.item.id) in (None, Status.NOT_STARTED.value)  # as at start


def test_another_unit_chosen_before_the_data_is_opened_is_shown_and_remembered(
    qtbot: QtBot, data_dir: Path, bundled_template: Path, windows: Started
) -> None:
    shutil.copytree(bundled_template, data_dir)
    choose_last_unit(data_dir, UNIT)
    window = start(qtbot, data_dir, windows)
    assert window.loading
    window.picker.unit_chosen.emit("区城管局")  # as the picker does when the user chooses
    assert window.service is not None and window.unit == "区城管局"
    assert window.model.tasks() == window.service.tasks("区城管局")
    assert window.service.get_text(LAST_UNIT) == "区城管局"


def test_a_window_closed_before_the_data_is_attached_does_not_open_it(
    qtbot: QtBot, data_dir: Path, bundled_template: Path, windows: Started
) -> None:
    shutil.copytree(bundled_template, data_dir)
    choose_last_unit(data_dir, UNIT)
    window = start(qtbot, data_dir, windows)
    opening = windows[-1][1]
    assert opening is not None
    opening.start()
    window.close()
    opening.wait()
    qtbot.wait(50)  # the worker's "imported" arrives
    assert window.service is None and not window.loading


@pytest.mark.qt_no_exception_capture  # what the program does with the failure is the point
def test_data_that_cannot_be_opened_after_the_first_screen_is_told_once(
    qtbot: QtBot,
    qapp: QApplication,
    data_dir: Path,
    bundled_template: Path,
    windows: Started,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shutil.copytree(bundled_template, data_dir)
    choose_last_unit(data_dir, UNIT)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: told.append(a[2]))

    def refused(*_a: object, **_k: object) -> LiaisonService:
        # a folder the first screen could read but the program may not write (read-only share)
        raise paths.DataDirError(f"数据文件夹不可写:{data_dir}")

    monkeypatch.setattr(LiaisonService, "open", refused)
    exits: list[int] = []
    monkeypatch.setattr(QApplication, "exit", exits.append)  # the program would end here
    uninstall = error_dialog.install(qapp)
    try:
        window = start(qtbot, data_dir, windows)
        assert window.loading and window.model.rowCount() > 0
        index = window.index_for(window.model.tasks()[0].item.id)
        click_at = window.tree.visualRect(index).center()
        qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=click_at)  # waits
        qtbot.wait(50)  # a queued error dialog would have arrived by now
        assert len(told) == 1 and "数据文件夹不可写" in told[0]  # the reason, once
        reporter = error_dialog.reporter()
        assert reporter is not None and not reporter.dialogs  # no internal-error dialog on top
        assert window.service is None and not window.isVisible() and exits == [1]
    finally:
        uninstall()


def test_a_plan_dropped_on_the_first_screen_is_reviewed_once_the_data_is_open(
    qtbot: QtBot, data_dir: Path, bundled_template: Path, windows: Started, tmp_path: Path
) -> None:
    shutil.copytree(bundled_template, data_dir)
    choose_last_unit(data_dir, UNIT)
    window = start(qtbot, data_dir, windows)
    assert window.loading
    plan = write_2020_table(tmp_path / "南岸区2020年任务分解表.xlsx")
    drop_files(window, QPoint(40, 40), [plan])  # from the file manager, right after start
    plans = window.plans
    assert window.service is not None and plans is not None
    # the file is read off the GUI thread, then reviewed as a drop on an open window is
    qtbot.waitUntil(lambda: plans.dialog is not None and plans.dialog.isVisible(), timeout=10000)
    assert plans.dialog is not None
    plans.dialog.reject()


def test_the_side_panels_are_made_after_the_first_paint_on_the_same_tab(
    qtbot: QtBot, data_dir: Path, bundled_template: Path, windows: Started
) -> None:
    shutil.copytree(bundled_template, data_dir)
    choose_last_unit(data_dir, UNIT)
    window = start(qtbot, data_dir, windows)
    tabs = window.side_tabs
    assert not tabs.built and tabs.currentIndex() == 0  # the first screen: stand-ins
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["工作措施", "典型案例", "牵头任务和专项小组"]
    window.build_after_paint()  # as run_gui does once the window is painted
    qtbot.waitUntil(lambda: tabs.built)
    assert window.service is None, "made without waiting for the data"
    assert tabs.currentWidget() is window.detail and window.detail.placeholder.isVisible()
    assert [tabs.widget(i) for i in range(3)] == [window.detail, window.cases_panel, window.duties_panel]


def test_a_side_tab_clicked_right_after_start_shows_its_panel_with_its_content(
    qtbot: QtBot, data_dir: Path, bundled_template: Path, windows: Started
) -> None:
    shutil.copytree(bundled_template, data_dir)
    choose_last_unit(data_dir, UNIT)
    service = LiaisonService.open(data_dir)
    period = default_period(dt.date.today())  # the window's 报送期 at start
    DutiesService(service).save_case(
        UNIT, period=f"{period:%Y-%m}", kind="positive", title="企业开办一日办结"
    )
    service.close()
    window = start(qtbot, data_dir, windows)
    opening = windows[-1][1]
    assert opening is not None
    opening.start()  # the data is being opened; the panels are not made yet
    assert not window.side_tabs.built
    bar = window.side_tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())  # 典型案例
    panel = window.cases_panel
    assert window.side_tabs.currentWidget() is panel and panel.isVisible()
    qtbot.waitUntil(lambda: window.service is not None)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    assert panel.model.rows()[0].title == "企业开办一日办结"
    # and an item chosen then shows its details, back on the first tab
    index = window.index_for(window.model.tasks()[0].item.id)
    qtbot.mouseClick(
        window.tree.viewport(), Qt.MouseButton.LeftButton, pos=window.tree.visualRect(index).center()
    )
    assert window.side_tabs.currentWidget() is window.detail and window.detail.task is not None


def test_a_narrow_window_is_laid_out_on_the_first_screen_as_once_the_panels_are_made(
    qtbot: QtBot, data_dir: Path, bundled_template: Path, windows: Started, tmp_path: Path
) -> None:
    shutil.copytree(bundled_template, data_dir)
    choose_last_unit(data_dir, UNIT)
    machine = MachineSettings(tmp_path / "machine.ini")  # this computer
    first = start(qtbot, data_dir, windows, machine)
    first.side_tabs.build()  # the first start here learns how much room the panels take
    first.close()
    window = start(qtbot, data_dir, windows, machine)  # the next start
    window.resize(860, 640)  # a small screen: the side tabs are squeezed to their minimum
    qtbot.waitUntil(lambda: window.splitter.sizes()[0] < 560)
    before = window.splitter.sizes(), window.tree.viewport().size()
    window.build_after_paint()
    qtbot.waitUntil(lambda: window.side_tabs.built)
    QApplication.processEvents()
    assert (window.splitter.sizes(), window.tree.viewport().size()) == before  # nothing moved
    assert window.side_tabs.currentWidget() is window.detail


def test_a_search_typed_on_the_first_screen_filters_without_waiting(
    qtbot: QtBot, data_dir: Path, bundled_template: Path, windows: Started
) -> None:
    shutil.copytree(bundled_template, data_dir)
    choose_last_unit(data_dir, UNIT)
    window = start(qtbot, data_dir, windows)
    shown = window.proxy.rowCount()
    qtbot.keyClicks(window.search, "2019")  # (QTest cannot type Chinese: an input method does)
    assert 0 < window.proxy.rowCount() < shown
    window.as_of.setFocus()
    qtbot.keyClick(window.as_of, Qt.Key.Key_Up)  # 统计截至 one day on
    # neither the data nor the side panels were needed for that
    assert window.loading and window.service is None and not window.side_tabs.built
