"""#14: the command line takes any note, and refuses a 统计截至 before the period begins."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import cli_in_process as cli


def test_a_note_may_start_with_a_dash(data_dir: Path) -> None:
    result = cli(
        data_dir, "set", "--unit", "区城管局", "--item", "16", "--status", "推进中", "--note", "-压减时限"
    )
    assert result.returncode == 0, result.stderr
    shown = cli(data_dir, "tasks", "--unit", "区城管局", "--json")
    assert "-压减时限" in shown.stdout
    described = cli(
        data_dir, "set", "--unit", "区城管局", "--item", "16", "--status", "推进中", "--note", "--"
    )
    assert described.returncode == 0, described.stderr


def test_export_as_of_before_the_period_starts_is_refused(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = cli(
        data_dir,
        "export",
        "--unit",
        "区城管局",
        "--period",
        "2019-11",
        "--as-of",
        "2019-10-15",
        "-o",
        str(out),
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "早于报送期 2019年11月" in lines[0] and "Traceback" not in result.stderr
    assert not out.exists()
