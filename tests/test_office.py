"""The office pipeline (receive → judge → consolidate → write), the one the CLI and the window run."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from liaison_app.reports import office
from liaison_app.reports.consolidation_report import SHEET_OVERVIEW
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.vocabulary import Verdict

V2 = Path(__file__).parent / "fixtures" / "reports" / "v2"
MADE_AT = dt.datetime(2019, 12, 2, 9, 0)


def job(service: LiaisonService, inbox: Path, **options: object) -> office.OfficeJob:
    catalog = ReportService(service).catalog_snapshot()
    return office.OfficeJob.of([inbox], catalog, MADE_AT, dt.date(2019, 12, 2), **options)  # type: ignore[arg-type]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    shutil.copytree(V2, folder)
    return folder


def test_progress_then_merge_then_write_into_a_folder(
    service: LiaisonService, inbox: Path, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    outcome = office.run(job(service, inbox), lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]
    assert outcome.has_reports and outcome.all_used
    assert outcome.result.period == "2019-11" and outcome.result.as_of == dt.date(2019, 11, 30)
    out = tmp_path / "out"
    out.mkdir()
    written = office.write(outcome.result, out)
    assert written == out / "汇总_2019年11月_营商环境工作进展.xlsx"
    assert [p.name for p in out.iterdir()] == [written.name]  # no temporary file left behind
    assert load_workbook(written, read_only=True).sheetnames[0] == SHEET_OVERVIEW


def test_a_refused_file_is_reported_and_nothing_usable_means_nothing_to_write(
    service: LiaisonService, inbox: Path
) -> None:
    (inbox / "随便.xlsx").write_bytes(b"not a workbook")
    outcome = office.run(job(service, inbox))
    assert not outcome.all_used and outcome.has_reports
    assert [v.verdict for v in outcome.intake.verdicts].count(Verdict.REJECTED) == 1
    assert not office.run(job(service, inbox, period="2020-01")).has_reports


def test_cancel_stops_between_files(service: LiaisonService, inbox: Path) -> None:
    calls: list[int] = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1  # let the first file through, then cancel

    with pytest.raises(InterruptedError):
        office.run(job(service, inbox), None, cancelled)
    assert len(calls) == 2


def test_the_pipeline_loads_neither_qt_nor_the_database() -> None:
    code = (
        "import sys, liaison_app.reports.office;"
        "print(sorted(m for m in ('PySide6', 'sqlalchemy') if m in sys.modules))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
