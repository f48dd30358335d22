"""The unit report: written, read back, opened by a real spreadsheet application."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from liaison_app.clock import FixedClock
from liaison_app.reports import report_format as fmt
from liaison_app.reports.report_reader import ReportFormatError, read_report
from liaison_app.reports.unit_report import default_file_name
from liaison_app.store.records import LiaisonProfile
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.vocabulary import Status
from tests.helpers import REPO, REPORT_AS_OF, export, make_file

AS_OF = REPORT_AS_OF  # what export() states
NOTE = fmt.DETAIL_HEADERS.index("进展情况") + 1


@pytest.fixture
def filled(service: LiaisonService, tmp_path: Path) -> LiaisonService:
    service.set_liaison("区市场监管局", LiaisonProfile("张三", "023-62988888", "zhangsan@example.gov.cn"))
    service.update("区市场监管局", "1.1", status="已完成", note="已上线自主申报系统")
    service.update("区市场监管局", "1.2", status="推进中", note="=1+1")
    service.update("区市场监管局", "2", note="@SUM(A1:A9) 已对接")
    service.update("区市场监管局", "3.1", status="需协调", note="-待市级部门批复\n第二行")
    service.attach("区市场监管局", "1.1", make_file(tmp_path, "系统上线通知.pdf"), period="2019-12")
    service.update("区公安分局", "1.1", status="推进中", note="公安分局的秘密备注")
    return service


@pytest.mark.parametrize("unit", ["区市场监管局", "区公安分局"])
def test_export_reads_back_equal_to_the_database(filled: LiaisonService, tmp_path: Path, unit: str) -> None:
    path = export(filled, unit, tmp_path)
    report = read_report(path)
    assert not report.modified
    assert (report.unit, report.period, report.as_of) == (unit, "2019-12", AS_OF)
    tasks = filled.tasks(unit)
    assert [r.code for r in report.rows] == [t.item.id for t in tasks]
    for row, task in zip(report.rows, tasks, strict=True):
        assert row.status == task.status.label
        assert row.note == task.note
        assert row.role == {"lead": "牵头", "coop": "配合"}[task.role]
        assert row.text == task.item.text
        assert row.deadline == (task.item.deadline.isoformat() if task.item.deadline else "")
        assert row.light == task.light(AS_OF).label
    evidence = filled.evidence(unit)
    assert [(e.code, e.name, e.sha256) for e in report.evidence] == [
        (r.item_code, r.original_name, r.sha256) for r in evidence
    ]
    if unit == "区公安分局":
        assert {r.role for r in report.rows} == {"配合"}


def test_typed_text_stays_literal_in_cells_and_xml(filled: LiaisonService, tmp_path: Path) -> None:
    path = export(filled, "区市场监管局", tmp_path)
    ws = load_workbook(path)[fmt.SHEET_DETAIL]
    notes = {
        ws.cell(row=r, column=1).value: ws.cell(row=r, column=NOTE)
        for r in range(fmt.DETAIL_HEADER_ROW + 1, ws.max_row + 1)
    }
    for code, text in (("1.2", "=1+1"), ("2", "@SUM(A1:A9) 已对接"), ("3.1", "-待市级部门批复\n第二行")):
        assert notes[code].value == text and notes[code].data_type == "s"
        assert notes[code].quotePrefix
    with zipfile.ZipFile(path) as archive:
        xml = "".join(
            archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/sheet")
        )
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    for text in ("=1+1", "@SUM(A1:A9) 已对接"):
        # a text cell (inline string) holding exactly what was typed
        assert re.search(rf'<c r="F\d+" s="\d+" t="inlineStr"><is><t>{re.escape(text)}</t></is></c>', xml)
    assert 't="inlineStr" />' not in xml  # no empty text cells


def test_status_list_rejects_other_values(filled: LiaisonService, tmp_path: Path) -> None:
    path = export(filled, "区市场监管局", tmp_path)
    ws = load_workbook(path)[fmt.SHEET_DETAIL]
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == '"未启动,推进中,已完成,常态化推进,需协调"'
    assert validation.showErrorMessage and validation.errorStyle == "stop"
    assert not validation.allow_blank
    first, last = fmt.DETAIL_HEADER_ROW + 1, ws.max_row
    assert str(validation.sqref) == f"E{first}:E{last}"
    assert ws.cell(row=fmt.DETAIL_HEADER_ROW, column=fmt.STATUS_COLUMN).value == "进展状态"


def test_layout_print_and_metadata(filled: LiaisonService, tmp_path: Path) -> None:
    path = export(filled, "区市场监管局", tmp_path)
    assert path.name == "区市场监管局_2019年12月_营商环境工作进展.xlsx"
    workbook = load_workbook(path)
    assert workbook.sheetnames == [
        fmt.SHEET_COVER,
        fmt.SHEET_DETAIL,
        fmt.SHEET_EVIDENCE,
        fmt.SHEET_CASES,
        "指标",
        "时间节点",
        fmt.SHEET_CHECK,  # more incomplete items than the cover lists
        fmt.SHEET_CODES,
        fmt.SHEET_META,
    ]
    detail = workbook[fmt.SHEET_DETAIL]
    assert detail.freeze_panes == "B3" and detail.auto_filter.ref.startswith("A2:P")
    assert detail.page_setup.orientation == "landscape" and detail.page_setup.paperSize == 9
    # printed at 100 %: only the eight columns a reader of paper needs (A–H)
    assert not detail.sheet_properties.pageSetUpPr.fitToPage and detail.page_setup.scale == 100
    assert detail.print_area.startswith("'任务进展'!$A$1:$H$")
    assert detail.print_title_rows == "$1:$2"
    assert "&P" in detail.oddFooter.center.text
    assert detail.page_margins.footer < detail.page_margins.bottom
    assert detail.cell(row=3, column=2).font.name == "宋体"
    long_row = max(range(3, detail.max_row + 1), key=lambda r: len(str(detail.cell(row=r, column=2).value)))
    assert detail.row_dimensions[long_row].height > 45  # wrapped text gets a tall row
    meta = workbook[fmt.SHEET_META]
    assert meta.sheet_state == "hidden" and meta.protection.sheet
    values = {meta.cell(row=r, column=1).value: meta.cell(row=r, column=2).value for r in range(1, 13)}
    assert values["format"] == fmt.FORMAT_NAME and values["unit"] == "区市场监管局"
    assert values["liaison"] == "张三" and re.fullmatch(r"[0-9a-f]{64}", values["data_sha256"])
    cover = [str(c.value) for row in workbook[fmt.SHEET_COVER].iter_rows() for c in row if c.value]
    assert fmt.TITLE in cover and "张三" in cover and "023-62988888" in cover
    for label in ("填报人(签字):", "审核人(签字):", "单位负责人(签字):", "单位(盖章):", "年      月      日"):
        assert label in cover, label


def test_hash_detects_an_edited_cell(filled: LiaisonService, tmp_path: Path) -> None:
    path = export(filled, "区市场监管局", tmp_path)
    workbook = load_workbook(path)
    workbook[fmt.SHEET_DETAIL].cell(row=4, column=10).value = "已完成"  # someone improves 1.2
    edited = tmp_path / "edited.xlsx"
    workbook.save(edited)
    assert read_report(edited).modified
    assert not read_report(path).modified


def test_only_this_units_data_goes_in(filled: LiaisonService, tmp_path: Path) -> None:
    path = export(filled, "区市场监管局", tmp_path)
    with zipfile.ZipFile(path) as archive:
        everything = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    assert "公安分局的秘密备注" not in everything
    codes = {r.code for r in read_report(path).rows}
    assert codes == {t.item.id for t in filled.tasks("区市场监管局")}


def test_exports_are_recorded_and_the_next_shows_changes(
    filled: LiaisonService, tmp_path: Path, clock: FixedClock
) -> None:
    reports = ReportService(filled)
    export(filled, "区市场监管局", tmp_path, "2019-11")
    first = read_report(tmp_path / default_file_name("区市场监管局", "2019-11"))
    assert all(r.change == "" for r in first.rows)
    clock.advance(days=20)
    filled.update("区市场监管局", "1.2", status="已完成")
    filled.update("区市场监管局", "2", note="已完成对接")
    second_path = export(filled, "区市场监管局", tmp_path, "2019-12")
    changes = {r.code: r.change for r in read_report(second_path).rows if r.change}
    assert changes == {"1.2": "状态:推进中→已完成", "2": "进展情况有更新"}
    history = reports.exports("区市场监管局")
    assert [h.period for h in history] == ["2019-12", "2019-11"]
    assert history[0].data_sha256 == read_report(second_path).meta["data_sha256"]


def test_soft_check_and_incomplete_on_the_cover(service: LiaisonService, tmp_path: Path) -> None:
    reports = ReportService(service)
    service.update("区城管局", "16", status="已完成")  # done, no note, no file
    service.update("区城管局", "11.2", status="推进中")  # overdue at 2020-01-06, no note
    found = dict(reports.export_check("区城管局", dt.date(2020, 1, 6)))
    assert found["16"] == "标记已完成，但没有佐证材料和进展情况"
    assert found["11.2"] == "已逾期，进展情况中没有说明"
    assert found["17"] == "从未填报"
    path = tmp_path / "r.xlsx"
    reports.export("区城管局", "2019-12", dt.date(2020, 1, 6), path)
    cover = [str(c.value) for row in load_workbook(path)[fmt.SHEET_COVER].iter_rows() for c in row if c.value]
    assert any("在导出时尚不完整" in text for text in cover)
    assert "标记已完成，但没有佐证材料和进展情况" in cover


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a workbook at all", "不是 xlsx 文件"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(512), "密码保护"),
    ],
)
def test_reader_refuses_what_is_not_a_report(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(ReportFormatError, match=reason):
        read_report(path)


def test_reader_refuses_another_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    with pytest.raises(ReportFormatError, match="不是营商环境工作进展报表"):
        read_report(other)


def test_reader_refuses_a_newer_format(filled: LiaisonService, tmp_path: Path) -> None:
    path = export(filled, "区城管局", tmp_path)
    workbook = load_workbook(path)
    meta = workbook[fmt.SHEET_META]
    for row in range(1, meta.max_row + 1):
        if meta.cell(row=row, column=1).value == "format_version":
            meta.cell(row=row, column=2).value = "99"
    workbook.save(path)
    with pytest.raises(ReportFormatError, match="更新版本"):
        read_report(path)


def test_format_document_agrees_with_the_code() -> None:
    doc = (REPO / "docs" / "report-format.md").read_text(encoding="utf-8")
    for header in (
        *fmt.DETAIL_HEADERS,
        *fmt.EVIDENCE_HEADERS,
        *fmt.CASE_HEADERS,
        *fmt.META_KEYS,
        *fmt.DELIVERABLE_META_KEYS,
    ):
        assert header in doc, header
    assert f"version {fmt.FORMAT_VERSION}" in doc and fmt.FORMAT_NAME in doc


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; tasks.sh installs it")
def test_libreoffice_opens_the_report(filled: LiaisonService, tmp_path: Path) -> None:
    path = export(filled, "区市场监管局", tmp_path)
    work = tmp_path / "lo"
    work.mkdir()
    source = work / "report.xlsx"
    shutil.copy(path, source)
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    for target in (csv_filter, "pdf"):
        subprocess.run(
            [SOFFICE, profile, "--headless", "--convert-to", target, "--outdir", str(work), str(source)],
            check=True,
            capture_output=True,
            timeout=180,
        )
    with (work / f"report-{fmt.SHEET_DETAIL}.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][:2] == ["编号", "工作措施"]
    by_code = {row[0]: row for row in rows[2:]}
    assert by_code["1.2"][5] == "=1+1"  # text, not 2
    assert by_code["2"][5] == "@SUM(A1:A9) 已对接"
    assert by_code["1.1"][4] == "已完成" and by_code["1.1"][7] == "1 个:系统上线通知.pdf"
    assert len(by_code) == len(filled.tasks("区市场监管局"))
    info = subprocess.run(
        ["pdfinfo", str(work / "report.pdf")], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 4 <= pages <= 16  # cover, landscape pages of 42 items at 100 %, the manifest, the checks


def test_cases_and_deliverables_travel_in_the_report(service: LiaisonService, tmp_path: Path) -> None:
    from liaison_app.store.duties import DutiesService

    duties = DutiesService(service)
    case = duties.save_case(
        "区城管局",
        period="2019-12",
        kind="positive",
        title="=“一窗办理”",
        body="报装时间压缩到5天",
        related=["16"],
    )
    duties.attach("区城管局", "case", case.id, make_file(tmp_path, "现场.jpg"))
    duties.save_case("区城管局", period="2019-11", kind="negative", title="上月案例")
    duties.update_deliverable("区城管局", "measures", status="已完成", note="已印发")
    path = export(service, "区城管局", tmp_path)
    report = read_report(path)
    assert not report.modified and report.version == fmt.FORMAT_VERSION
    assert [(c.period, c.kind, c.title, c.related, c.attachments) for c in report.cases] == [
        ("2019-12", "正面", "=“一窗办理”", "16", "现场.jpg")
    ]  # only this period's cases
    assert report.deliverable("measures") == (Status.DONE, "2019-12-06")
    assert report.deliverable("research") == (Status.NOT_STARTED, "2019-12-06")
    cover = [str(c.value) for row in load_workbook(path)[fmt.SHEET_COVER].iter_rows() for c in row if c.value]
    assert "本月典型案例" in cover and "具体措施" in cover and "调研报告" in cover
    # a changed deliverable status in the hidden sheet is caught by the hash
    workbook = load_workbook(path)
    meta = workbook[fmt.SHEET_META]
    for row in range(1, meta.max_row + 1):
        if meta.cell(row=row, column=1).value == "research_status":
            meta.cell(row=row, column=2).value = "已完成"
    workbook.save(path)
    assert read_report(path).modified


def test_a_coop_only_unit_has_no_deliverables_and_is_reminded_of_cases(
    service: LiaisonService, tmp_path: Path
) -> None:
    path = export(service, "区公安分局", tmp_path)
    report = read_report(path)
    assert report.deliverable("measures") == (None, "") and report.cases == []
    check = dict(ReportService(service).export_check("区公安分局", AS_OF, "2019-12"))
    assert "典型案例" in check and "具体措施" not in check


def downgrade(path: Path, out: Path, version: int) -> None:
    """Rewrite a version 3 export the way version 1 or 2 wrote it: the old column order, text
    dates, no _codes and no status codes, the old data hash (over the data sheets only)."""
    from liaison_app.reports.unit_report import data_hash

    report = read_report(path)
    workbook = load_workbook(path)
    del workbook[fmt.SHEET_CODES]
    detail = workbook[fmt.SHEET_DETAIL]
    detail.delete_rows(fmt.DETAIL_HEADER_ROW, detail.max_row)
    rows = [
        [n, *(getattr(r, fmt.DETAIL_FIELDS[h]) for h in fmt.DETAIL_HEADERS_V2[1:])]
        for n, r in enumerate(report.rows, start=1)
    ]
    for number, values in enumerate([list(fmt.DETAIL_HEADERS_V2), *rows], start=fmt.DETAIL_HEADER_ROW):
        for column, value in enumerate(values, start=1):
            detail.cell(row=number, column=column).value = value if value != "" else None
    evidence_sheet = workbook[fmt.SHEET_EVIDENCE]
    evidence = [
        [e.code, e.name, e.size, e.sha256, e.period, e.added_at, e.description] for e in report.evidence
    ]
    for number, values in enumerate(evidence, start=fmt.EVIDENCE_HEADER_ROW + 1):
        evidence_sheet.cell(row=number, column=6).value = values[5]  # the date as text
    meta = workbook[fmt.SHEET_META]
    keys = {meta.cell(row=r, column=1).value: r for r in range(1, meta.max_row + 1)}
    dropped = fmt.DELIVERABLE_CODE_KEYS + (fmt.DELIVERABLE_META_KEYS if version == 1 else ())
    for key in dropped:
        meta.cell(row=keys[key], column=1).value = None
        meta.cell(row=keys[key], column=2).value = None
    meta.cell(row=keys["format_version"], column=2).value = str(version)
    if version == 1:
        del workbook[fmt.SHEET_CASES]
        digest = data_hash(report.unit, report.period, report.meta["as_of"], rows, evidence)
    else:
        cases = [[c.period, c.kind, c.title, c.body, c.related, c.attachments] for c in report.cases]
        deliverables = {k: report.meta[k] for k in fmt.DELIVERABLE_META_KEYS}
        digest = data_hash(
            report.unit, report.period, report.meta["as_of"], rows, evidence, cases, deliverables
        )
    meta.cell(row=keys["data_sha256"], column=2).value = digest
    workbook.save(out)


@pytest.mark.parametrize("version", [1, 2])
def test_older_versions_are_still_read(filled: LiaisonService, tmp_path: Path, version: int) -> None:
    path = export(filled, "区市场监管局", tmp_path)
    old = tmp_path / f"v{version}.xlsx"
    downgrade(path, old, version)
    report = read_report(old)
    assert report.version == version and not report.modified and report.codes == {}
    assert report.rows == read_report(path).rows
    if version == 1:
        assert report.cases == []
    # and an edit is still caught in the old format
    workbook = load_workbook(old)
    workbook[fmt.SHEET_DETAIL].cell(row=3, column=11).value = "改过"
    workbook.save(old)
    assert read_report(old).modified
