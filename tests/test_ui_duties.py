"""Typical cases, deliverables and special groups in the real window."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from liaison_app.clock import FixedClock
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Status
from liaison_app.ui.duties_panels import CODE_ROLE, CaseDialog, DeliverableDialog
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.workers import ImmediateRunner
from tests.helpers import first_start, make_file


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, clock: FixedClock) -> Iterator[MainWindow]:
    first_start(data_dir)  # the bundled plan's first start, copied (~0.4 s to create)
    service = LiaisonService.open(data_dir, clock=clock, actor="联络员甲")
    service.set_settings({"ui.last_unit": "区城管局"})
    win = MainWindow(service, runner=ImmediateRunner())
    qtbot.addWidget(win)
    win.show()
    win.period.setDate(QDate(2019, 12, 1))
    win.as_of.setDate(QDate(2020, 1, 6))
    yield win
    win.close()
    service.close()


def show_tab(qtbot: QtBot, window: MainWindow, page: QWidget) -> None:
    """Click the side tab that holds ``page``, as a user does."""
    bar = window.side_tabs.tabBar()
    rect = bar.tabRect(window.side_tabs.indexOf(page))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.side_tabs.currentWidget() is page


def fill_case(monkeypatch, title: str, kind: str = "positive", related: tuple[str, ...] = ()) -> None:
    def exec_(dialog: CaseDialog) -> int:
        dialog.title.setText(title)
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
        dialog.body.setPlainText("做法与成效")
        for row in range(dialog.related.rowCount()):
            item = dialog.related.item(row)
            wanted = item.data(CODE_ROLE) in related
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(CaseDialog, "exec", exec_)


def test_case_reminder_create_attach_edit_delete(
    qtbot: QtBot, window: MainWindow, monkeypatch, tmp_path: Path
) -> None:
    panel = window.cases_panel
    show_tab(qtbot, window, panel)
    assert "还没有典型案例" in panel.reminder.text()
    assert "2019年12月尚无典型案例" in window.summary.label.text()
    fill_case(monkeypatch, "用水报装“一窗办理”", related=("16", "17"))
    panel.new_button.click()
    assert panel.model.rowCount() == 1
    case = panel.model.rows()[0]
    assert (case.period, case.title, case.related) == ("2019-12", "用水报装“一窗办理”", ("16", "17"))
    assert "已填写 1 篇" in panel.reminder.text()
    assert "尚无典型案例" not in window.summary.label.text()
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    window.duties.attach_to_case(case, [make_file(tmp_path, "现场照片.jpg")])
    assert panel.model.rows()[0].attachments[0].original_name == "现场照片.jpg"
    assert panel.model.index(0, 4).data() == "1"
    fill_case(monkeypatch, "用水报装提速", kind="negative", related=("16",))
    panel.edit_button.click()
    changed = panel.model.rows()[0]
    assert (changed.title, changed.kind_label, changed.related) == ("用水报装提速", "反面", ("16",))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.delete_button.click()
    assert panel.model.rowCount() == 0
    fields = [h[2] for h in window.duties.duties.history("区城管局", f"case:{case.id}")]
    assert fields[0] == "case" and "case_title" in fields and "attachment" in fields


def test_lead_unit_deliverables_with_lights(
    qtbot: QtBot, window: MainWindow, monkeypatch, tmp_path: Path
) -> None:
    panel = window.duties_panel
    show_tab(qtbot, window, panel)
    assert panel.deliverables.rowCount() == 2
    assert panel.deliverables.index(0, 3).data() == "逾期"  # due 2019-12-06, as of 2020-01-06
    assert "具体措施" in window.summary.label.text() and "逾期" in window.summary.label.text()

    def done(dialog: DeliverableDialog) -> int:
        dialog.status.setCurrentIndex(dialog.status.findData(Status.DONE.value))
        dialog.note.setPlainText("已印发")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(DeliverableDialog, "exec", done)
    panel.deliverable_view.setCurrentIndex(panel.deliverables.index(0, 0))
    panel.edit_button.click()
    first = panel.deliverables.rows()[0]
    assert first.status is Status.DONE and first.note == "已印发"
    assert panel.deliverables.index(0, 3).data() == "正常"
    window.duties.attach_to_deliverable(first, [make_file(tmp_path, "具体措施.docx")])
    assert panel.deliverables.rows()[0].attachments[0].original_name == "具体措施.docx"
    groups = [g.title for g in panel.groups.rows()]
    assert groups[0] == "(三)方便企业获得水电气专项小组"
    assert "主要职责" in panel.group_text.text()


def test_a_unit_that_leads_nothing_has_no_deliverables(qtbot: QtBot, window: MainWindow) -> None:
    window.show_unit("区公安分局")
    panel = window.duties_panel
    show_tab(qtbot, window, panel)
    assert panel.deliverables.rowCount() == 0 and not panel.edit_button.isEnabled()
    assert "不牵头任何工作措施" in panel.lead_note.text()
    assert {g.role for g in panel.groups.rows()} >= {"责任单位"}
    assert "具体措施" not in window.summary.label.text()


def test_office_can_filter_by_special_group(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    import datetime as dt

    from liaison_app.reports.unit_report import default_file_name
    from liaison_app.store.reporting import ReportService

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for unit in ("区经济信息委", "区城管局", "区法院"):
        ReportService(window.service).export(
            unit, "2019-12", dt.date(2020, 1, 6), inbox / default_file_name(unit, "2019-12")
        )
    page = window.open_office()
    qtbot.addWidget(page)
    page.period.setDate(QDate(2019, 12, 1))
    page.add_paths([inbox])
    index = page.scope.findText("(三)方便企业获得水电气专项小组")
    assert index > 0
    page.scope.setCurrentIndex(index)
    assert page.result.scope_label == "(三)方便企业获得水电气专项小组"
    assert "区法院" not in {u.unit for u in page.units.rows()}


def test_deleting_a_case_that_is_already_gone_says_so(qtbot: QtBot, window: MainWindow, monkeypatch) -> None:
    from tests.helpers import Dialogs

    fill_case(monkeypatch, "不动产登记“一窗受理”")
    panel = window.cases_panel
    show_tab(qtbot, window, panel)
    panel.new_button.click()
    case = panel.model.rows()[0]
    window.duties.duties.delete_case("区城管局", case.id)  # e.g. by another window on the same data
    dialogs = Dialogs(monkeypatch)
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    panel.delete_button.click()  # the panel still shows the stale row
    assert dialogs.shown == [("未保存", "该典型案例不存在，或不属于本单位")]


def test_a_unit_switched_while_the_duties_tab_was_hidden_shows_on_the_tab(
    qtbot: QtBot, window: MainWindow
) -> None:
    panel = window.duties_panel
    show_tab(qtbot, window, panel)
    assert panel.deliverables.rowCount() == 2  # 区城管局 leads two items
    show_tab(qtbot, window, window.detail)
    window.picker.select_unit("区公安分局")
    window.show_unit("区公安分局")
    assert "具体措施" not in window.summary.label.text(), "the summary follows at once"
    show_tab(qtbot, window, panel)
    assert panel.deliverables.rowCount() == 0
    assert "不牵头任何工作措施" in panel.lead_note.text()
