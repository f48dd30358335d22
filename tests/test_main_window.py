"""The real window, driven offscreen the way a liaison uses it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QKeySequence
from pytestqt.qtbot import QtBot

from liaison_app.clock import FixedClock
from liaison_app.store.status import Light, Status
from liaison_app.ui.detail_pane import NOTE_SAVE_DELAY_MS
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.unit_picker import UNIT_NAME_ROLE
from tests.helpers import Windows, choose_unit, type_chinese, visible_codes

WindowFactory = Callable[[], MainWindow]


@pytest.fixture
def open_window(windows: Windows, clock: FixedClock) -> WindowFactory:
    """Open a window on the test's data folder; each call is a fresh start of the app."""
    return lambda: windows(clock)


def test_first_run_has_no_unit_and_says_so(open_window: WindowFactory) -> None:
    window = open_window()
    assert window.unit == ""
    assert window.proxy.rowCount() == 0
    assert "请先在上方选择本单位" in window.empty_hint.text()


def test_pick_a_unit_by_typing_and_see_exactly_its_items(
    qtbot: QtBot,
    open_window: WindowFactory,
) -> None:
    window = open_window()
    choose_unit(qtbot, window, "城管", "区城管局")
    assert window.unit == "区城管局"
    codes = visible_codes(window)
    assert "11.2" in codes and "11.1" not in codes
    assert codes == [t.item.id for t in window.service.tasks("区城管局")]
    assert "区城管局" in window.windowTitle()
    assert window.summary.counts["total"] == len(codes)


def test_unit_picker_is_grouped_and_searches_aliases(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    picker = window.picker
    headings = [picker.itemText(r) for r in range(picker.count()) if not picker.itemData(r, UNIT_NAME_ROLE)]
    assert headings[:3] == ["—— 区级部门 ——", "—— 经开区部门 ——", "—— 法院和检察院 ——"]
    type_chinese(picker.lineEdit(), "招商投资")
    offered = [picker._search.index(r, 0).data(UNIT_NAME_ROLE) for r in range(picker._search.rowCount())]
    assert offered == ["区政府外办(区招商投资局)"]


def test_changes_are_saved_at_once_and_survive_a_restart(
    qtbot: QtBot,
    open_window: WindowFactory,
    quick_autosave: int,
) -> None:
    window = open_window()
    choose_unit(qtbot, window, "城管局", "区城管局")
    assert window.select_item("11.2")
    detail = window.detail
    detail.status.setCurrentIndex(detail.status.findData(Status.IN_PROGRESS.value))
    detail.status.activated.emit(detail.status.currentIndex())
    assert window.service.task("区城管局", "11.2").status is Status.IN_PROGRESS
    assert window.saved_label.text().startswith("已保存")

    detail.note.setFocus()
    type_chinese(detail.note, "已完成红线外接入审批简化")
    qtbot.waitUntil(
        lambda: window.service.task("区城管局", "11.2").note != "", timeout=NOTE_SAVE_DELAY_MS * 5
    )
    assert window.service.task("区城管局", "11.2").note == "已完成红线外接入审批简化"
    window.close()

    again = open_window()
    assert again.unit == "区城管局"  # the last unit is remembered
    assert again.select_item("11.2")
    assert Status(again.detail.status.currentData()) is Status.IN_PROGRESS
    assert again.detail.note.toPlainText() == "已完成红线外接入审批简化"
    row = again.tree.currentIndex()
    assert row.siblingAtColumn(4).data() == "推进中"


def test_closing_saves_a_note_still_being_typed(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    choose_unit(qtbot, window, "城管局", "区城管局")
    window.select_item("16")
    window.detail.note.setFocus()
    type_chinese(window.detail.note, "刚打的字")
    window.close()  # before the pause timer fires
    assert window.service.task("区城管局", "16").note == "刚打的字"


def test_switching_items_saves_the_pending_note(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    choose_unit(qtbot, window, "城管局", "区城管局")
    window.select_item("16")
    type_chinese(window.detail.note, "甲")
    window.select_item("11.2")
    assert window.service.task("区城管局", "16").note == "甲"
    assert window.detail.note.toPlainText() == ""


def test_marking_done_sets_the_completion_date(
    qtbot: QtBot, open_window: WindowFactory, clock: FixedClock
) -> None:
    window = open_window()
    choose_unit(qtbot, window, "城管局", "区城管局")
    window.select_item("16")
    detail = window.detail
    detail.status.setCurrentIndex(detail.status.findData(Status.DONE.value))
    detail.status.activated.emit(detail.status.currentIndex())
    assert detail.completed.date() == dt.date(2019, 11, 20)
    detail.completed.edit.selectAll()
    qtbot.keyClicks(detail.completed.edit, "2019-11-18")
    qtbot.keyClick(detail.completed.edit, Qt.Key.Key_Return)
    assert window.service.task("区城管局", "16").completed_on == dt.date(2019, 11, 18)


def test_undo_restores_the_previous_status(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    choose_unit(qtbot, window, "城管局", "区城管局")
    window.select_item("16")
    window.cycle_action.trigger()  # Ctrl+E: 未启动 → 推进中
    assert window.service.task("区城管局", "16").status is Status.IN_PROGRESS
    window.cycle_action.trigger()  # → 已完成
    assert window.service.task("区城管局", "16").status is Status.DONE
    window.undo_action.trigger()
    task = window.service.task("区城管局", "16")
    assert task.status is Status.IN_PROGRESS and task.completed_on is None
    assert Status(window.detail.status.currentData()) is Status.IN_PROGRESS
    window.undo_action.trigger()
    assert window.service.task("区城管局", "16").status is Status.NOT_STARTED
    window.redo_action.trigger()
    assert window.service.task("区城管局", "16").status is Status.IN_PROGRESS
    history = window.detail.history_model
    # in_progress(1) done(+date: 2) undo(2) undo(1) redo(1): every write is in the history
    assert history.rowCount() == len(window.service.history("区城管局", "16")) == 7
    assert history.index(0, 1).data() == "状态:未启动 → 推进中"


def test_undo_of_a_note(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    choose_unit(qtbot, window, "城管局", "区城管局")
    window.select_item("16")
    type_chinese(window.detail.note, "第一稿")
    window.detail.flush_note()
    window.undo_action.trigger()
    assert window.service.task("区城管局", "16").note == ""
    assert window.detail.note.toPlainText() == ""


def test_filters_and_search_narrow_the_tree(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    choose_unit(qtbot, window, "市场监管", "区市场监管局")
    everything = visible_codes(window)
    window.as_of.setDate(QDate(2020, 1, 15))
    window.light_filter.setCurrentIndex(window.light_filter.findData(Light.OVERDUE.value))
    overdue = visible_codes(window)
    assert overdue and set(overdue) < set(everything)
    # the light follows the next open milestone: 63.1 is overdue on its 2019 step (#15)
    assert all(window.service.task("区市场监管局", c).due < dt.date(2020, 1, 15) for c in overdue)
    assert "63.1" in overdue
    window.light_filter.setCurrentIndex(0)
    window.role_filter.setCurrentIndex(window.role_filter.findData("coop"))
    assert {window.service.task("区市场监管局", c).role for c in visible_codes(window)} == {"coop"}
    window.role_filter.setCurrentIndex(0)
    type_chinese(window.search, "知识产权")
    found = visible_codes(window)
    assert found and all("知识产权" in window.service.task("区市场监管局", c).item.text for c in found)
    window.search.clear()
    assert visible_codes(window) == everything


def test_as_of_date_moves_the_lights(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    choose_unit(qtbot, window, "城管局", "区城管局")
    window.as_of.setDate(QDate(2019, 12, 15))
    index = window.index_for("11.2")
    assert index.siblingAtColumn(6).data() == "临期"
    window.as_of.setDate(QDate(2020, 1, 2))
    assert index.siblingAtColumn(6).data() == "逾期"
    assert window.summary.counts["overdue"] >= 1


def test_window_layout_is_remembered(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    window.splitter.setSizes([500, 700])
    share = window.splitter.sizes()[0] / sum(window.splitter.sizes())
    window.close()
    again = open_window()
    # the offscreen screen may clamp the restored window size; the split must keep its share
    sizes = again.splitter.sizes()
    assert abs(sizes[0] / sum(sizes) - share) < 0.02
    assert abs(share - 0.5) > 0.05  # not just the default split


def test_keyboard_shortcuts(qtbot: QtBot, open_window: WindowFactory) -> None:
    window = open_window()
    choose_unit(qtbot, window, "城管局", "区城管局")
    shortcuts = {a.text(): a.shortcut() for a in window.findChildren(QAction)}
    assert shortcuts["查找"] == QKeySequence(QKeySequence.StandardKey.Find)
    assert shortcuts["切换进展状态"] == QKeySequence("Ctrl+E")
    assert window.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    window.tree.setFocus()
    shortcuts_action = next(a for a in window.findChildren(QAction) if a.text() == "查找")
    shortcuts_action.trigger()
    assert window.focusWidget() is window.search
    # arrows move through the items: the tree has the keyboard after a click on it
    window.select_item("11.2")
    window.tree.setFocus()
    for _ in range(3):  # the headings of area 四 and measure 16, then item 16
        qtbot.keyClick(window.tree, Qt.Key.Key_Down)
    task = window.selected_task()
    assert task is not None and task.item.id == "16"
    assert window.detail.task is not None and window.detail.task.item.id == "16"


def test_the_window_shows_before_the_database_libraries_load() -> None:
    """Start-up shows the window first: its modules must not pull in SQLAlchemy or openpyxl
    (they load with the data, right after the first paint)."""
    import subprocess
    import sys

    code = (
        "import sys; from liaison_app.app import make_application; make_application(); "
        "import liaison_app.ui.main_window; "
        "print(sorted(m for m in ('sqlalchemy', 'openpyxl', 'alembic') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
