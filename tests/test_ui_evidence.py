"""Evidence in the real window: drops, the file list, opening, removing, background copies."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from pytestqt.qtbot import QtBot

from liaison_app.clock import FixedClock
from liaison_app.paths import database_path
from liaison_app.store.service import LiaisonService
from liaison_app.ui.main_window import MainWindow
from liaison_app.ui.workers import ImmediateRunner, PoolRunner
from tests.helpers import Dialogs, drop_files, first_start, make_file

UNIT = "区城管局"


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    return Dialogs(monkeypatch)


@pytest.fixture
def opened() -> list[Path]:
    return []


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, clock: FixedClock, opened: list[Path]) -> Iterator[MainWindow]:
    first_start(data_dir)  # the bundled plan's first start, copied (~0.4 s to create)
    service = LiaisonService.open(data_dir, clock=clock, actor="联络员甲")
    service.set_settings({"ui.last_unit": UNIT})
    win = MainWindow(service, runner=ImmediateRunner(), opener=lambda p: opened.append(p) or True)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()
    service.close()


def row_point(window: MainWindow, code: str) -> QPoint:
    index = window.index_for(code)
    window.tree.scrollTo(index)
    return window.tree.visualRect(index).center()


def evidence_cell(window: MainWindow, code: str) -> str:
    return window.index_for(code).siblingAtColumn(5).data()


def test_dropping_files_on_an_item_attaches_them(window: MainWindow, tmp_path: Path, dialogs) -> None:
    files = [make_file(tmp_path, "验收报告.pdf", seed=1), make_file(tmp_path, "照片.jpg", seed=2)]
    assert evidence_cell(window, "11.2") == ""
    drop_files(window.tree.viewport(), row_point(window, "11.2"), files)
    assert evidence_cell(window, "11.2") == "2"
    assert [r.original_name for r in window.service.evidence(UNIT, "11.2")] == ["验收报告.pdf", "照片.jpg"]
    assert window.service.evidence(UNIT, "11.2")[0].period == window.current_period()


def test_dropping_on_a_heading_row_is_refused(window: MainWindow, tmp_path: Path) -> None:
    heading = window.proxy.index(0, 0)  # an area row
    point = window.tree.visualRect(heading).center()
    drop_files(window.tree.viewport(), point, [make_file(tmp_path, "a.pdf")])
    assert window.service.evidence(UNIT) == []


def test_dropping_on_the_detail_pane_and_using_the_list(
    window: MainWindow, tmp_path: Path, opened: list[Path], dialogs
) -> None:
    window.select_item("16")
    panel = window.detail.evidence
    source = make_file(tmp_path, "会议纪要（第3次）.docx")
    drop_files(panel, panel.rect().center(), [source])
    assert panel.model.rowCount() == 1
    assert panel.model.index(0, 0).data() == "会议纪要（第3次）.docx"
    assert "1 个文件" in panel.title()
    panel.table.setCurrentIndex(panel.model.index(0, 0))
    panel.open_button.click()
    assert opened[-1].name == "会议纪要（第3次）.docx"
    assert opened[-1].read_bytes() == source.read_bytes()
    panel.reveal_button.click()
    assert opened[-1] == opened[-2].parent
    # the description is edited in place
    assert panel.model.setData(panel.model.index(0, 3), "第三次协调会")
    assert window.service.evidence(UNIT, "16")[0].description == "第三次协调会"
    panel.remove_button.click()  # confirmed by the stand-in dialog
    assert panel.model.rowCount() == 0 and window.service.evidence(UNIT, "16") == []
    assert evidence_cell(window, "16") == ""
    assert window.detail.history_model.index(0, 1).data() == "移除佐证材料「会议纪要（第3次）.docx」"


def test_refused_files_are_explained(window: MainWindow, tmp_path: Path, dialogs) -> None:
    empty = tmp_path / "空.pdf"
    empty.write_bytes(b"")
    drop_files(window.tree.viewport(), row_point(window, "16"), [empty, tmp_path])
    assert window.service.evidence(UNIT) == []
    _title, text = dialogs.shown[-1]
    assert "空文件" in text and "文件夹" in text


def test_verify_from_the_menu(window: MainWindow, tmp_path: Path, dialogs) -> None:
    record = window.service.attach(UNIT, "16", make_file(tmp_path, "a.pdf"))
    window.verify_action.trigger()
    assert "全部齐全" in dialogs.shown[-1][1]
    window.service.evidence_file(record.id).unlink()
    window.verify_action.trigger()
    assert "文件丢失" in dialogs.shown[-1][1] and "16" in dialogs.shown[-1][1]


def test_bundle_from_the_window(window: MainWindow, tmp_path: Path, dialogs) -> None:
    window.service.attach(UNIT, "16", make_file(tmp_path, "a.pdf"), period=window.current_period())
    out = tmp_path / "out.zip"
    window.evidence.bundle(UNIT, out, None)
    assert out.exists() and window.evidence.last_bundle.files == 1
    assert "共 1 个分卷" in dialogs.shown[-1][1]


def test_big_copy_runs_in_the_background_and_cancel_leaves_nothing(
    qtbot: QtBot, data_dir: Path, clock: FixedClock, tmp_path: Path, dialogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import liaison_app.ui.evidence_actions as actions

    gate, real = threading.Event(), actions.ingest_many

    def gated(store, files, progress, cancelled):
        def held(done: int, total: int) -> None:
            progress(done, total)
            gate.wait(20)  # the worker waits here until the test has pressed cancel

        return real(store, files, held, cancelled)

    monkeypatch.setattr(actions, "ingest_many", gated)
    first_start(data_dir)  # the bundled plan's first start, copied (~0.4 s to create)
    service = LiaisonService.open(data_dir, clock=clock)
    service.set_settings({"ui.last_unit": UNIT})
    runner = PoolRunner()
    window = MainWindow(service, runner=runner)
    qtbot.addWidget(window)
    window.show()
    big = make_file(tmp_path, "扫描件.pdf", size=8 * 1024 * 1024)
    task = window.evidence.attach(window.service.task(UNIT, "16"), [big])
    assert task is not None
    progress: list[int] = []
    task.signals.progress.connect(lambda done, total: progress.append(done))
    qtbot.waitUntil(lambda: bool(progress), timeout=10000)  # the GUI thread runs meanwhile
    assert window.evidence.running  # still copying
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not window.evidence.running, timeout=20000)
    runner.wait()
    assert service.evidence(UNIT) == []
    assert not [p for p in service.evidence_store.root.rglob("*") if p.is_file()]
    with sqlite3.connect(database_path(data_dir)) as connection:
        assert connection.execute("SELECT count(*) FROM evidence").fetchone()[0] == 0
    assert "已取消" in window.statusBar().currentMessage()
    window.close()
    service.close()
