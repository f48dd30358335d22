"""Every command's failure paths, as a script meets them: one Chinese line on stderr, exit 1
when the work failed and 2 when the input was bad, and never a traceback.

Each case runs through ``main`` in this process (the fast set); the same cases from a real
process are the ``slow`` twin, and the fast set keeps two real-process tests (a damaged database,
``--debug``) for the exit code and stderr as the real entry point leaves them."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from liaison_app import cli, logs
from liaison_app.store import backup
from liaison_app.store.records import StorageError
from liaison_app.store.service import LiaisonService
from liaison_app.store.sqlite_read import KNOWN_REVISIONS
from tests.helpers import cli_in_process, run_cli

UNIT = "区市场监管局"  # leads 1.1
OTHER = "区发展改革委"  # neither leads nor cooperates on 1.1

LINUX = pytest.mark.skipif(sys.platform != "linux", reason="/proc is Linux's")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, bundled_template: Path) -> dict[str, Path]:
    """One data folder with the plan loaded and one real report, shared by the failure cases
    (none of them changes anything)."""
    root = tmp_path_factory.mktemp("cli-errors")
    data = root / "data"
    shutil.copytree(bundled_template, data)
    report = root / "report.xlsx"
    done = cli_in_process(data, "export", "--unit", UNIT, "--period", "2019-11", "-o", str(report))
    assert done.returncode == 0, done.stderr
    (root / "not-a-report.txt").write_text("hello", encoding="utf-8")
    return {"data": data, "report": report, "text": root / "not-a-report.txt", "root": root}


# (arguments, expected exit code); {report}, {text} and {root} are filled in from the world.
FAILURES = [
    # bad input: 2
    (["bogus-command"], 2),
    (["units", "--plan", "没有的方案"], 2),
    (["catalog", "--plan", "没有的方案"], 2),
    (["anomalies", "--plan", "没有的方案"], 2),
    (["verify", "--plan", "没有的方案"], 2),
    (["milestone", "--unit", UNIT, "--item", "1.1", "--index", "x", "--done", "2019-12-01"], 2),
    (["actual", "--unit", UNIT, "--item", "1.1", "--target", "1.1-t9", "--value", "很多"], 2),
    (["office"], 2),
    (["office", "register", "--period", "2019-13"], 2),
    (["--no-such-flag", "units"], 2),
    (["tasks"], 2),
    (["tasks", "--unit", "没有这个单位"], 2),
    (["tasks", "--unit", UNIT, "--as-of", "2019-02-30"], 2),
    (["set", "--unit", UNIT, "--item", "99.9", "--status", "done"], 2),
    (["set", "--unit", UNIT, "--item", "1.1", "--status", "bogus"], 2),
    (["set", "--unit", OTHER, "--item", "1.1", "--status", "done"], 2),
    (["set", "--unit", UNIT, "--item", "1.1"], 2),
    (["attach", "--unit", UNIT, "--item", "1.1", "{root}/missing.pdf"], 2),
    (["attach", "--unit", UNIT, "--item", "1.1", "--period", "2019-13", "{text}"], 2),
    (["bundle", "--unit", UNIT, "--period", "2019-11", "-o", "{root}/b.zip"], 2),
    (["bundle", "--unit", UNIT, "--period", "11/2019", "-o", "{root}/b.zip"], 2),
    (["export", "--unit", UNIT, "--period", "2019-11", "-o", "{root}/report.txt"], 2),
    (["export", "--unit", UNIT, "--period", "2019-11", "-o", "{root}/no/such/dir/r.xlsx"], 2),
    (["export", "--unit", "没有这个单位", "--period", "2019-11", "-o", "{root}"], 2),
    (["consolidate", "{root}/missing.xlsx", "-o", "{root}/c.xlsx"], 2),
    (["consolidate", "{text}", "-o", "{root}/c.xlsx"], 2),
    (["consolidate", "{report}", "--lead", "没有这个单位", "-o", "{root}/c.xlsx"], 2),
    (["cases", "--unit", "没有这个单位"], 2),
    (["cases", "--unit", UNIT, "--period", "2019"], 2),
    (["groups", "--unit", "没有这个单位"], 2),
    (["backup", "-o", "{root}/no/such/dir/b.zip"], 2),
    (["restore", "{root}/missing.zip"], 2),
    (["restore", "{text}"], 2),
    (["plan"], 2),
    (["plan", "import", "{root}/missing.xlsx", "--dry-run"], 2),
    (["plan", "import", "{text}", "--dry-run"], 2),
    (["plan", "diff", "{root}/missing.xlsx", "{text}"], 2),
    (["plan", "export", "-o", "{root}/no/such/dir/p.xlsx"], 1),
    (["plan", "template", "-o", "{root}/no/such/dir/t.xlsx"], 1),
    # the work failed: 1 (/proc is a folder nothing can be created in, on Linux)
    pytest.param(["export", "--unit", UNIT, "--period", "2019-11", "-o", "/proc/x.xlsx"], 1, marks=LINUX),
    pytest.param(["consolidate", "{report}", "-o", "/proc/x.xlsx"], 1, marks=LINUX),
    pytest.param(["backup", "-o", "/proc/x"], 1, marks=LINUX),
    pytest.param(["--data-dir", "/proc/x", "units"], 1, marks=LINUX),
]


def test_every_command_has_a_failure_path_above() -> None:
    """A command added to the CLI without a failure case here fails this test."""
    tried = {next(a for a in args if not a.startswith("-")) for args, _code in _plain(FAILURES)}
    assert set(cli.COMMANDS) - tried == set()


def _plain(cases: list[Any]) -> list[tuple[list[str], int]]:
    return [tuple(case.values) if hasattr(case, "values") else case for case in cases]


def assert_one_chinese_line(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("错误:") and CJK.search(lines[0]), result.stderr


def _case_id(case: object) -> str:
    args = case.values[0] if hasattr(case, "values") else case[0]  # type: ignore[index]
    return " ".join(args)[:60]


def _filled(world: dict[str, Path], args: list[str]) -> list[str]:
    return [a.format(**{k: str(v) for k, v in world.items()}) for a in args]


@pytest.mark.parametrize(("args", "code"), FAILURES, ids=[_case_id(c) for c in FAILURES])
def test_failure_is_one_chinese_line_with_its_exit_code(
    world: dict[str, Path], args: list[str], code: int
) -> None:
    result = cli_in_process(world["data"], *_filled(world, args))
    assert result.returncode == code, result.stderr
    assert_one_chinese_line(result)


@pytest.mark.slow  # 43 interpreter starts (~40 s of CPU); the real entry point, case by case
@pytest.mark.parametrize(("args", "code"), FAILURES, ids=[_case_id(c) for c in FAILURES])
def test_failure_from_a_real_process_is_one_chinese_line_with_its_exit_code(
    world: dict[str, Path], args: list[str], code: int
) -> None:
    result = run_cli(world["data"], *_filled(world, args))
    assert result.returncode == code, result.stderr
    assert_one_chinese_line(result)


def test_damaged_database_fails_with_a_way_out(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "liaison.sqlite3").write_bytes(b"this is not a database" * 100)
    result = run_cli(data, "units")
    assert result.returncode == 1
    assert_one_chinese_line(result)
    assert "liaison-app restore" in result.stderr


@pytest.mark.parametrize("command", [("units",), ("office", "register", "--period", "2019-11", "--json")])
def test_a_damaged_page_in_a_real_ledger_is_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    """SQLite's integrity check reports each bad cell on its own line: the user still gets one."""
    data = tmp_path / "data"
    shutil.copytree(Path(__file__).parent / "fixtures" / "db" / "0010", data)
    database = data / "liaison.sqlite3"
    with sqlite3.connect(database) as connection:
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'office_return'"
        ).fetchone()
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    damaged = bytearray(database.read_bytes())
    start = (root - 1) * page_size
    damaged[start + 8 : start + page_size - 200] = b"\xff" * (page_size - 208)  # the cell pointers
    database.write_bytes(bytes(damaged))
    # the integrity check's own report, one line per bad cell, is told in one line
    check = backup.check_database(database, KNOWN_REVISIONS)
    assert not check.ok and "\n" not in check.problem, check.problem
    result = run_cli(data, *command)
    assert result.returncode == 1
    assert_one_chinese_line(result)
    assert "无法使用" in result.stderr and "liaison-app restore" in result.stderr
    assert database.read_bytes() == damaged  # left as it was


@LINUX
def test_system_error_names_the_users_file_not_a_temporary_one(world: dict[str, Path]) -> None:
    result = cli_in_process(
        world["data"], "export", "--unit", UNIT, "--period", "2019-11", "-o", "/proc/x.xlsx"
    )
    assert result.stderr.startswith("错误:无法写入 /proc/x.xlsx:文件或文件夹不存在")
    backup = cli_in_process(world["data"], "backup", "-o", "/proc/x")
    assert backup.stderr.strip() == "错误:没有备份。无法写入备份文件:文件或文件夹不存在"


def test_debug_shows_the_traceback(world: dict[str, Path]) -> None:
    args = ["set", "--unit", UNIT, "--item", "1.1", "--status", "bogus"]
    plain = run_cli(world["data"], *args)
    assert "Traceback" not in plain.stderr
    result = run_cli(world["data"], "--debug", *args)
    assert result.returncode == 2
    assert "Traceback" in result.stderr and "VocabularyError" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == plain.stderr.strip()


def test_failures_are_logged(world: dict[str, Path]) -> None:
    cli_in_process(world["data"], "tasks", "--unit", "写错的单位名")
    log = (world["data"] / "logs" / "liaison-app.log").read_text(encoding="utf-8")
    assert "command tasks failed (exit 2): 没有名为「写错的单位名」的单位" in log


# In-process: a full disk and a bug cannot be summoned in a subprocess without faking the world,
# so the fake sits at the one boundary (the service call), and main() is the real entry point.
def test_full_disk_exits_1_not_bad_input(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(*_args: object, **_kwargs: object) -> None:
        raise StorageError("磁盘已满，本次修改没有保存。请清理磁盘后重试。")

    monkeypatch.setattr(LiaisonService, "update", full)
    code = cli.main(["--data-dir", str(data_dir), "set", "--unit", UNIT, "--item", "1.1", "--status", "done"])
    assert code == 1
    assert capsys.readouterr().err == "错误:磁盘已满，本次修改没有保存。请清理磁盘后重试。\n"


def test_a_bug_is_one_line_pointing_at_the_log(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("no-such-key")

    monkeypatch.setattr(LiaisonService, "units", broken)
    code = cli.main(["--data-dir", str(data_dir), "units"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    log_file = logs.log_file(data_dir)
    assert err.startswith("错误:程序内部错误(KeyError: 'no-such-key')") and str(log_file) in err
    text = log_file.read_text(encoding="utf-8")
    assert "Traceback" in text and "KeyError: 'no-such-key'" in text
