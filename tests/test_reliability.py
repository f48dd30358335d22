"""Nothing lost, ever: crashes, backups and restore, damaged or foreign data, migrations, one
instance, full or read-only storage, hostile input. docs/reliability.md maps promises to tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from liaison_app import paths
from liaison_app.clock import FixedClock
from liaison_app.store import backup
from liaison_app.store.database import (
    HEAD_REVISION,
    KNOWN_REVISIONS,
    DamagedDatabaseError,
    NewerDatabaseError,
)
from liaison_app.store.records import ServiceError, StorageError
from liaison_app.store.restore import latest_good_backup, restore
from liaison_app.store.service import LiaisonService, NotAssignedError, UnknownItemError
from liaison_app.store.status import Status
from tests.helpers import (
    REPO,
    blob_hashes,
    db_bytes,
    filled_service,
    recover_choosing_the_latest_backup,
    rewrite_zip,
    rows,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "db"


# -- durable writes: a child killed at random moments ---------------------------------------------
CHILD = textwrap.dedent("""
    import itertools, sys
    from pathlib import Path
    from liaison_app.store.service import LiaisonService
    service = LiaisonService.open(Path(sys.argv[1]))
    codes = [t.item.id for t in service.tasks("区市场监管局")]
    sys.stdout.write("ready\\n")
    sys.stdout.flush()
    statuses = ["in_progress", "blocked", "done", "ongoing", "not_started"]
    start = int(sys.argv[2])
    for i in itertools.count(start):
        service.update("区市场监管局", codes[i % len(codes)], status=statuses[i % 5], note=f"第{i}次修改")
        sys.stdout.write(f"{i}\\n")
        sys.stdout.flush()  # acknowledged only after the commit returned
""")


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_acknowledged_change(data_dir: Path) -> None:
    LiaisonService.open(data_dir).close()
    randomness = random.Random(20191106)
    acknowledged: list[int] = []
    kills = 0
    next_change = 0
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    while kills < 20:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir), str(next_change)], stdout=subprocess.PIPE, env=env
        )
        assert child.stdout is not None
        fd = child.stdout.fileno()
        os.set_blocking(fd, False)
        buffer = b""
        # the kill lands while the child is writing, however long a loaded machine takes to start it
        started = time.monotonic() + 60
        while b"ready\n" not in buffer and time.monotonic() < started and child.poll() is None:
            try:
                buffer += os.read(fd, 65536)
            except BlockingIOError:
                time.sleep(0.005)
        assert b"ready\n" in buffer, "the writer did not start"
        deadline = time.monotonic() + randomness.uniform(0.05, 0.8)
        while time.monotonic() < deadline:
            try:
                buffer += os.read(fd, 65536)
            except BlockingIOError:
                time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        child.wait()
        while chunk := os.read(fd, 65536):  # the writer is dead: read to the end of the pipe
            buffer += chunk
        # only complete lines count: a number cut off by the kill was never acknowledged
        lines = buffer.decode().split("\n")[:-1]
        done = [int(line) for line in lines if line.isdigit()]
        acknowledged += done
        next_change = (done[-1] + 1) if done else next_change
        kills += 1
    db = paths.database_path(data_dir)
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    notes = {after for (after,) in rows(db, "SELECT after FROM history WHERE field = 'note'")}
    missing = [i for i in acknowledged if f"第{i}次修改" not in notes]
    assert len(acknowledged) > 100 and missing == []
    print(f"\n[crash test] {kills} SIGKILLs, {len(acknowledged)} acknowledged changes, none lost")


# -- automatic backups ---------------------------------------------------------------------------
def test_daily_backups_rotate_7_daily_and_4_weekly(data_dir: Path) -> None:
    clock = FixedClock(dt.datetime(2019, 11, 1, 9))
    for _day in range(40):
        LiaisonService.open(data_dir, clock=clock).close()
        clock.advance(days=1)
    folder = backup.backups_dir(data_dir)
    daily = sorted(p.name for p in (folder / "daily").iterdir())
    weekly = sorted(p.name for p in (folder / "weekly").iterdir())
    assert daily == [f"liaison-201912{d:02d}.sqlite3" for d in range(4, 11)]
    assert len(weekly) == 4 and weekly[-1] == "liaison-2019-W50.sqlite3"
    for snapshot in (folder / "daily").iterdir():
        assert backup.check_database(snapshot, KNOWN_REVISIONS).ok


def test_a_snapshot_of_a_live_database_is_consistent(service: LiaisonService, tmp_path: Path) -> None:
    service.update("区城管局", "16", note="写入中的数据")
    copy = backup.snapshot(service.database.path, tmp_path / "copy.sqlite3")
    assert rows(copy, "SELECT note FROM progress") == [("写入中的数据",)]
    assert rows(copy, "PRAGMA journal_mode") == [("delete",)]


# -- full backup, wipe, restore ----------------------------------------------------------------------


def test_full_backup_wipe_restore_gives_back_everything(
    data_dir: Path, tmp_path: Path, clock: FixedClock
) -> None:
    service = filled_service(data_dir, tmp_path, clock)
    target = tmp_path / "usb" / "backup.zip"
    target.parent.mkdir()
    service.full_backup(target)
    before_rows = rows(service.database.path, "SELECT unit_id, item_id, status, note FROM progress")
    before_evidence = rows(service.database.path, "SELECT sha256, original_name FROM evidence")
    before_blobs = blob_hashes(data_dir)
    service.close()
    shutil.rmtree(data_dir)  # the PC's disk was wiped
    data_dir.mkdir()
    report = restore(data_dir, target, dt.datetime(2019, 12, 1))
    assert report.progress_rows == 1 and report.evidence_rows == 2 and report.evidence_added == 2
    db = paths.database_path(data_dir)
    assert rows(db, "SELECT unit_id, item_id, status, note FROM progress") == before_rows
    assert rows(db, "SELECT sha256, original_name FROM evidence") == before_evidence
    assert blob_hashes(data_dir) == before_blobs
    reopened = LiaisonService.open(data_dir, clock=clock)
    assert reopened.task("区城管局", "16").note == "网上营业厅已开通 ✅"
    assert reopened.verify_evidence() == []
    reopened.close()


def test_restore_keeps_the_current_state_first(data_dir: Path, tmp_path: Path, clock: FixedClock) -> None:
    service = filled_service(data_dir, tmp_path, clock)
    old = tmp_path / "old.zip"
    service.full_backup(old)
    service.update("区城管局", "16", note="恢复之后就会丢失的新内容")
    service.close()
    report = restore(data_dir, old, dt.datetime(2019, 12, 2))
    assert report.safety_copy is not None and report.safety_copy.exists()
    restore(data_dir, report.safety_copy, dt.datetime(2019, 12, 3))  # and back again
    service = LiaisonService.open(data_dir, clock=clock)
    assert service.task("区城管局", "16").note == "恢复之后就会丢失的新内容"
    service.close()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("tampered database", "校验值不符"),
        ("tampered evidence", "佐证材料已损坏"),
        ("parent path", "不安全的路径"),
        ("absolute path", "不安全的路径"),
        ("foreign plan", "另一份工作方案"),
        ("not a backup", "不是本程序的备份文件"),
        ("empty zip", "缺少清单或数据库"),
    ],
)
def test_restore_refuses_bad_backups_and_changes_nothing(
    data_dir: Path, tmp_path: Path, clock: FixedClock, case: str, message: str
) -> None:
    service = filled_service(data_dir, tmp_path, clock)
    good = tmp_path / "good.zip"
    service.full_backup(good)
    service.close()
    bad = tmp_path / "bad.zip"
    if case == "tampered database":
        rewrite_zip(good, bad, lambda n, d: d[:-1] + b"x" if n == "database.sqlite3" else d)
    elif case == "tampered evidence":
        rewrite_zip(good, bad, lambda n, d: b"X" + d[1:] if n.startswith("evidence/") else d)
    elif case in ("parent path", "absolute path"):
        shutil.copy(good, bad)
        with zipfile.ZipFile(bad, "a") as archive:
            archive.writestr("../../evil.txt" if case == "parent path" else "/etc/evil.txt", b"x")
    elif case == "foreign plan":
        foreign_db = tmp_path / "foreign.sqlite3"
        with zipfile.ZipFile(good) as archive:
            foreign_db.write_bytes(archive.read("database.sqlite3"))
        with sqlite3.connect(foreign_db) as connection:
            connection.execute("PRAGMA foreign_keys=OFF")
            connection.execute("UPDATE plan SET id = 'jiangbei-2020'")
        data = foreign_db.read_bytes()
        digest = hashlib.sha256(data).hexdigest()

        def swap(name: str, payload: bytes) -> bytes:
            if name == "database.sqlite3":
                return data
            if name == "manifest.json":
                manifest = json.loads(payload)
                manifest["database"]["sha256"] = digest
                return json.dumps(manifest).encode()
            return payload

        rewrite_zip(good, bad, swap)
    elif case == "not a backup":
        bad.write_text("这只是一个文本文件", encoding="utf-8")
    else:
        with zipfile.ZipFile(bad, "w"):
            pass
    before, blobs = db_bytes(data_dir), blob_hashes(data_dir)
    with pytest.raises(backup.BackupError, match=message):
        restore(data_dir, bad, dt.datetime(2019, 12, 2))
    assert db_bytes(data_dir) == before and blob_hashes(data_dir) == blobs
    assert not (tmp_path / "evil.txt").exists() and not Path("/etc/evil.txt").exists()
    assert not list(data_dir.glob(".restore-*"))


# -- damaged or foreign databases at start-up ------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_damaged_database_is_refused_untouched_and_recovered(
    data_dir: Path, tmp_path: Path, clock: FixedClock, damage: str
) -> None:
    filled_service(data_dir, tmp_path, clock).close()
    clock.advance(days=1)
    LiaisonService.open(data_dir, clock=clock).close()  # the next start-up's snapshot holds it all
    db = paths.database_path(data_dir)
    if damage == "truncated":
        with db.open("r+b") as handle:
            handle.truncate(db.stat().st_size // 3)
    else:
        db.write_bytes(os.urandom(50_000))
    damaged = db.read_bytes()
    with pytest.raises(DamagedDatabaseError, match="原文件不会被改动"):
        LiaisonService.open(data_dir, clock=clock)
    assert db.read_bytes() == damaged
    latest = latest_good_backup(data_dir)
    assert latest is not None and latest.parent.name in ("daily", "weekly")
    report = restore(data_dir, latest, dt.datetime(2019, 12, 2))
    assert report.damaged_kept is not None and report.damaged_kept.read_bytes() == damaged
    service = LiaisonService.open(data_dir, clock=clock)
    assert service.task("区城管局", "16").status is Status.DONE
    service.close()


def test_the_window_offers_the_latest_backup_for_a_damaged_database(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, clock: FixedClock, monkeypatch
) -> None:

    filled_service(data_dir, tmp_path, clock).close()
    clock.advance(days=1)
    LiaisonService.open(data_dir, clock=clock).close()
    paths.database_path(data_dir).write_bytes(b"\0" * 4096)
    service, shown = recover_choosing_the_latest_backup(monkeypatch, data_dir)
    assert service is not None
    assert "原文件不会被改动" in shown[0] and "已从" in shown[1]
    assert service.task("区城管局", "16").status is Status.DONE
    assert list(data_dir.glob("liaison.sqlite3.damaged-*"))
    service.close()


def test_a_newer_database_is_refused_untouched(data_dir: Path) -> None:
    LiaisonService.open(data_dir).close()
    with sqlite3.connect(paths.database_path(data_dir)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    before = db_bytes(data_dir)
    with pytest.raises(NewerDatabaseError):
        LiaisonService.open(data_dir)
    assert db_bytes(data_dir) == before


# -- migrations from every released schema -----------------------------------------------------------
def table_rows(db: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's column names and rows (ordered), except Alembic's own."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = {}
        for name in names:
            if name != "alembic_version":
                cursor = connection.execute(f"SELECT * FROM {name} ORDER BY 1, 2")
                found[name] = ([d[0] for d in cursor.description], cursor.fetchall())
        return found
    finally:
        connection.close()


@pytest.mark.parametrize("revision", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_every_released_schema_upgrades_with_its_data(data_dir: Path, revision: str) -> None:
    shutil.copytree(FIXTURES / revision, data_dir)
    db = paths.database_path(data_dir)
    before = table_rows(db)
    service = LiaisonService.open(data_dir)
    after = table_rows(db)
    for table, (columns, old_rows) in before.items():  # every row survives, in the columns kept
        new_columns, new_rows = after[table]
        kept = [c for c in columns if c in new_columns]
        project = [new_columns.index(c) for c in kept]
        old = {tuple(row[columns.index(c)] for c in kept) for row in old_rows}
        assert old <= {tuple(row[i] for i in project) for row in new_rows}, table
    with service.database.engine.connect() as connection:
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        from liaison_app.store.models import Base

        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    assert rows(db, "PRAGMA foreign_key_check") == [] and rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
    task = service.task("区城管局", "11.2")
    assert (task.status, task.note) == (Status.IN_PROGRESS, f"已对接供电公司(schema {revision})")
    assert service.task("区城管局", "16").status is Status.DONE
    assert service.task("区市场监管局", "1.1").status is Status.ONGOING
    assert len(service.history("区城管局", "11.2")) == 2
    if revision >= "0002":
        (record,) = service.evidence("区城管局", "16")
        assert record.original_name == f"验收单-{revision}.pdf" and service.verify_evidence() == []
    if revision >= "0003":
        from liaison_app.store.reporting import ReportService

        assert ReportService(service).last_export("区城管局").period == "2019-11"
    if revision >= "0009":
        from liaison_app.store.ledger import OfficeLedger

        ledger = OfficeLedger(service)
        assert ledger.due_on("2019-11") == dt.date(2019, 11, 26)
        received = [line.unit for line in ledger.register("2019-11") if line.received_at]
        senders = ["区城管局", "区市场监管局"] if revision >= "0010" else ["区城管局"]
        assert received == senders
        assert ledger.trend()[0].figures.items == sum(len(service.tasks(unit)) for unit in senders)
    if revision >= "0010":
        from liaison_app.store.keys import UnitKeys

        keys = {key.unit: key for key in UnitKeys(service).on_record()}
        assert keys["区城管局"].source.value == keys["区市场监管局"].source.value == "first_return"
        assert keys["区法院"].fingerprint == "0123 4567 89AB CDEF 0123 4567 89AB CDEF"
        assert ledger.trend()[0].figures.milestones_done >= 1  # 63.1's ticked milestone, kept
    from liaison_app.store.duties import DutiesService

    assert len(DutiesService(service).groups()) == 13  # filled in for databases made before groups
    if revision != HEAD_REVISION:
        assert list((data_dir / "backups" / "pre-migration").glob(f"liaison-{revision}-to-*"))
    service.close()


def test_every_released_schema_has_a_fixture() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) == list(KNOWN_REVISIONS)


# -- one instance ------------------------------------------------------------------------------------
def test_a_second_start_hands_over_to_the_first(qtbot: QtBot, tmp_path: Path) -> None:
    from liaison_app.ui.single_instance import SingleInstance, instance_key

    key = instance_key(tmp_path)
    first = SingleInstance(key)
    assert first.listen()
    second = SingleInstance(key)
    with qtbot.waitSignal(first.activated, timeout=5000):
        assert second.notify_running()
    first.close()
    assert not SingleInstance(key).notify_running()


def test_a_stale_socket_from_a_crash_does_not_block(qtbot: QtBot, tmp_path: Path) -> None:
    from PySide6.QtNetwork import QLocalServer

    from liaison_app.ui.single_instance import SingleInstance, instance_key

    key = instance_key(tmp_path / "other")
    probe = QLocalServer()
    assert probe.listen(key)
    path = probe.fullServerName()
    probe.close()
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # bound, then the process "died"
    stale.bind(path)
    stale.close()
    assert Path(path).exists()
    instance = SingleInstance(key)
    assert not instance.notify_running() and instance.listen()
    instance.close()


# -- storage that fails ---------------------------------------------------------------------------
def test_a_data_folder_that_cannot_be_made_is_explained(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(paths.DataDirError, match="数据文件夹无法使用"):
        LiaisonService.open(blocker / "data")


def test_a_read_only_data_folder_is_explained(tmp_path: Path, monkeypatch) -> None:
    import errno

    real_open = Path.open

    def read_only(self: Path, *args, **kwargs):
        if self.name.startswith(".write-test"):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", read_only)
    with pytest.raises(paths.DataDirError, match="只读"):
        LiaisonService.open(tmp_path / "data")


def limit(service: LiaisonService, pragma: str) -> None:
    """Apply a pragma to every pooled connection (SQLite's own way to fail writes)."""
    service.database.engine.dispose()
    event.listen(service.database.engine, "connect", lambda connection, _record: connection.execute(pragma))


def test_disk_full_is_explained_and_changes_nothing(service: LiaisonService) -> None:
    service.update("区城管局", "16", note="之前的内容")
    pages = rows(service.database.path, "PRAGMA page_count")[0][0]
    limit(service, f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageError, match="磁盘已满"):
        service.update("区城管局", "16", note="很长的进展" * 3000)
    assert service.task("区城管局", "16").note == "之前的内容"


def test_a_read_only_database_is_explained_and_changes_nothing(service: LiaisonService) -> None:
    service.update("区城管局", "16", note="之前的内容")
    limit(service, "PRAGMA query_only = ON")
    with pytest.raises(StorageError, match="只读"):
        service.update("区城管局", "16", note="新的内容")
    assert service.task("区城管局", "16").note == "之前的内容"


def test_a_failed_note_save_keeps_the_text_and_closing_asks(
    qtbot: QtBot, service: LiaisonService, monkeypatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from liaison_app.ui.main_window import MainWindow
    from tests.helpers import type_chinese

    warnings: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]) or QMessageBox.StandardButton.Cancel
    )
    service.set_settings({"ui.last_unit": "区城管局"})
    window = MainWindow(service)
    qtbot.addWidget(window)
    window.show()
    window.select_item("16")
    limit(service, "PRAGMA query_only = ON")
    type_chinese(window.detail.note, "断电前刚写的进展")
    assert not window.detail.flush_note()
    assert "只读" in warnings[0]
    assert window.detail.note.toPlainText() == "断电前刚写的进展" and window.detail.note_is_dirty()
    window.close()  # refused: the text would be lost
    assert window.isVisible() and "没能保存" in warnings[-1]
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Discard)
    window.close()  # the liaison chose to discard
    assert not window.isVisible()


# -- hostile input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("进" * (1024 * 1024), "过长"),
        ("正常文字\x00隐藏", "空字符"),
        ("报表\u202e已完成", "改变文字方向"),
        ("铃声\x07", "控制字符"),
    ],
)
def test_hostile_text_is_refused_with_a_reason(service: LiaisonService, note: str, message: str) -> None:
    with pytest.raises(ServiceError, match=message):
        service.update("区城管局", "16", note=note)
    assert service.task("区城管局", "16").note == "" and service.history("区城管局", "16") == []


def test_emoji_and_other_scripts_are_kept_exactly(service: LiaisonService) -> None:
    text = "已完成 ✅👍 مرحبا שלום Ω ①\n第二行\t制表"
    service.update("区城管局", "16", note=text)
    assert service.task("区城管局", "16").note == text


def test_unknown_ids_change_nothing(service: LiaisonService) -> None:
    with pytest.raises(UnknownItemError):
        service.update("区城管局", "99.9", status="done")
    with pytest.raises(NotAssignedError):
        service.update("区城管局", "1.1", status="done")
    assert rows(service.database.path, "SELECT count(*) FROM history") == [(0,)]
