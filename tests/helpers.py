"""What several test modules share (test modules never import each other)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

from liaison_app import paths
from liaison_app.cli import main
from liaison_app.clock import FixedClock
from liaison_app.reports.unit_report import default_file_name
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.store.status import Status

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from liaison_app.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parent.parent
SYNTHETIC_PLAN = REPO / "tests" / "fixtures" / "plans" / "synthetic.plan.json"
START = dt.datetime(2019, 11, 20, 9, 30, 0)  # the tests' clock (the ``clock`` fixture)


def run_cli(data_dir: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line as a script runs it: a real process, stdout and stderr in UTF-8."""
    env = {k: v for k, v in os.environ.items() if k != "LIAISON_APP_DATA_DIR"}
    folder = ["--data-dir", str(data_dir)] if data_dir is not None else []
    return subprocess.run(
        [sys.executable, "-m", "liaison_app", *folder, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )


def cli_in_process(data_dir: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line's ``main`` run in this process, its output captured as a process's would
    be: for tests about what a command does and says. (Exit codes, the absence of tracebacks
    and the streams' encoding as a real process shows them are the business of ``run_cli``.)"""
    import contextlib
    import io

    folder = ["--data-dir", str(data_dir)] if data_dir is not None else []
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([*folder, *args])
        except SystemExit as exc:  # what a process would exit with
            code = exc.code if isinstance(exc.code, int) else 1
    return subprocess.CompletedProcess([*folder, *args], code, out.getvalue(), err.getvalue())


class Windows(Protocol):
    """The ``windows`` fixture: ``windows(clock)`` starts the app's main window on that day."""

    def __call__(self, clock: FixedClock, size: tuple[int, int] | None = None) -> MainWindow: ...


def make_file(folder: Path, name: str, size: int = 4096, seed: int = 1) -> Path:
    """A file of ``size`` bytes whose content depends on ``seed`` (same seed, same bytes)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    block = hashlib.sha256(str(seed).encode()).digest()
    path.write_bytes((block * (size // len(block) + 1))[:size])
    return path


def type_chinese(widget: object, text: str) -> None:
    """Type ``text`` the way a Chinese input method does: one committed string per phrase.

    ``QTest.keyClicks`` only knows ASCII keys (and aborts on others); an IME commits text with
    ``QInputMethodEvent``, which QLineEdit and QPlainTextEdit treat as user input.
    """
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication, QWidget

    assert isinstance(widget, QWidget)
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


class Dialogs:
    """Stands in for the modal message boxes (a test cannot click them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, answer: Any = None) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.shown: list[tuple[str, str]] = []
        for kind in ("information", "warning", "critical"):
            monkeypatch.setattr(QMessageBox, kind, self._record(kind))
        reply = QMessageBox.StandardButton.Yes if answer is None else answer
        monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: reply)

    def _record(self, kind: str) -> Any:
        from PySide6.QtWidgets import QMessageBox

        def show(_parent: Any, title: str, text: str, *args: Any, **kwargs: Any) -> Any:
            self.shown.append((title, text))
            return QMessageBox.StandardButton.Ok

        return show


def recover_choosing_the_latest_backup(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> tuple[LiaisonService | None, list[str]]:
    """The window's start on a lost or damaged database, the user choosing 从最近的备份恢复:
    the service it opens and the texts of the message boxes it showed."""
    from PySide6.QtWidgets import QMessageBox

    from liaison_app import app

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr(QMessageBox, "clickedButton", lambda box: box.buttons()[0])  # 从最近的备份恢复
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    return app.open_or_recover(None, data_dir), shown


def drop_files(widget: Any, point: Any, files: list[Path]) -> None:
    """Drag ``files`` from a file manager and drop them on ``widget`` at ``point``."""
    from PySide6.QtCore import QMimeData, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    for event_class in (QDragEnterEvent, QDragMoveEvent):
        event = event_class(
            point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(widget, event)
    drop = QDropEvent(
        point.toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, drop)


# -- the data folder, read behind the service's back ------------------------------------------------
def db_bytes(data_dir: Path) -> bytes:
    return paths.database_path(data_dir).read_bytes()


def rows(db: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def db_rows(data_dir: Path, sql: str) -> list[tuple[object, ...]]:
    """``sql`` on the data folder's database, read-only."""
    return rows(paths.database_path(data_dir), sql)


def blob_hashes(data_dir: Path) -> dict[str, str]:
    root = data_dir / "evidence"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.glob("??/*") if p.is_file()}


def table_counts(data_dir: Path) -> dict[str, int]:
    with sqlite3.connect(paths.database_path(data_dir)) as connection:
        names = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {n: connection.execute(f"SELECT COUNT(*) FROM {n}").fetchone()[0] for n in names}


_FIRST_START: list[Path] = []


def first_start(data_dir: Path) -> None:
    """Make ``data_dir`` what the bundled plan's first start at START leaves (database,
    that day's backups), copied from a folder built once per process: creating and migrating
    the database and loading the plan cost ~0.25 s, the copy ~0.01 s."""
    if not _FIRST_START:
        import atexit
        import tempfile

        root = Path(tempfile.mkdtemp(prefix="liaison-first-start-"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        LiaisonService.open(root / "data", clock=FixedClock(START)).close()
        _FIRST_START.append(root / "data")
    shutil.copytree(_FIRST_START[0], data_dir)


def filled_service(data_dir: Path, tmp_path: Path, clock: FixedClock) -> LiaisonService:
    """The bundled plan with one item done and two evidence files (one of them on another item)."""
    if not data_dir.exists():
        first_start(data_dir)
    service = LiaisonService.open(data_dir, clock=clock)
    service.update("区城管局", "16", status=Status.DONE, note="网上营业厅已开通 ✅")
    service.attach("区城管局", "16", make_file(tmp_path / "src", "验收单.pdf", seed=1))
    service.attach("区城管局", "11.2", make_file(tmp_path / "src", "照片.jpg", size=9000, seed=2))
    return service


def rewrite_zip(source: Path, target: Path, change) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)


# -- the command line, in process ----------------------------------------------------------------
def open_with_clock(monkeypatch: pytest.MonkeyPatch, clock: FixedClock) -> None:
    """Every ``LiaisonService.open`` from now on runs on ``clock`` (``cli.main`` opens the data
    folder itself, so this is how an office test sets the day the command runs on)."""
    original = LiaisonService.open.__func__  # type: ignore[attr-defined]

    def opened(
        cls: type[LiaisonService], folder: Path, _clock: object = None, *a: object, **k: object
    ) -> Any:
        return original(cls, folder, clock, *a, **k)

    monkeypatch.setattr(LiaisonService, "open", classmethod(opened))


def cli_run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``cli.main(argv)`` in process: its exit code, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> Any:
    code, out, err = run(capsys, data_dir, *args, "--json")
    assert code == 0, err
    return json.loads(out)


# -- unit returns and the office's summary ---------------------------------------------------------
REPORT_AS_OF = dt.date(2019, 12, 16)
RETURNS_PERIOD = "2019-12"  # the returns of the ``world`` fixture (tests/conftest.py)
RETURNS_AS_OF = dt.date(2020, 1, 10)
NOT_REPORTING = "区交通局"  # the one unit whose return ``world`` leaves out
SMALL_PERIOD = "2020-05"  # the returns of ``small_world`` (the synthetic plan's four units)
SMALL_AS_OF = dt.date(2020, 6, 10)
SMALL_NOT_REPORTING = "丁供电公司"  # the one unit whose return ``small_world`` leaves out


def export(service: LiaisonService, unit: str, folder: Path, period: str = "2019-12") -> Path:
    path = folder / default_file_name(unit, period)
    ReportService(service).export(unit, period, REPORT_AS_OF, path)
    return path


def catalog(service: LiaisonService):
    return ReportService(service).catalog_snapshot()


def copy_folder(inbox: Path, target: Path) -> Path:
    shutil.copytree(inbox, target)
    return target


def recipe_text(value: object) -> str:
    """docs/report-format.md, "The content hash", written again from the page."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        value = value + dt.timedelta(microseconds=500_000)
        value = value.replace(microsecond=0)
        return (
            value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.strftime("%Y-%m-%d %H:%M:%S")
        )
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else repr(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n")


# -- the main window -------------------------------------------------------------------------------
def visible_codes(window: MainWindow) -> list[str]:
    from liaison_app.ui.task_model import TASK_ROLE

    proxy = window.proxy
    codes: list[str] = []

    def walk(parent) -> None:
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            task = index.data(TASK_ROLE)
            if task is not None:
                codes.append(task.item.id)
            walk(index)

    from PySide6.QtCore import QModelIndex

    walk(QModelIndex())
    return codes


def choose_unit(qtbot: QtBot, window: MainWindow, typed: str, unit: str) -> None:
    """Type part of a name in the picker, then take the offered unit."""
    from liaison_app.ui.unit_picker import UNIT_NAME_ROLE

    picker = window.picker
    type_chinese(picker.lineEdit(), typed)
    offered = [picker._search.index(r, 0).data(UNIT_NAME_ROLE) for r in range(picker._search.rowCount())]
    assert unit in offered, offered
    picker.completer().activated.emit(unit)
