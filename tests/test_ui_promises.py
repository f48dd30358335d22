"""Milestones and targets in the detail pane, driven with the mouse and keyboard (#15)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from liaison_app.clock import FixedClock
from liaison_app.store.status import Light, Status
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.milestones_panel import OVERDUE_TEXT, MilestonesModel
from liaison_app.ui.rows_model import RECORD_ROLE
from liaison_app.ui.targets_panel import TargetsModel
from tests.helpers import Windows, choose_unit, type_chinese

WindowAt = Callable[[dt.date], MainWindow]
FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal


@pytest.fixture
def window_at(windows: Windows) -> WindowAt:
    return lambda day: windows(FixedClock(dt.datetime.combine(day, dt.time(9))), size=(1400, 1000))


def click_check(qtbot: QtBot, view: QTableView, row: int) -> None:
    """Click the tick box of a row the way a user does (on the box, at the left of the cell)."""
    rect = view.visualRect(view.model().index(row, MilestonesModel.DONE))
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 12, rect.center().y())
    )


def test_the_pane_shows_the_overdue_first_milestone_and_a_tick_clears_it(
    qtbot: QtBot, window_at: WindowAt
) -> None:
    window = window_at(dt.date(2020, 1, 15))
    choose_unit(qtbot, window, "市场监管", "区市场监管局")
    assert window.select_item("63.1")
    panel = window.detail.milestones
    model = panel.model
    QAbstractItemModelTester(model, FATAL)
    assert panel.isVisible() and model.rowCount() == 2
    assert model.index(0, MilestonesModel.DONE_ON).data() == "逾期未完成"
    assert model.index(0, MilestonesModel.TEXT).data(Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_TEXT
    assert model.index(0, MilestonesModel.TEXT).data(Qt.ItemDataRole.FontRole).bold()  # the next open one
    assert "已逾期" in panel.summary.text()
    assert (
        window.selected_task() is not None
        and window.selected_task().light(dt.date(2020, 1, 15)) is Light.OVERDUE
    )

    panel.done_date.setFocus()  # done on the 10th: retype the day of 完成日期
    for key in (Qt.Key.Key_End, Qt.Key.Key_Backspace, Qt.Key.Key_Backspace):
        qtbot.keyClick(panel.done_date, key)
    qtbot.keyClicks(panel.done_date, "10")
    click_check(qtbot, panel.view, 0)

    task = window.service.task("区市场监管局", "63.1")
    assert [m.done_on for m in task.milestones] == [dt.date(2020, 1, 10), None]
    assert task.status is Status.IN_PROGRESS
    assert model.index(0, MilestonesModel.DONE).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert model.index(1, MilestonesModel.TEXT).data(Qt.ItemDataRole.FontRole).bold()  # now the second
    assert window.selected_task().light(dt.date(2020, 1, 15)) is Light.ON_TRACK  # the tree follows

    click_check(qtbot, panel.view, 1)  # the last one: the item is done
    assert window.service.task("区市场监管局", "63.1").status is Status.DONE
    assert Status(window.detail.status.currentData()) is Status.DONE


def test_each_panel_shows_only_when_the_item_has_something_to_show(qtbot: QtBot, window_at: WindowAt) -> None:
    window = window_at(dt.date(2019, 11, 20))
    choose_unit(qtbot, window, "城管局", "区城管局")
    detail = window.detail
    assert window.select_item("16")  # one target, no milestone; 区城管局 leads it
    assert not detail.milestones.isVisible() and detail.targets.isVisible()
    assert detail.targets.entry.isVisible() and not detail.targets.coop_note.isVisible()
    assert window.select_item("18")  # neither
    assert not detail.milestones.isVisible() and not detail.targets.isVisible()
    assert window.select_item("20")  # a target of an item 区城管局 cooperates on
    assert not detail.targets.entry.isVisible() and detail.targets.coop_note.isVisible()


def test_a_lead_unit_enters_a_figure_and_sees_met_or_not_and_the_trend(
    qtbot: QtBot, window_at: WindowAt
) -> None:
    window = window_at(dt.date(2019, 11, 20))
    choose_unit(qtbot, window, "供电", "南岸供电公司")
    assert window.select_item("13")
    panel = window.detail.targets
    QAbstractItemModelTester(panel.model, FATAL)
    verdict = panel.model.index(0, TargetsModel.VERDICT)
    assert panel.model.index(0, TargetsModel.GOAL).data() == "≥ 99.96 %"
    assert verdict.data() == "未填报"

    qtbot.mouseClick(
        panel.view.viewport(), Qt.MouseButton.LeftButton, pos=panel.view.visualRect(verdict).center()
    )
    qtbot.keyClicks(panel.value, "99.90")
    type_chinese(panel.source, "供电公司月报")
    qtbot.mouseClick(panel.save, Qt.MouseButton.LeftButton)

    state = window.service.task("南岸供电公司", "13").targets[0]
    assert [(a.period, a.value, a.source) for a in state.actuals] == [
        ("2019-11", Decimal("99.90"), "供电公司月报")
    ]
    verdict = panel.model.index(0, TargetsModel.VERDICT)
    assert verdict.data() == "未达标"
    assert verdict.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"
    assert "未达标" in panel.message.text() and panel.value.text() == ""

    qtbot.keyClicks(panel.value, "101")
    qtbot.keyClick(panel.value, Qt.Key.Key_Return)
    assert "百分比不能超过 100%" in panel.message.text()
    assert len(window.service.task("南岸供电公司", "13").targets[0].actuals) == 1  # nothing written

    panel.value.clear()
    qtbot.keyClicks(panel.value, "99.97")
    qtbot.keyClick(panel.value, Qt.Key.Key_Return)  # same period: corrected
    verdict = panel.model.index(0, TargetsModel.VERDICT)
    assert verdict.data() == "达标"
    assert panel.model.index(0, TargetsModel.ACTUAL).data() == "99.97 %"


def test_the_trend_lists_every_period(qtbot: QtBot, window_at: WindowAt) -> None:
    window = window_at(dt.date(2019, 12, 5))
    window.service.record_actual("南岸供电公司", "13", "13-t1", "99.95", period="2019-10")
    window.service.record_actual("南岸供电公司", "13", "13-t1", "99.97", period="2019-11")
    choose_unit(qtbot, window, "供电", "南岸供电公司")
    assert window.select_item("13")
    trend = window.detail.targets.model.index(0, TargetsModel.TREND).data()
    assert trend == "2019-10: 99.95 → 2019-11: 99.97 ↑"


def test_a_cooperating_unit_sees_the_figures_but_cannot_enter_them(qtbot: QtBot, window_at: WindowAt) -> None:
    window = window_at(dt.date(2019, 11, 20))
    window.service.record_actual("南岸供电公司", "13", "13-t1", "99.90", period="2019-11")
    choose_unit(qtbot, window, "经济信息", "区经济信息委")
    assert window.select_item("13")
    panel = window.detail.targets
    assert not panel.entry.isVisible() and panel.coop_note.isVisible()
    assert panel.model.index(0, TargetsModel.VERDICT).data() == "未达标"


def assert_shows_every_row(view: QTableView) -> None:
    model = view.model()
    last = view.visualRect(model.index(model.rowCount() - 1, 0))
    assert model.rowCount() > 0 and 0 < last.bottom() < view.viewport().height()
    assert view.verticalScrollBar().maximum() == 0  # nothing hidden below


def test_the_milestone_table_shows_every_row_and_hands_back_the_row(
    qtbot: QtBot, window_at: WindowAt
) -> None:
    window = window_at(dt.date(2020, 1, 15))
    choose_unit(qtbot, window, "市场监管", "区市场监管局")
    assert window.select_item("63.1")  # two milestones whose long texts wrap
    milestones = window.detail.milestones
    assert_shows_every_row(milestones.view)
    assert milestones.model.index(1, MilestonesModel.TEXT).data(RECORD_ROLE) is milestones.model.milestone(1)


def test_the_target_table_shows_every_row_and_hands_back_the_row(qtbot: QtBot, window_at: WindowAt) -> None:
    window = window_at(dt.date(2019, 11, 20))
    choose_unit(qtbot, window, "供电", "南岸供电公司")
    assert window.select_item("13")
    targets = window.detail.targets
    assert_shows_every_row(targets.view)
    assert targets.model.index(0, TargetsModel.GOAL).data(RECORD_ROLE) is targets.model.state(0)
