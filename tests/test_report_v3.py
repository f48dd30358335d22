"""Report format v3: the hash covers every sheet (the cover too), line ends and re-saves do not
trip it, codes travel beside labels, dates are dates — checked with openpyxl and LibreOffice."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from liaison_app.reports import report_format as fmt
from liaison_app.reports.report_reader import read_report
from liaison_app.store.service import LiaisonService
from tests.helpers import export, recipe_text
from tests.pdf_tools import SOFFICE, convert

UNIT = "区市场监管局"
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


@pytest.fixture
def filled(service: LiaisonService) -> LiaisonService:
    service.update(UNIT, "1.1", status="已完成", note="已上线\r\n第二行\r第三行")
    service.update(UNIT, "1.2", status="推进中", note="=1+1")
    return service


def _cell(ws, text: str):
    return next(c for row in ws.iter_rows() for c in row if c.value == text)


def test_an_edited_cover_figure_is_detected(filled: LiaisonService, tmp_path: Path) -> None:
    path = export(filled, UNIT, tmp_path)
    assert not read_report(path).modified
    workbook = load_workbook(path)
    cover = workbook[fmt.SHEET_COVER]
    label = _cell(cover, "已完成")
    cover.cell(row=label.row, column=label.column + 1).value = 40  # 已完成 1 → 40
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    assert read_report(edited).modified


def test_an_edited_export_check_list_is_detected(service: LiaisonService, tmp_path: Path) -> None:
    path = export(service, UNIT, tmp_path)  # nothing filled in: every item is listed as 从未填报
    workbook = load_workbook(path)
    cover = workbook[fmt.SHEET_COVER]
    heading = next(c for row in cover.iter_rows() for c in row if str(c.value).startswith("导出前检查"))
    heading.value = "导出前检查:未发现不完整的条目。"
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    assert read_report(edited).modified


def test_a_carriage_return_note_round_trips_and_stays_accepted(
    filled: LiaisonService, tmp_path: Path
) -> None:
    path = export(filled, UNIT, tmp_path)
    report = read_report(path)
    assert not report.modified
    assert next(r.note for r in report.rows if r.code == "1.1") == "已上线\n第二行\n第三行"
    resaved = tmp_path / "resaved.xlsx"
    load_workbook(path).save(resaved)  # openpyxl as a third-party writer
    assert not read_report(resaved).modified


def test_codes_travel_beside_the_labels(filled: LiaisonService, tmp_path: Path) -> None:
    report = read_report(export(filled, UNIT, tmp_path))
    assert report.version == 3
    # done on 2019-11-20, due 2019-09-30: finished late, not 正常
    assert report.codes["1.1"] == ("lead", "done", "done_late")
    assert report.codes["1.2"][1] == "in_progress"
    assert set(report.codes) == {r.code for r in report.rows}
    assert report.meta["measures_status_code"] in ("not_started", "in_progress", "done", "ongoing", "blocked")


def test_dates_are_dates_for_openpyxl(filled: LiaisonService, tmp_path: Path) -> None:
    path = export(filled, UNIT, tmp_path)
    workbook = load_workbook(path)
    detail = workbook[fmt.SHEET_DETAIL]
    header = {c.value: c.column for c in detail[fmt.DETAIL_HEADER_ROW]}
    row = next(r for r in range(3, detail.max_row + 1) if detail.cell(row=r, column=1).value == "1.1")
    for name in ("完成时限", "完成日期", "更新时间"):
        cell = detail.cell(row=row, column=header[name])
        assert isinstance(cell.value, dt.datetime) and cell.is_date, name
    assert detail.cell(row=row, column=header["完成时限"]).number_format == "yyyy-mm-dd"
    cover = workbook[fmt.SHEET_COVER]
    for name in ("统计截至", "导出时间"):
        label = _cell(cover, name)
        assert cover.cell(row=label.row, column=label.column + 1).is_date, name
    report = read_report(path)
    row_1_1 = next(r for r in report.rows if r.code == "1.1")
    assert row_1_1.deadline == "2019-09-30" and row_1_1.updated_at == "2019-11-20 09:30"


def test_hash_is_recomputed_from_the_documented_recipe(filled: LiaisonService, tmp_path: Path) -> None:
    path = export(filled, UNIT, tmp_path)
    workbook = load_workbook(path)  # not read-only: a different code path from the reader's
    meta_rows = [(r[0].value, r[1].value or "") for r in workbook["_meta"].iter_rows(max_col=2)]
    meta = sorted(
        [k, recipe_text(v)] for k, v in meta_rows if k not in ("data_sha256", "signature", "signing_key")
    )
    sheets = []
    for ws in workbook.worksheets:
        if ws.title == "_meta":
            continue
        cells = [
            [c.coordinate, recipe_text(c.value)]
            for row in ws.iter_rows()
            for c in row
            if recipe_text(c.value)
        ]
        sheets.append([ws.title, cells])
    assert [s[0] for s in sheets][:2] == ["封面", "任务进展"]
    payload = {"format": "liaison-app/unit-report", "version": 3, "meta": meta, "sheets": sheets}
    digest = hashlib.sha256(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    assert digest == dict(meta_rows)["data_sha256"]


@pytest.mark.libreoffice
@needs_libreoffice
def test_libreoffice_open_and_save_stays_accepted_and_keeps_dates(
    filled: LiaisonService, tmp_path: Path
) -> None:
    path = export(filled, UNIT, tmp_path)
    profile = tmp_path / "lo-profile"
    work = tmp_path / "lo"
    work.mkdir()
    source = work / "report.xlsx"
    shutil.copy(path, source)
    resaved = convert(source, "xlsx", tmp_path / "resaved", profile)
    report = read_report(resaved)
    assert not report.modified, "an untouched report saved again by LibreOffice must stay 已接收"
    assert next(r.note for r in report.rows if r.code == "1.1") == "已上线\n第二行\n第三行"
    assert read_report(path).rows == report.rows
    # LibreOffice reads the date cells as dates: in its own file format they are typed as dates
    flat = convert(source, "fods", work, profile).read_text(encoding="utf-8")
    assert 'office:value-type="date" office:date-value="2019-09-30"' in flat  # 完成时限 of 1.1
    assert re.search(r'office:value-type="date" office:date-value="2019-11-20T09:30:00', flat)  # 更新时间
    assert 'office:date-value="2019-12-16"' in flat  # 统计截至 on the cover
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    convert(source, csv_filter, work, profile)
    with (work / f"report-{fmt.SHEET_DETAIL}.csv").open(encoding="utf-8") as handle:
        by_code = {row[0]: row for row in csv.reader(handle)}
    # not "as shown": LibreOffice writes the date values it read, in its own date format
    assert by_code["1.1"][3] == "2019-09-30" and by_code["1.1"][14].startswith("2019-11-20 09:30")
