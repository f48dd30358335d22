"""The office's verdicts on received files: duplicates named, --accept-modified matched by any
spelling of the path or by content, and refused units explained in 未报送单位."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from liaison_app.reports import consolidation_report as sheets
from liaison_app.reports import report_format as fmt
from liaison_app.reports.consolidation import Verdict, consolidate, receive
from liaison_app.reports.consolidation_report import write_consolidation
from liaison_app.reports.unit_report import default_file_name
from tests.helpers import SMALL_AS_OF as AS_OF
from tests.helpers import SMALL_NOT_REPORTING as SILENT
from tests.helpers import SMALL_PERIOD as PERIOD
from tests.helpers import catalog
from tests.helpers import cli_in_process as cli
from tests.helpers import copy_folder as _copy

NOTE = fmt.DETAIL_HEADERS.index("进展情况") + 1


def _edit(path: Path) -> None:
    workbook = load_workbook(path)
    workbook[fmt.SHEET_DETAIL].cell(row=3, column=NOTE).value = "事后改过"
    workbook.save(path)


def test_a_renamed_identical_copy_is_a_duplicate(small_world, tmp_path: Path) -> None:
    service, inbox = small_world
    box = _copy(inbox, tmp_path / "box")
    original = box / default_file_name("区甲局", PERIOD)
    copy = box / "甲局报表副本.xlsx"  # sorted after the original
    shutil.copy(original, copy)
    intake = receive([box], catalog(service), PERIOD)
    by_path = {v.path: v for v in intake.verdicts}
    assert by_path[original].verdict is Verdict.ACCEPTED
    assert by_path[copy].verdict is Verdict.DUPLICATE and by_path[copy].verdict.label == "重复文件"
    assert original.name in by_path[copy].reason
    assert intake.reports["区甲局"].path == original


def test_accept_modified_matches_by_resolved_path_and_by_content(
    small_world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, inbox = small_world
    box = _copy(inbox, tmp_path / "box")
    first, second = (box / default_file_name(u, PERIOD) for u in ("区甲局", "区乙局"))
    _edit(first)
    _edit(second)
    elsewhere = tmp_path / "审阅" / "乙局改过的.xlsx"  # the office kept a copy under another name
    elsewhere.parent.mkdir()
    shutil.copy(second, elsewhere)
    (tmp_path / "unrelated.xlsx").write_bytes(b"not this one")
    monkeypatch.chdir(box)  # a relative spelling of the same file
    accept = [
        Path(".") / ".." / "box" / first.name,
        elsewhere,
        tmp_path / "无此文件.xlsx",
        tmp_path / "unrelated.xlsx",
    ]
    intake = receive([box], catalog(service), PERIOD, accept)
    by_path = {v.path: v for v in intake.verdicts}
    assert by_path[first].verdict is Verdict.MODIFIED_ACCEPTED
    assert by_path[second].verdict is Verdict.MODIFIED_ACCEPTED
    assert [(p.name, reason) for p, reason in intake.unmatched] == [
        ("无此文件.xlsx", "找不到这个文件"),
        ("unrelated.xlsx", "不是本次收到的、导出后被修改过的报表"),
    ]


def test_cli_reports_accept_modified_paths_it_could_not_match(small_world, tmp_path: Path) -> None:
    service, inbox = small_world
    box = _copy(inbox, tmp_path / "box")
    _edit(box / default_file_name("区甲局", PERIOD))
    result = cli(
        service.data_dir,
        "consolidate",
        str(box),
        "-o",
        str(tmp_path / "汇总.xlsx"),
        "--accept-modified",
        str(tmp_path / "typo.xlsx"),
    )
    assert result.returncode == 1
    assert "typo.xlsx" in result.stderr and "找不到这个文件" in result.stderr


def test_a_unit_whose_only_report_was_edited_is_missing_with_the_reason(small_world, tmp_path: Path) -> None:
    service, inbox = small_world
    box = _copy(inbox, tmp_path / "box")
    edited = box / default_file_name("区甲局", PERIOD)
    _edit(edited)
    intake = receive([box], catalog(service), PERIOD)
    result = consolidate(intake, catalog(service), AS_OF, dt.datetime(2020, 1, 10))
    assert "区甲局" in [u.unit for u in result.missing_units]
    out = tmp_path / "o.xlsx"
    write_consolidation(result, out)
    ws = load_workbook(out)[sheets.SHEET_MISSING]
    rows = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=6).value for r in range(3, ws.max_row + 1)}
    assert edited.name in rows["区甲局"] and "已被修改" in rows["区甲局"]
    assert rows[SILENT] in (None, "")  # never sent anything: no remark
