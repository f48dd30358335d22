"""Issue #19, "Nothing lost, nothing forged": each attack that once succeeded, replayed.

Every test here failed on the code before the fix. docs/reliability.md lists them per attack
class with the verdict each now gets.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from liaison_app import data_lock, paths
from liaison_app.clock import FixedClock
from liaison_app.store import backup
from liaison_app.store.restore import restore
from liaison_app.store.service import LiaisonService
from tests.test_reliability import blob_hashes, db_bytes, filled_service, rows

REPO = Path(__file__).resolve().parent.parent


def cli(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "LIAISON_APP_DATA_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "liaison_app", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**base, "PYTHONPATH": str(REPO), **(env or {})},
        timeout=120,
        cwd=REPO,
    )


def assert_one_chinese_line(result: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and words in result.stderr, result.stderr


# -- 1. one writer per data folder -----------------------------------------------------------------
HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from liaison_app.store.service import LiaisonService
    service = LiaisonService.open(Path(sys.argv[1]))
    service.update("区城管局", "16", note="窗口里刚保存的内容")
    print("ready", flush=True)
    sys.stdin.readline()  # holds the data folder, like an open window, until told to stop
    service.close()
""")


@pytest.fixture
def writer(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that holds the data folder (standing in for the open window)."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    yield process
    assert process.stdin is not None
    process.stdin.write("stop\n")
    process.stdin.flush()
    process.wait(timeout=30)


def test_restore_refuses_while_another_program_holds_the_data(
    data_dir: Path, tmp_path: Path, clock: FixedClock
) -> None:
    filled_service(data_dir, tmp_path, clock).close()
    old = tmp_path / "old.zip"
    service = LiaisonService.open(data_dir, clock=clock)
    service.full_backup(old)
    service.close()
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    try:
        before = db_bytes(data_dir), blob_hashes(data_dir), sorted(os.listdir(data_dir))
        result = cli(data_dir, "restore", str(old))
        assert_one_chinese_line(result, 1, "没有恢复，现有数据未被改动")
        assert "正被另一个程序使用" in result.stderr
        assert (db_bytes(data_dir), blob_hashes(data_dir), sorted(os.listdir(data_dir))) == before
        assert not list(backup.backups_dir(data_dir).glob("before-restore-*"))
    finally:
        assert process.stdin is not None
        process.stdin.write("stop\n")
        process.stdin.flush()
        process.wait(timeout=30)
    service = LiaisonService.open(data_dir, clock=clock)
    assert service.task("区城管局", "16").note == "窗口里刚保存的内容"  # the window's save is kept
    service.close()


def test_a_writing_command_waits_then_refuses_and_readers_still_read(
    data_dir: Path, writer: subprocess.Popen[str]
) -> None:
    refused = cli(
        data_dir,
        "set",
        "--unit",
        "区城管局",
        "--item",
        "16",
        "--status",
        "done",
        env={"LIAISON_APP_LOCK_WAIT": "0.3"},
    )
    assert_one_chinese_line(refused, 1, "正被另一个程序使用")
    read = cli(data_dir, "tasks", "--unit", "区城管局", "--json")
    assert read.returncode == 0, read.stderr
    note = {t["id"]: t["note"] for t in json.loads(read.stdout)}["16"]
    assert note == "窗口里刚保存的内容"  # read through the writer's WAL, without the lock


def test_the_window_takes_the_same_lock(
    qtbot, data_dir: Path, writer: subprocess.Popen[str], monkeypatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from liaison_app import app

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: shown.append(a[2]))
    assert not app.claim_data_folder(None, data_dir, wait_seconds=0.2)
    assert "正被另一个程序使用" in shown[0]
    assert not data_lock.holds(data_dir)


def test_while_the_window_holds_the_data_the_cli_cannot_restore(
    qtbot, data_dir: Path, tmp_path: Path, clock: FixedClock, monkeypatch
) -> None:
    from liaison_app import app

    filled_service(data_dir, tmp_path, clock).close()
    old = tmp_path / "old.zip"
    service = LiaisonService.open(data_dir, clock=clock)
    service.full_backup(old)
    service.close()
    assert app.claim_data_folder(None, data_dir)
    try:
        result = cli(data_dir, "restore", str(old))
        assert_one_chinese_line(result, 1, "正被另一个程序使用")
        # the window itself may restore (its own data closed meanwhile): the lock is its own
        report = restore(data_dir, old, dt.datetime(2019, 12, 2))
        assert report.safety_copy is not None
    finally:
        data_lock.release(data_dir)


def test_four_processes_starting_on_an_empty_folder_do_not_race(data_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LIAISON_APP_DATA_DIR"}
    env["PYTHONPATH"] = str(REPO)
    command = [
        sys.executable,
        "-m",
        "liaison_app",
        "--data-dir",
        str(data_dir),
        "set",
        "--unit",
        "区城管局",
        "--item",
        "16",
        "--status",
        "in_progress",
    ]
    processes = [
        subprocess.Popen(
            [*command, "--note", f"第{i}个进程"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for i in range(4)
    ]
    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]
    assert all(code == 0 for code, _err in results), results
    assert rows(paths.database_path(data_dir), "SELECT count(*) FROM plan") == [(1,)]
    assert rows(paths.database_path(data_dir), "SELECT count(*) FROM history WHERE field='note'") == [(4,)]
