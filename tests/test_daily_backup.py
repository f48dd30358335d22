"""Today's automatic backup is off the window's start path (issue #18 goal 1) and still holds the
data exactly as it was at start-up (docs/reliability.md: restoring it loses the changes made since
that start-up, no more, no less)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from liaison_app import app
from liaison_app.clock import FixedClock
from liaison_app.store import backup
from liaison_app.store.database import KNOWN_REVISIONS
from liaison_app.store.service import LiaisonService
from liaison_app.ui.main_window import MainWindow


def notes(db: Path) -> set[str]:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {note for (note,) in connection.execute("SELECT note FROM progress")}
    finally:
        connection.close()


@pytest.fixture
def yesterday(data_dir: Path, bundled_template: Path) -> Path:
    """A data folder last opened on another day: today's backup is due."""
    shutil.copytree(bundled_template, data_dir)
    service = LiaisonService.open(data_dir)
    service.update("区城管局", "16", note="昨天的进展")
    service.close()
    for snapshot in (backup.backups_dir(data_dir) / "daily").iterdir():
        snapshot.unlink()  # as if those were yesterday's
    return data_dir


def test_the_windows_start_copies_nothing_and_the_backup_is_the_start_up_state(
    yesterday: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies: list[str] = []
    real_snapshot = backup.snapshot

    def snapshot(*args: object, **kwargs: object) -> Path:
        copies.append(threading.current_thread().name)
        return real_snapshot(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(backup, "snapshot", snapshot)
    service = app.open_service(yesterday)  # what run_gui opens
    assert copies == [], "the window's start copied the database"
    assert service.daily_backup is not None and not service.daily_backup.done()
    service.update("区城管局", "16", note="开机后才写的进展")  # saved before the copy ran
    service.close()  # waits for the backup (the window starts it once usable)
    assert copies == ["daily-backup"]
    (day_file,) = (backup.backups_dir(yesterday) / "daily").iterdir()
    assert backup.check_database(day_file, KNOWN_REVISIONS).ok
    assert notes(day_file) == {"昨天的进展"}  # the state at start-up: nothing written after it
    assert notes(service.database.path) == {"开机后才写的进展"}


def test_a_command_still_backs_up_before_it_works(yesterday: Path) -> None:
    service = LiaisonService.open(yesterday, clock=FixedClock(dt.datetime.now()))
    assert service.daily_backup is None
    assert list((backup.backups_dir(yesterday) / "daily").iterdir())
    service.close()


def test_the_window_says_when_todays_backup_failed(
    qtbot: QtBot, yesterday: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(*_args: object, **_kwargs: object) -> Path:
        raise backup.BackupError("无法备份数据库:磁盘已满")

    monkeypatch.setattr(backup, "snapshot", full_disk)
    service = app.open_service(yesterday)
    window = MainWindow(service)
    qtbot.addWidget(window)
    window.show()
    assert service.daily_backup is not None
    app.watch_daily_backup(window, service.daily_backup)
    qtbot.waitUntil(lambda: "今天的自动备份没有完成" in window.statusBar().currentMessage(), timeout=5000)
    assert "磁盘已满" in window.statusBar().currentMessage()
    window.close()
    service.close()
    assert not list((backup.backups_dir(yesterday) / "daily").glob("*.sqlite3"))
