"""On paper: the unit report and the 汇总 rendered by LibreOffice to PDF and measured.

A4 pages, no text under 9 pt, a 5,000-character note printed whole (continued over rows), the
cover alone on its page with the signature and seal block, page numbers inside the page.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from liaison_app.clock import FixedClock
from liaison_app.reports import report_format as fmt
from liaison_app.reports.report_reader import read_report
from liaison_app.store.service import LiaisonService
from tests.helpers import export
from tests.helpers import run_cli as cli
from tests.pdf_tools import A4_POINTS, SOFFICE, Page, convert, pages, smallest_font

UNIT = "区市场监管局"
pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


def long_note(length: int = 5000) -> str:
    """Numbered sentences with line breaks: any lost or reordered piece shows."""
    parts, n = [], 0
    while sum(map(len, parts)) < length:
        n += 1
        parts.append(f"第{n}句:推进营商环境优化提升工作，完成节点任务{n}项。" + ("\n" if n % 7 == 0 else ""))
    return "".join(parts)[:length]


def column_text(found: list[Page], marker: str, next_header: str) -> str:
    """The text printed in one column on every page, in reading order, without white space.

    The column starts where the word holding ``marker`` starts and ends before ``next_header``.
    """
    found = [p for p in found if any(w.text == next_header for w in p.words)]
    left = min(w.x_min for p in found for w in p.words if marker in w.text) - 2
    out = []
    for page in found:
        heads = [w for w in page.words if w.text == next_header]
        if not heads:
            continue
        top = heads[0].y_max
        # the next column starts a little left of its centred header: where its cells' text starts
        starts = [
            w.x_min for w in page.words if w.y_min > top and heads[0].x_min - 45 <= w.x_min <= heads[0].x_min
        ]
        right = min(starts, default=heads[0].x_min) - 1
        bottom = page.height - 50  # above the footer
        words = [w for w in page.words if left <= w.x_min < right and top < w.y_min and w.y_max < bottom]
        out += [w.text for w in sorted(words, key=lambda w: (round(w.y_min), w.x_min))]
    return re.sub(r"\s", "", "".join(out))


def assert_a4(found: list[Page]) -> None:
    for page in found:
        assert sorted((round(page.width), round(page.height))) == sorted(round(x) for x in A4_POINTS)


def assert_page_numbers_inside(found: list[Page]) -> None:
    for page in found:
        footer = [w for w in page.words if w.text.startswith("第")][-1:]
        assert footer and footer[0].y_max < page.height - 10, f"page {page.number}: footer cut"
        assert f"共{len(found)}页" in page.text.replace(" ", "").replace("，", ""), page.number


def test_unit_report_on_paper(service: LiaisonService, tmp_path: Path) -> None:
    note = long_note()
    service.update(UNIT, "1.2", status="推进中", note=note)
    service.update(UNIT, "1.1", status="已完成", note="已上线")
    path = export(service, UNIT, tmp_path)
    assert read_report(path).rows[1].note == note  # the continuation rows read back as one note
    detail = load_workbook(path)[fmt.SHEET_DETAIL]
    codes = [detail.cell(row=r, column=1).value for r in range(3, detail.max_row + 1)]
    assert "1.2(续)" in codes and all(
        detail.row_dimensions[r].height <= 409 for r in range(3, detail.max_row)
    )
    profile = tmp_path / "lo-profile"
    found = pages(convert(path, "pdf", tmp_path / "pdf", profile))
    assert_a4(found)
    assert smallest_font(found, profile) >= 9.0
    assert_page_numbers_inside(found)
    # the cover is one portrait page with the signature and seal block; the detail starts after it
    cover = found[0].text.replace(" ", "")
    assert found[0].width < found[0].height
    for label in ("填报人(签字):", "审核人(签字):", "单位负责人(签字):", "单位(盖章):", "(盖章处)年", "月日"):
        assert label in cover, label
    assert "工作进展(统计截至" in found[1].text and "填报人" not in found[1].text
    # every character of the 5,000-character note is printed, in order
    printed = column_text(found, "第1句", "预警")
    assert re.sub(r"\s", "", note) in printed
    # only the columns a paper reader needs are printed
    assert "较上次报送" not in "".join(p.text for p in found) and "牵头单位" not in found[1].text


def test_export_says_when_it_continued_a_long_note(service: LiaisonService, tmp_path: Path) -> None:
    service.update(UNIT, "1.2", status="推进中", note=long_note(3000))
    service.close()
    result = cli(
        service.database.path.parent, "export", "--unit", UNIT, "--period", "2019-12", "-o", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert "续排" in result.stderr and "1.2" in result.stderr


def test_consolidation_on_paper(tmp_path: Path) -> None:
    from liaison_app.reports.consolidation import consolidate, receive
    from liaison_app.reports.consolidation_report import write_consolidation
    from liaison_app.reports.unit_report import default_file_name
    from liaison_app.store.reporting import ReportService

    service = LiaisonService.open(tmp_path / "data", clock=FixedClock(dt.datetime(2020, 1, 8, 9, 0)))
    reports = ReportService(service)
    units = [u.name for u in service.units() if u.lead_items or u.coop_items]
    led = next(t.item.id for t in service.tasks("区发展改革委") if t.role == "lead")
    service.update("区发展改革委", led, status="推进中", note=long_note(4000))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for unit in units[:20]:
        reports.export(unit, "2019-12", dt.date(2020, 1, 10), inbox / default_file_name(unit, "2019-12"))
    catalog = reports.catalog_snapshot()
    result = consolidate(
        receive([inbox], catalog, "2019-12"), catalog, dt.date(2020, 1, 10), dt.datetime(2020, 1, 10)
    )
    out = tmp_path / "汇总.xlsx"
    continued = write_consolidation(result, out)
    service.close()
    assert continued  # the 4,000-character note did not fit one row
    profile = tmp_path / "lo-profile"
    found = pages(convert(out, "pdf", tmp_path / "pdf", profile))
    assert_a4(found)
    assert smallest_font(found, profile) >= 9.0
    assert_page_numbers_inside(found)
    # every unit is labelled on the overdue chart's page (the table and the chart's categories)
    chart_page = next(p for p in found if "各单位逾期工作措施数" in p.text)
    for unit in units:
        assert chart_page.text.replace(" ", "").count(unit) >= 2, unit
    assert re.sub(r"\s", "", long_note(4000)) in column_text(
        found, "区发展改革委【推进中】", "配合单位报送情况"
    )
    info = subprocess.run(
        ["pdfinfo", str(tmp_path / "pdf" / "汇总.pdf")], capture_output=True, text=True
    ).stdout
    assert "(A4)" in info
