"""The Qt item models on real data, checked by QAbstractItemModelTester."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex
from PySide6.QtTest import QAbstractItemModelTester
from pytestqt.qtbot import QtBot

from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Light, Status
from liaison_app.ui.history_model import HistoryModel
from liaison_app.ui.task_filter import TaskFilterProxy
from liaison_app.ui.task_model import KIND_ROLE, TASK_ROLE, Column, Kind, TaskTreeModel

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal


def all_codes(model, parent: QModelIndex = QModelIndex()) -> list[str]:
    codes = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        task = index.data(TASK_ROLE)
        if task is not None:
            codes.append(task.item.id)
        codes += all_codes(model, index)
    return codes


def test_tree_model_passes_the_tester(qtbot: QtBot, service: LiaisonService) -> None:
    model = TaskTreeModel()
    tester = QAbstractItemModelTester(model, FATAL)
    model.set_tasks("区市场监管局", service.tasks("区市场监管局"), dt.date(2019, 12, 1))
    assert all_codes(model) == [t.item.id for t in service.tasks("区市场监管局")]
    area = model.index(0, 0)
    assert area.data(KIND_ROLE) == Kind.AREA and area.data() == "一"
    measure = model.index(0, 0, area)
    assert measure.data(KIND_ROLE) == Kind.MEASURE
    model.set_as_of(dt.date(2020, 6, 1))
    task = service.update("区市场监管局", "1.1", status=Status.DONE)
    model.update_task(task)
    status_cell = model.index(0, Column.STATUS, area)
    assert status_cell.data().startswith("完成 1/")
    model.set_tasks("区公安分局", service.tasks("区公安分局"), dt.date(2019, 12, 1))
    del tester


def test_update_emits_targeted_data_changed(qtbot: QtBot, service: LiaisonService) -> None:
    model = TaskTreeModel()
    model.set_tasks("区城管局", service.tasks("区城管局"), dt.date(2019, 12, 1))
    task = service.update("区城管局", "11.2", status=Status.IN_PROGRESS)
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.update_task(task)
    top_left, bottom_right = blocker.args[0], blocker.args[1]
    assert top_left.data(TASK_ROLE).item.id == "11.2"
    assert top_left.row() == bottom_right.row()
    with qtbot.assertNotEmitted(model.modelReset):
        model.update_task(service.update("区城管局", "11.2", note="甲"))


def test_filter_proxy_passes_the_tester_and_filters(qtbot: QtBot, service: LiaisonService) -> None:
    model = TaskTreeModel()
    proxy = TaskFilterProxy()
    proxy.setSourceModel(model)
    tester = QAbstractItemModelTester(proxy, FATAL)
    unit = "区市场监管局"
    service.update(unit, "1.2", status=Status.DONE, note="杨家坪试点已验收")
    model.set_tasks(unit, service.tasks(unit), dt.date(2020, 1, 15))
    everything = all_codes(proxy)

    proxy.set_filters(role="coop")
    coop = all_codes(proxy)
    assert coop and all(next(t for t in service.tasks(unit) if t.item.id == c).role == "coop" for c in coop)
    assert len(coop) < len(everything)

    proxy.set_filters(status=Status.DONE)
    assert all_codes(proxy) == ["1.2"]

    proxy.set_filters(light=Light.OVERDUE)
    overdue = all_codes(proxy)
    assert "2" in overdue and "1.2" not in overdue  # done is never red

    proxy.set_filters(text="试点 验收")  # words of the note only, in any order
    assert all_codes(proxy) == ["1.2"]
    proxy.set_filters(text="不存在的词")
    assert proxy.rowCount() == 0
    proxy.set_filters()
    assert all_codes(proxy) == everything
    del tester


def test_history_model(qtbot: QtBot, service: LiaisonService) -> None:
    model = HistoryModel()
    tester = QAbstractItemModelTester(model, FATAL)
    service.update("区城管局", "16", status=Status.IN_PROGRESS)
    model.set_entries(service.history("区城管局", "16"))
    assert model.rowCount() == 1
    assert model.index(0, 1).data() == "状态:未启动 → 推进中"
    assert model.index(0, 2).data() == "测试联络员"
    del tester
