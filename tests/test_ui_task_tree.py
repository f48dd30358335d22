"""The task tree as the liaison sees it (issue #18): the rows shown after filters, searches and
unit switches, groups opened and closed, and a status change that touches only its own row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from liaison_app.clock import FixedClock
from liaison_app.store.records import UnitTask, summarize
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Light, Status
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.task_model import LEVEL_ROLE, Column
from liaison_app.vocabulary import chinese_numeral
from tests.helpers import Windows, type_chinese

UNIT = "区市场监管局"
OTHER = "区城管局"
Row = tuple[int, str]  # (level, code cell): 0 area, 1 measure, 2 item


@pytest.fixture
def window(windows: Windows, clock: FixedClock) -> MainWindow:
    return windows(clock)


def choose(qtbot: QtBot, window: MainWindow, unit: str) -> None:
    """Type the unit's name over the picker's text and press Enter."""
    window.picker.lineEdit().setFocus()
    qtbot.keyClick(window.picker.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_chinese(window.picker.lineEdit(), unit)
    qtbot.keyClick(window.picker.lineEdit(), Qt.Key.Key_Return)
    assert window.unit == unit


def shown(window: MainWindow) -> list[Row]:
    """The rows the tree shows, top to bottom, walked through the view itself."""
    rows: list[Row] = []
    index = window.tree.model().index(0, 0)
    while index.isValid():
        rows.append((index.data(LEVEL_ROLE), index.data()))
        index = window.tree.indexBelow(index)
    return rows


def expected(tasks: list[UnitTask], keep: Callable[[UnitTask], bool] = lambda _t: True) -> list[Row]:
    """What the tree must show: each kept item under its measure under its area, in plan order."""
    rows: list[Row] = []
    area = measure = None
    for task in tasks:
        if not keep(task):
            continue
        item = task.item
        if item.area != area:
            area, measure = item.area, None
            rows.append((0, chinese_numeral(item.area)))
        if item.measure != measure:
            measure = item.measure
            rows.append((1, str(item.measure)))
        rows.append((2, item.id))
    return rows


def row_of(window: MainWindow, code: str) -> QModelIndex:
    index = window.index_for(code)
    assert index.isValid(), code
    return index


def click(qtbot: QtBot, window: MainWindow, index: QModelIndex, point: QPoint | None = None) -> None:
    window.tree.scrollTo(index)
    at = point if point is not None else window.tree.visualRect(index).center()
    qtbot.mouseClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=at)


def branch_arrow(window: MainWindow, index: QModelIndex) -> QPoint:
    """The middle of the arrow before an area or a measure (indented by its level)."""
    window.tree.scrollTo(index)
    cell = window.tree.visualRect(index.siblingAtColumn(Column.CODE))
    indent = window.tree.indentation()
    return QPoint(cell.left() + index.data(LEVEL_ROLE) * indent + indent // 2, cell.center().y())


def all_cells(window: MainWindow) -> list[tuple[str, ...]]:
    model = window.tree.model()
    return [
        tuple(str(model.index(row, column).data()) for column in range(model.columnCount()))
        for row in range(model.rowCount())
    ]


def test_filters_searches_and_switches_show_exactly_the_right_rows(qtbot: QtBot, window: MainWindow) -> None:
    service = window.service
    assert service is not None
    for unit, code in ((UNIT, "1.2"), (UNIT, "63.1"), (OTHER, "11.2")):
        service.update(unit, code, status=Status.IN_PROGRESS, note="知识产权 试点推进")
    choose(qtbot, window, UNIT)
    assert shown(window) == expected(service.tasks(UNIT))

    window.status_filter.setCurrentIndex(window.status_filter.findData(Status.IN_PROGRESS.value))
    assert shown(window) == expected(service.tasks(UNIT), lambda t: t.status is Status.IN_PROGRESS)
    assert [code for level, code in shown(window) if level == 2] == ["1.2", "63.1"]

    type_chinese(window.search, "知识产权")
    both = lambda t: t.status is Status.IN_PROGRESS and "知识产权" in f"{t.item.text}{t.note}"  # noqa: E731
    assert shown(window) == expected(service.tasks(UNIT), both)

    choose(qtbot, window, OTHER)  # the filters stay; the other unit's rows pass through them
    assert shown(window) == expected(service.tasks(OTHER), both) == [(0, "三"), (1, "11"), (2, "11.2")]

    window.search.clear()
    window.status_filter.setCurrentIndex(0)
    assert shown(window) == expected(service.tasks(OTHER))
    choose(qtbot, window, UNIT)
    assert shown(window) == expected(service.tasks(UNIT))


def test_a_status_change_repaints_its_row_its_groups_and_the_summary_only(
    qtbot: QtBot, window: MainWindow
) -> None:
    choose(qtbot, window, OTHER)
    service = window.service
    assert service is not None
    before = all_cells(window)
    done_before = window.summary.counts[Status.DONE.value]
    click(qtbot, window, row_of(window, "11.2"))
    assert window.detail.task is not None and window.detail.task.item.id == "11.2"

    qtbot.keyClick(window.tree, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)  # 切换进展状态
    qtbot.waitUntil(lambda: service.task(OTHER, "11.2").status is not Status.NOT_STARTED)
    status = service.task(OTHER, "11.2").status
    after = all_cells(window)
    changed = {before[row][0] for row in range(len(before)) if before[row] != after[row]}
    assert changed == {"11.2"}  # not yet done: the measure's and area's counts stay
    item = row_of(window, "11.2").row()
    assert after[item][Column.STATUS] == status.label
    assert window.summary.counts == summarize(service.tasks(OTHER), window.current_as_of())
    assert f"{Status.IN_PROGRESS.label} 1" in window.summary.label.text()

    for _ in range(len(Status)):  # round to 已完成: the measure's and the area's counts move
        if service.task(OTHER, "11.2").status is Status.DONE:
            break
        window.cycle_action.trigger()
    done = all_cells(window)
    changed = {after[row][0] for row in range(len(after)) if after[row] != done[row]}
    assert changed == {"三", "11", "11.2"}  # the item, its measure and its area: nothing else
    measure = window.tree.model().index(row_of(window, "11.2").row() - 1, Column.STATUS)
    total = sum(t.item.measure == 11 for t in service.tasks(OTHER))
    assert measure.data() == f"完成 1/{total}"
    assert window.summary.counts[Status.DONE.value] == done_before + 1
    assert window.summary.counts == summarize(service.tasks(OTHER), window.current_as_of())


def test_groups_open_and_close_by_mouse_keyboard_and_menu(qtbot: QtBot, window: MainWindow) -> None:
    choose(qtbot, window, UNIT)
    service = window.service
    assert service is not None
    everything = expected(service.tasks(UNIT))
    measure = window.tree.model().index(row_of(window, "1.2").row() - 2, 0)  # measure 1 (1.1, 1.2)
    assert (measure.data(LEVEL_ROLE), measure.data()) == (1, "1")

    click(qtbot, window, measure, branch_arrow(window, measure))
    assert shown(window) == [row for row in everything if row not in ((2, "1.1"), (2, "1.2"))]
    assert window.detail.task is None  # the arrow opens and closes; it does not select
    click(qtbot, window, measure, branch_arrow(window, measure))
    assert shown(window) == everything

    click(qtbot, window, row_of(window, "1.2"))  # ← on an item goes to its measure, ← closes it
    qtbot.keyClick(window.tree, Qt.Key.Key_Left)
    assert window.tree.currentIndex().row() == measure.row()
    qtbot.keyClick(window.tree, Qt.Key.Key_Left)
    assert (2, "1.1") not in shown(window)
    qtbot.keyClick(window.tree, Qt.Key.Key_Right)  # → opens it, → again goes to its first item
    assert shown(window) == everything
    qtbot.keyClick(window.tree, Qt.Key.Key_Right)
    assert window.selected_task() is not None and window.selected_task().item.id == "1.1"

    area = window.tree.model().index(0, 0)
    qtbot.mouseDClick(
        window.tree.viewport(), Qt.MouseButton.LeftButton, pos=window.tree.visualRect(area).center()
    )
    areas = [row for row in everything if row[0] == 0]
    assert shown(window)[:2] == areas[:2]  # area 一 closed: the next area follows at once
    menu = {a.text(): a for a in window.findChildren(QAction)}
    menu["全部折叠"].trigger()
    assert shown(window) == areas
    menu["全部展开"].trigger()
    assert shown(window) == everything


def test_the_selected_item_stays_selected_through_filters_and_closed_groups(
    qtbot: QtBot, window: MainWindow
) -> None:
    choose(qtbot, window, UNIT)
    click(qtbot, window, row_of(window, "63.1"))
    first = window.tree.model().index(0, 0)
    click(qtbot, window, first, branch_arrow(window, first))  # area 一 closes above the item
    assert window.selected_task() is not None and window.selected_task().item.id == "63.1"
    window.role_filter.setCurrentIndex(window.role_filter.findData(window.selected_task().role))
    assert window.selected_task() is not None and window.selected_task().item.id == "63.1"
    assert window.detail.task is not None and window.detail.task.item.id == "63.1"
    assert window.tree.currentIndex() == window.index_for("63.1")


def test_an_item_edited_out_of_the_filter_leaves_the_tree(qtbot: QtBot, window: MainWindow) -> None:
    choose(qtbot, window, OTHER)
    service = window.service
    assert service is not None
    window.status_filter.setCurrentIndex(window.status_filter.findData(Status.NOT_STARTED.value))
    assert (2, "11.2") in shown(window)
    click(qtbot, window, row_of(window, "11.2"))
    window.cycle_action.trigger()  # 未启动 → the next status: no longer passes the filter
    assert service.task(OTHER, "11.2").status is not Status.NOT_STARTED
    assert shown(window) == expected(service.tasks(OTHER), lambda t: t.status is Status.NOT_STARTED)
    assert (2, "11.2") not in shown(window)
    window.status_filter.setCurrentIndex(0)
    assert (2, "11.2") in shown(window)


def test_the_as_of_date_moves_the_light_filter_with_it(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtCore import QDate

    from liaison_app.store.status import Light

    choose(qtbot, window, UNIT)
    service = window.service
    assert service is not None
    window.light_filter.setCurrentIndex(window.light_filter.findData(Light.OVERDUE.value))
    for day in (dt.date(2019, 6, 1), dt.date(2020, 6, 1), dt.date(2019, 12, 1)):
        window.as_of.setDate(QDate(day.year, day.month, day.day))
        assert shown(window) == expected(service.tasks(UNIT), lambda t, d=day: t.light(d) is Light.OVERDUE)


def test_the_tree_and_the_table_models_answer_headers_from_one_place(window: MainWindow) -> None:
    """The column titles come from ``horizontal_header`` for the tree and every table model."""
    from liaison_app.ui.rows_model import Column as RowsColumn
    from liaison_app.ui.rows_model import HeadedRowsModel, RowsModel, horizontal_header
    from liaison_app.ui.task_model import HEADERS

    horizontal, vertical, display = (
        Qt.Orientation.Horizontal,
        Qt.Orientation.Vertical,
        Qt.ItemDataRole.DisplayRole,
    )
    assert horizontal_header(["甲", "乙"], 1, horizontal, display) == "乙"
    assert horizontal_header(["甲", "乙"], 2, horizontal, display) is None
    assert horizontal_header(["甲", "乙"], -1, horizontal, display) is None
    assert horizontal_header(["甲", "乙"], 0, vertical, display) is None
    assert horizontal_header(["甲", "乙"], 0, horizontal, Qt.ItemDataRole.ToolTipRole) is None

    tree = window.model
    assert [tree.headerData(c, horizontal) for c in range(len(Column))] == [HEADERS[c] for c in Column]
    assert tree.headerData(len(Column), horizontal) is None
    assert tree.headerData(0, vertical) is None
    shown = window.tree.model()
    assert [shown.headerData(c, horizontal) for c in range(len(Column))] == [HEADERS[c] for c in Column]

    rows: RowsModel[str] = RowsModel([RowsColumn("名称", str), RowsColumn("长度", len)])
    assert [rows.headerData(c, horizontal) for c in range(3)] == ["名称", "长度", None]

    class Headed(HeadedRowsModel[str]):
        HEADERS = ("日期", "说明")

    headed = Headed()
    assert [headed.headerData(c, horizontal) for c in range(3)] == ["日期", "说明", None]
    assert headed.headerData(0, vertical) is None


def test_the_summary_counts_what_summarize_counts_through_switches_and_dates(
    qtbot: QtBot, window: MainWindow
) -> None:
    from PySide6.QtCore import QDate

    service = window.service
    assert service is not None
    service.update(UNIT, "1.1", status=Status.DONE, completed_on=dt.date(2020, 2, 1))  # after its milestone
    service.update(UNIT, "1.2", status=Status.DONE, completed_on=dt.date(2019, 11, 20))
    service.update(UNIT, "2", status=Status.ONGOING)
    service.update(UNIT, "3.1", status=Status.BLOCKED, note="待协调")
    ticked = next(t for t in service.tasks(UNIT) if t.milestones and t.status is Status.NOT_STARTED)
    service.tick_milestone(UNIT, ticked.item.id, 1, dt.date(2019, 11, 10))
    seen: set[str] = set()
    for day in (dt.date(2019, 6, 1), dt.date(2019, 12, 1), dt.date(2020, 6, 1)):
        window.as_of.setDate(QDate(day.year, day.month, day.day))
        for unit in (UNIT, OTHER, UNIT):
            choose(qtbot, window, unit)
            counts = summarize(service.tasks(unit), day)
            assert window.summary.counts == counts, (unit, day)
            assert f"逾期 {counts['overdue']}" in window.summary.label.text()
            seen.update(key for key in ("overdue", "due_soon", "done_late") if counts[key])
    assert seen == {"overdue", "due_soon", "done_late"}  # every light was counted at least once


def test_a_change_made_elsewhere_shows_when_the_unit_is_shown_again(
    qtbot: QtBot, window: MainWindow, data_dir: Path, clock: FixedClock
) -> None:
    choose(qtbot, window, UNIT)
    assert row_of(window, "1.2").siblingAtColumn(Column.STATUS).data() == Status.NOT_STARTED.label
    elsewhere = LiaisonService.open(data_dir, clock=clock, actor="另一个进程")  # as the CLI would
    try:
        elsewhere.update(UNIT, "1.2", status=Status.BLOCKED, note="另一处写的")
    finally:
        elsewhere.close()
    choose(qtbot, window, OTHER)
    choose(qtbot, window, UNIT)
    assert row_of(window, "1.2").siblingAtColumn(Column.STATUS).data() == Status.BLOCKED.label
    assert window.summary.counts[Status.BLOCKED.value] == 1


def test_a_switch_holds_the_collector_off_only_while_it_builds(qtbot: QtBot, window: MainWindow) -> None:
    import gc

    from liaison_app.ui.task_model import collector_paused

    seen: list[bool] = []
    service = window.service
    assert service is not None
    reading = service.tasks

    def tasks(unit: str) -> list[UnitTask]:  # the service's own read, noting the collector
        seen.append(gc.isenabled())
        return reading(unit)

    service.tasks = tasks  # type: ignore[method-assign]
    choose(qtbot, window, UNIT)
    assert seen == [False] and gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves it to the outer one
        raise RuntimeError("a failed read")
    assert gc.isenabled()
    gc.disable()  # as during start-up: a switch does not turn it on
    try:
        choose(qtbot, window, OTHER)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_every_cell_shows_its_text_colour_weight_alignment_and_tip(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from PySide6.QtCore import QDate

    from tests.helpers import make_file

    service = window.service
    assert service is not None
    service.update(UNIT, "1.1", status=Status.DONE, completed_on=dt.date(2020, 2, 1))
    service.update(UNIT, "1.2", status=Status.BLOCKED, note="待协调")
    service.attach(UNIT, "1.2", make_file(tmp_path, "照片.jpg"))
    choose(qtbot, window, UNIT)
    model = window.tree.model()
    R = Qt.ItemDataRole
    lights: set[Light] = set()
    for day in (dt.date(2019, 12, 1), dt.date(2020, 1, 15)):  # 临期 on the first, 逾期 on the second
        window.as_of.setDate(QDate(day.year, day.month, day.day))
        lights.update(check_every_cell(model, day))
    assert {Light.OVERDUE, Light.DUE_SOON, Light.ON_TRACK, Light.DONE_LATE} <= lights
    blocked = row_of(window, "1.2")
    assert blocked.siblingAtColumn(Column.TEXT).data(R.ToolTipRole).endswith("进展情况:待协调")
    assert blocked.siblingAtColumn(Column.EVIDENCE).data() == "1"


def check_every_cell(model: Any, as_of: dt.date) -> set[Light]:
    """Assert what each cell of the tree answers for every role it is painted with; the lights seen."""
    from liaison_app.ui.task_model import LIGHT_COLOURS, TASK_ROLE
    from liaison_app.vocabulary import Role

    R = Qt.ItemDataRole
    lights: set[Light] = set()
    for row in range(model.rowCount()):
        level = model.index(row, 0).data(LEVEL_ROLE)
        task = model.index(row, 0).data(TASK_ROLE)
        for column in Column:
            cell = model.index(row, column)
            assert cell.data(R.CheckStateRole) is None
            font, tip = cell.data(R.FontRole), cell.data(R.ToolTipRole)
            alignment, background = cell.data(R.TextAlignmentRole), cell.data(R.BackgroundRole)
            foreground = cell.data(R.ForegroundRole)
            if task is None:  # an area (bold throughout) or a measure
                assert (font is not None and font.bold()) == (level == 0)
                assert alignment is None and background is None
                assert (foreground is not None) == (column == Column.LIGHT)
                assert (tip is not None) == (column == Column.TEXT)
                continue
            light = task.light(as_of)
            lights.add(light)
            back, fore = LIGHT_COLOURS[light]
            text = {
                Column.CODE: task.item.id,
                Column.ROLE: Role(task.role).label,
                Column.DEADLINE: task.item.deadline.isoformat() if task.item.deadline else "—",
                Column.STATUS: task.status.label,
                Column.EVIDENCE: str(task.evidence) if task.evidence else "",
                Column.LIGHT: "—" if light is Light.ON_TRACK and task.item.deadline is None else light.label,
            }
            if column in text:
                assert cell.data() == text[column], (task.item.id, column)
            assert (font is not None and font.bold()) == (column == Column.ROLE and task.role == "lead")
            assert (alignment == Qt.AlignmentFlag.AlignCenter) == (column in (Column.EVIDENCE, Column.LIGHT))
            if column == Column.LIGHT:
                assert (background.color() if background is not None else None) == back
                assert foreground.color() == fore
                assert (tip is not None) == (light is Light.DONE_LATE)
            else:
                assert background is None and foreground is None
                assert (tip is not None) == (column == Column.TEXT)
    # each area's and measure's progress: done/total and overdue of the items under it
    tasks = [model.index(row, 0).data(TASK_ROLE) for row in range(model.rowCount())]
    groups = [row for row, task in enumerate(tasks) if task is None]
    levels = {row: model.index(row, 0).data(LEVEL_ROLE) for row in groups}
    for row in groups:  # a group holds the items down to the next group of its level or above
        end = next((r for r in groups if r > row and levels[r] <= levels[row]), len(tasks))
        below = [t for t in tasks[row + 1 : end] if t is not None]
        done = sum(t.status is Status.DONE for t in below)
        overdue = sum(t.light(as_of) is Light.OVERDUE for t in below)
        assert model.index(row, Column.STATUS).data() == f"完成 {done}/{len(below)}"
        assert model.index(row, Column.LIGHT).data() == (f"逾期 {overdue}" if overdue else "")
    return lights
