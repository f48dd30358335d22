"""The 报送登记 tab's actions, driven by clicks on the real widgets: accept a unit's new signing
key after 签名不符 (and see and revoke its keys), 取消 while recording, 催办 with a mail to each
liaison, and the 通报 — each read back from the files and the database."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from liaison_app import paths
from liaison_app.clock import FixedClock
from liaison_app.reports.report_reader import read_report
from liaison_app.reports.unit_report import default_file_name
from liaison_app.signing import load_or_create
from liaison_app.store.ledger_register import RegisterState
from liaison_app.store.records import LiaisonProfile
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.ui.ledger_panel import LedgerPanel
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.office_window import OfficeWindow
from liaison_app.ui.workers import ImmediateRunner
from liaison_app.vocabulary import Verdict
from tests.helpers import drop_files

APRIL = "2020-04"
UNIT, OTHER = "区甲局", "区乙局"


def export(service: LiaisonService, folder: Path, unit: str = UNIT) -> Path:
    folder.mkdir(parents=True)
    path = folder / default_file_name(unit, APRIL)
    ReportService(service).export(unit, APRIL, dt.date(2020, 4, 20), path)
    return path


def db_rows(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(paths.database_path(data_dir))
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def office_page(qtbot: QtBot, service: LiaisonService) -> tuple[OfficeWindow, LedgerPanel]:
    window = MainWindow(service, runner=ImmediateRunner())
    qtbot.addWidget(window)
    page = window.open_office()
    return page, page.ledger_panel


def record(qtbot: QtBot, page: OfficeWindow, files: list[Path]) -> None:
    page.clear()
    drop_files(page, page.rect().center(), files)
    qtbot.mouseClick(page.ledger_panel.record_button, Qt.MouseButton.LeftButton)


def click_row(qtbot: QtBot, view: Any, row: int) -> None:
    view.scrollTo(view.model().index(row, 0))
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def row_of(panel: LedgerPanel, unit: str) -> int:
    return [line.unit for line in panel.register.rows()].index(unit)


@pytest.fixture
def april(clock: FixedClock) -> FixedClock:
    clock.at = dt.datetime(2020, 4, 24, 9, 0)  # the synthetic plan was issued in March 2020
    return clock


def test_accept_a_new_key_after_bad_signature_then_revoke_the_old(
    qtbot: QtBot,
    small: LiaisonService,
    april: FixedClock,
    synthetic_template: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = export(small, tmp_path / "pc1")  # this folder's own key: the unit's first PC
    shutil.copytree(synthetic_template, tmp_path / "pc2" / "data")
    new_pc = LiaisonService.open(tmp_path / "pc2" / "data", clock=FixedClock(dt.datetime(2020, 4, 24, 10)))
    second = export(new_pc, tmp_path / "pc2" / "out")
    new_pc.close()
    old_print = load_or_create(small.database.path.parent).fingerprint
    new_print = load_or_create(tmp_path / "pc2" / "data").fingerprint
    page, panel = office_page(qtbot, small)

    record(qtbot, page, [first])
    assert panel.register.rows()[row_of(panel, UNIT)].state == RegisterState.ON_TIME
    april.advance(hours=2)
    record(qtbot, page, [second])
    # the one-off view judges with the keys as they are now: the first return pinned its key
    assert [v.verdict for v in page.verdicts.rows()] == [Verdict.BAD_SIGNATURE]
    line = panel.register.rows()[row_of(panel, UNIT)]
    assert line.state == RegisterState.ON_TIME  # the first return stays in use…
    assert f"{UNIT} 有报表因签名密钥未登记而“签名不符”" in panel.summary.text()  # …and the office is told
    assert not panel.accept_key_button.isEnabled()  # nothing chosen yet
    click_row(qtbot, panel.register_view, row_of(panel, UNIT))
    assert panel.accept_key_button.isEnabled()

    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def question(_parent: Any, _title: str, text: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    qtbot.mouseClick(panel.accept_key_button, Qt.MouseButton.LeftButton)  # the office says No
    assert new_print in asked[0] and old_print in asked[0] and "核对" in asked[0]
    assert panel.register.rows()[row_of(panel, UNIT)].exported_at == read_report(first).exported_at
    assert len(db_rows(small.database.path.parent, "SELECT * FROM unit_key")) == 1

    answer[0] = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(panel.accept_key_button, Qt.MouseButton.LeftButton)
    line = panel.register.rows()[row_of(panel, UNIT)]
    assert line.state == RegisterState.ON_TIME
    assert line.exported_at == read_report(second).exported_at.replace(microsecond=0)
    assert "已登记" in panel.summary.text() and new_print in panel.summary.text()
    page.clear()
    drop_files(page, page.rect().center(), [second])
    assert [v.verdict for v in page.verdicts.rows()] == [Verdict.ACCEPTED]

    click_row(qtbot, panel.register_view, row_of(panel, UNIT))
    qtbot.mouseClick(panel.keys_button, Qt.MouseButton.LeftButton)
    dialog = panel.keys_dialog
    assert dialog is not None and dialog.windowTitle() == f"{UNIT} 的签名密钥"
    shown = [(k.fingerprint, k.source.label, k.active) for k in dialog.model.rows()]
    assert shown == [(old_print, "首次报表", True), (new_print, "办公室登记", True)]
    click_row(qtbot, dialog.view, 0)
    qtbot.mouseClick(dialog.revoke_button, Qt.MouseButton.LeftButton)
    assert "撤销" in asked[-1] and old_print in asked[-1]
    assert [k.active for k in dialog.model.rows()] == [False, True]
    assert dialog.model.data(dialog.model.index(0, 4)).startswith("已撤销")

    # the old PC's next return is refused now
    april.advance(hours=1)
    small.update(UNIT, "1.1", status="done", note="旧电脑上的更新")
    record(qtbot, page, [export(small, tmp_path / "pc1-again")])
    assert db_rows(small.database.path.parent, "SELECT verdict FROM office_return ORDER BY id")[-1] == (
        "bad_signature",
    )
    assert panel.register.rows()[row_of(panel, UNIT)].state == RegisterState.ON_TIME  # new PC's in use


def test_cancel_while_recording_keeps_what_was_recorded(
    qtbot: QtBot, small: LiaisonService, april: FixedClock, tmp_path: Path
) -> None:
    files = [export(small, tmp_path / unit, unit) for unit in (UNIT, OTHER, "丁供电公司")]
    page, panel = office_page(qtbot, small)

    def cancel_after_the_first(value: int) -> None:
        if value == 1:
            assert page.cancel_button.isVisibleTo(page)
            qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)

    page.progress.valueChanged.connect(cancel_after_the_first)
    record(qtbot, page, files)
    assert db_rows(small.database.path.parent, "SELECT original_name, verdict FROM office_return") == [
        (files[0].name, "accepted")
    ]
    assert "已取消记入台账:已记入的 1 个文件保留" in panel.summary.text()
    assert not page.progress_box.isVisibleTo(page) and panel.record_button.isEnabled()
    states = {line.unit: line.state for line in panel.register.rows()}
    assert states[UNIT] == RegisterState.ON_TIME and states[OTHER] == RegisterState.MISSING
    page.progress.valueChanged.disconnect(cancel_after_the_first)
    record(qtbot, page, files)  # again: the rest is recorded, the first not twice
    assert len(db_rows(small.database.path.parent, "SELECT * FROM office_return")) == 3


def test_remind_writes_notices_and_mails_each_liaison_and_bulletin(
    qtbot: QtBot,
    small: LiaisonService,
    april: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small.set_liaison(UNIT, LiaisonProfile("张三", "023-62988888", "zhangsan@example.gov.cn"))
    late = export(small, tmp_path / "late")
    april.at = dt.datetime(2020, 4, 28, 9, 0)  # three days after the 25th: 区甲局 is late
    page, panel = office_page(qtbot, small)
    record(qtbot, page, [late])
    mails: list[QUrl] = []
    opened: list[Path] = []
    panel.url_opener = lambda url: mails.append(url) or True
    panel.opener = lambda path: opened.append(path) or True
    chase = tmp_path / "催办"
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(chase))

    # 取消 after the first notice: only that one is written
    def cancel_after_the_first(value: int) -> None:
        if value == 1:
            qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)

    panel.progress.valueChanged.connect(cancel_after_the_first)
    qtbot.mouseClick(panel.remind_button, Qt.MouseButton.LeftButton)
    assert len(list(chase.glob("*.xlsx"))) == 1 and "已取消:已生成 1 份催办通知" in panel.summary.text()
    assert mails == [] and panel.remind_button.isEnabled()
    panel.progress.valueChanged.disconnect(cancel_after_the_first)

    qtbot.mouseClick(panel.remind_button, Qt.MouseButton.LeftButton)
    chased = {line.unit for line in panel.register.rows() if line.state != RegisterState.ON_TIME}
    assert chased == {UNIT, OTHER, "区丙中心", "丁供电公司"}  # late, and the three not reported
    written = sorted(p.name for p in chase.glob("*.xlsx"))
    assert written == sorted(f"催办通知-{unit}-{APRIL}.xlsx" for unit in chased)
    notice = load_workbook(chase / f"催办通知-{UNIT}-{APRIL}.xlsx")["催办通知"]
    values = [c for row in notice.iter_rows(values_only=True) for c in row if c]
    assert "张三 023-62988888 zhangsan@example.gov.cn" in values and any(
        "迟报 3 天" in str(v) for v in values
    )
    (mail,) = mails  # only 区甲局's return gave a mail address
    assert mail.scheme() == "mailto" and mail.path() == "zhangsan@example.gov.cn"
    assert f"催办通知-{UNIT}-{APRIL}.xlsx" in unquote(mail.query())
    assert opened == [chase]
    fallback = panel.fallback
    assert fallback is not None and "没能自动新建邮件" in fallback.findChild(type(panel.summary)).text()

    out = tmp_path / "通报.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    qtbot.mouseClick(panel.bulletin_button, Qt.MouseButton.LeftButton)
    assert panel.written == [out] and "已生成通报" in panel.summary.text()
    bulletin = load_workbook(out)
    rows = dict(r[:2] for r in bulletin["概况"].iter_rows(min_row=3, values_only=True))
    assert rows["迟报单位"] == 1 and rows["未报单位"] == 3
