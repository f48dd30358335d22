"""文件 → 导入工作方案…: the review dialog, 确认导入, and the plan switcher, clicked offscreen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QListWidget
from pytestqt.qtbot import QtBot

from liaison_app.clock import FixedClock
from liaison_app.store import plans
from liaison_app.store.service import LiaisonService
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.workers import ImmediateRunner
from tests.helpers import first_start
from tests.plan_tables import write_2020_table


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, clock: FixedClock) -> Iterator[MainWindow]:
    first_start(data_dir)  # the bundled plan's first start, copied (~0.4 s to create)
    service = LiaisonService.open(data_dir, clock=clock, actor="联络员甲")
    win = MainWindow(service, runner=ImmediateRunner())
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    service.close()


def choose_file(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def test_review_then_confirm_loads_the_plan_and_the_window_follows_it(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert not window.plan_switcher.isVisible()  # one plan: no switcher
    choose_file(monkeypatch, write_2020_table(tmp_path / "南岸区2020年任务分解表.xlsx"))
    window.import_plan_action.trigger()
    assert window.plans is not None
    dialog = window.plans.dialog
    assert dialog is not None and dialog.isVisible()
    assert "工作措施 10 条" in dialog.findChild(type(dialog.blocking), "plan_import_summary").text()
    assert len(plans.list_plans(window._service().database)) == 1  # nothing written before 确认导入
    repairs = dialog.findChild(QListWidget, "plan_import_anomalies")
    said = [repairs.item(i).text() for i in range(repairs.count()) if "区发改委" in repairs.item(i).text()]
    assert said and all("窗口中在“单位”表的“对应”栏选择" in line for line in said)  # the window's way first
    choice = dialog.alias_choices["区发改委"]
    choice.setCurrentIndex(choice.findData("区发展改革委"))  # map it; the others stay new units
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)

    service = window._service()
    assert [p.plan_id for p in plans.list_plans(service.database)][-1] == service.plan_id
    assert service.plan_info().items == 10
    assert "区发改委" not in {u.name for u in service.units()}
    qtbot.waitUntil(window.plan_switcher.isVisible, timeout=2000)
    assert window.plan_switcher.count() == 2
    assert "南岸区2020年优化营商环境重点任务分解表" in window.windowTitle()

    window.show_unit("区市场监管局")
    assert window.model.rowCount() > 0
    codes = [t.item.id for t in window.model.tasks()]
    assert codes == ["1.1", "1.2", "2.1", "2.2"]

    # back to the 2019 plan through the switcher
    assert window.plan_switcher.findData("nanan-2019") == 0
    qtbot.keyClick(window.plan_switcher, Qt.Key.Key_Up)  # the 2019 plan is listed first
    assert service.plan_id == "nanan-2019" and len(service.catalog()) == 162
    assert len(window.model.tasks()) > 4


def test_cancel_changes_nothing(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    choose_file(monkeypatch, write_2020_table(tmp_path / "表.xlsx"))
    window.import_plan_action.trigger()
    assert window.plans is not None and window.plans.dialog is not None
    qtbot.mouseClick(window.plans.dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert len(plans.list_plans(window._service().database)) == 1


def test_a_file_that_is_not_a_plan_is_explained(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QMessageBox

    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a: said.append(text))
    junk = tmp_path / "通知.txt"
    junk.write_text("请各单位于本周五前报送材料。\n", encoding="utf-8")
    choose_file(monkeypatch, junk)
    window.import_plan_action.trigger()
    assert said and "数据没有任何改动" in said[0]
    assert len(plans.list_plans(window._service().database)) == 1


def test_the_offices_next_revision_dropped_on_the_window_keeps_progress(
    qtbot: QtBot,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    window: MainWindow,
) -> None:
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDropEvent

    from tests.helpers import run
    from tests.plan_tables import REVISION_NEW as NEW
    from tests.plan_tables import REVISION_OLD as OLD

    office = tmp_path / "office"
    for folder in ("v1", "v2"):
        (tmp_path / folder).mkdir()
    assert run(capsys, office, "plan", "import", str(OLD), "--id", "kq-2021")[0] == 0
    assert run(capsys, office, "plan", "export", "-o", str(tmp_path / "v1"))[0] == 0
    assert (
        run(capsys, office, "plan", "import", str(NEW), "--revises", "kq-2021", "--archive-dropped")[0] == 0
    )
    assert run(capsys, office, "plan", "export", "-o", str(tmp_path / "v2"))[0] == 0
    (first,) = (tmp_path / "v1").glob("*.xlsx")
    (second,) = (tmp_path / "v2").glob("*.xlsx")

    choose_file(monkeypatch, first)
    window.import_plan_action.trigger()
    assert window.plans is not None and window.plans.dialog is not None
    qtbot.mouseClick(window.plans.dialog.confirm_button, Qt.MouseButton.LeftButton)
    service = window._service()
    assert service.plan_id == "kq-2021"
    service.update("区市场监管局", "1.1", status="ongoing", note="已上线")

    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(second))])
    drop = QDropEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(drop)  # the event Qt hands the window when a file is dropped on it
    dialog = window.plans.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert service.plan_info().revision == 2
    moved = service.task("区市场监管局", "1.2")
    assert (moved.note, moved.item.former) == ("已上线", "1.1")
