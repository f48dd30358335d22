"""The office ledger: two months of returns received, and every figure checked from first
principles (the returns' own rows and the plan's deadlines), through the command line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from liaison_app.clock import FixedClock
from liaison_app.reports import report_format as fmt
from liaison_app.reports.report_reader import read_report
from liaison_app.reports.unit_report import default_file_name
from liaison_app.store.ledger import OfficeLedger
from liaison_app.store.ledger_register import period_end
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.vocabulary import SETTLED, Status
from tests.helpers import cli_run, db_rows, first_start, open_with_clock

ON_TIME, SUPERSEDED_UNIT, LATE, EDITED, MISSING = (
    "区城管局",
    "区市场监管局",
    "区法院",
    "区经济信息委",
    "区公安分局",
)
NOV, DEC = "2019-11", "2019-12"


def _edit(path: Path) -> None:
    """Change one 进展情况 after export, the way a unit's clerk would in Excel."""
    wb = load_workbook(path)
    ws = wb[fmt.SHEET_DETAIL]
    ws.cell(row=fmt.DETAIL_HEADER_ROW + 1, column=fmt.DETAIL_HEADERS.index("进展情况") + 1).value = "手工改过"
    wb.save(path)


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Path]]]:
    """The units' side: one liaison data folder exporting every return of the two months."""
    root = tmp_path_factory.mktemp("units")
    clock = FixedClock(dt.datetime(2019, 11, 15, 9, 0))
    service = LiaisonService.open(root / "data", clock=clock)
    reports = ReportService(service)
    out = root / "out"
    out.mkdir()
    files: dict[str, Path] = {}

    def export(key: str, unit: str, period: str, as_of: dt.date) -> None:
        folder = out / key
        folder.mkdir()
        files[key] = folder / default_file_name(unit, period)
        reports.export(unit, period, as_of, files[key])
        clock.advance(minutes=10)

    statuses = list(Status)
    for n, unit in enumerate((ON_TIME, SUPERSEDED_UNIT, LATE, EDITED, MISSING)):
        for k, task in enumerate(service.tasks(unit)):
            status = statuses[(n + 2 * k) % len(statuses)]
            if status is not Status.NOT_STARTED:
                service.update(unit, task.item.id, status=status, note=f"{unit}第{k}条")
    service.update(SUPERSEDED_UNIT, "1.1", status=Status.IN_PROGRESS, note="系统联调中")  # due 2019-09-30
    nov = dt.date(2019, 11, 18)
    for unit in (ON_TIME, SUPERSEDED_UNIT, LATE, EDITED):
        export(f"nov-{unit}", unit, NOV, nov)
    for task in service.tasks(SUPERSEDED_UNIT)[-3:]:
        service.update(SUPERSEDED_UNIT, task.item.id, status=Status.DONE, note="补报")
    export(f"nov-{SUPERSEDED_UNIT}-newer", SUPERSEDED_UNIT, NOV, nov)
    _edit(files[f"nov-{EDITED}"])
    clock.advance(days=30)
    for unit in (ON_TIME, SUPERSEDED_UNIT, LATE, EDITED, MISSING):
        for task in service.tasks(unit)[:4]:
            service.update(unit, task.item.id, status=Status.ONGOING, note="常态化")
    dec = dt.date(2019, 12, 18)
    for unit in (ON_TIME, SUPERSEDED_UNIT, LATE, EDITED, MISSING):
        export(f"dec-{unit}", unit, DEC, dec)
    export("future", ON_TIME, "2020-01", dt.date(2020, 1, 10))
    export("too-early", ON_TIME, "2019-10", dt.date(2019, 10, 20))
    service.close()
    yield out, files


@pytest.fixture
def office(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """The office's clock: cli.run opens the data folder with it. The folder is the bundled
    plan's first start that day, copied (creating it costs ~0.4 s)."""
    first_start(data_dir)
    clock = FixedClock(dt.datetime(2019, 11, 20, 9, 0))
    open_with_clock(monkeypatch, clock)
    return clock


def office_run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return cli_run(capsys, "office", *argv)


def receive_two_months(
    office: FixedClock, capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    junk = files[f"nov-{ON_TIME}"].parent.parent / "说明.xlsx"
    junk.write_text("不是报表", encoding="utf-8")
    code, out, _ = office_run(
        capsys,
        "receive",
        str(files[f"nov-{ON_TIME}"]),
        str(files[f"nov-{SUPERSEDED_UNIT}"]),
        str(files[f"nov-{SUPERSEDED_UNIT}-newer"]),
        str(files[f"nov-{EDITED}"]),
        str(files["future"]),
        str(files["too-early"]),
        str(junk),
    )
    assert code == 1, out
    assert f"已拒收  {junk.name}" in out
    assert "尚未到来" in out and "早于工作方案印发" in out and "已被修改(未采用)" in out
    office.advance(days=8)  # 2019-11-28: three days after the 25th
    assert office_run(capsys, "receive", str(files[f"nov-{LATE}"]))[0] == 0
    office.advance(days=22)  # 2019-12-20
    code, out, _ = office_run(
        capsys,
        "receive",
        *(str(files[f"dec-{u}"].parent) for u in (ON_TIME, SUPERSEDED_UNIT, LATE, EDITED, MISSING)),
    )
    assert code == 0, out


def first_principles(path: Path, period: str, deadlines: dict[str, dt.date | None]) -> dict[str, float]:
    """Completion, overdue and 序时进度 of one return, read from the file itself: its rows, and
    its 时间节点 sheet (a milestone dated by the period's end is done when the sheet gives its
    完成日期 or its item is settled, else overdue)."""
    report = read_report(path)
    end = period_end(period)
    rows = report.rows
    done = [r.code for r in rows if report.status_of(r.code) in SETTLED]
    due = [r.code for r in rows if (d := deadlines[r.code]) is not None and d <= end]
    assert report.promises is not None
    milestones = [m for m in report.promises.milestones if dt.date.fromisoformat(m.date) <= end]
    milestones_done = [m for m in milestones if m.done_on or m.code in done]
    return {
        "items": len(rows),
        "settled": len(done),
        "overdue": sum(r.light == "逾期" for r in rows),
        "due": len(due),
        "due_settled": len(set(due) & set(done)),
        "milestones_due": len(milestones),
        "milestones_done": len(milestones_done),
    }


def schedule(f: dict[str, float]) -> float:
    """序时进度: of the items and milestones due by the period's end, the share done."""
    due = f["due"] + f["milestones_due"]
    return (f["due_settled"] + f["milestones_done"]) / due if due else 1.0


def test_two_months_of_returns(
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    returns: tuple[Path, dict[str, Path]],
    tmp_path: Path,
) -> None:
    _out, files = returns
    receive_two_months(office, capsys, files)

    # receiving the same files again changes nothing
    before = db_rows(data_dir, "SELECT * FROM office_return ORDER BY id")
    assert "说明.xlsx" not in {row[8] for row in before}  # unreadable: reported, not recorded
    assert office_run(capsys, "receive", str(files[f"nov-{ON_TIME}"]), str(files[f"dec-{LATE}"]))[0] == 0
    assert db_rows(data_dir, "SELECT * FROM office_return ORDER BY id") == before
    verdicts = dict(
        db_rows(data_dir, "SELECT original_name || '@' || exported_at, verdict FROM office_return")
    )
    assert sorted(verdicts.values()).count("superseded") == 1
    # six in November (both of the superseded unit's files stay, and the two refused ones with
    # their reasons), the late one, five in December
    assert len(before) == 6 + 1 + 5
    # the kept files are the received bytes, by their SHA-256
    import hashlib

    for sha, name in db_rows(data_dir, "SELECT sha256, original_name FROM office_return"):
        blob = data_dir / "evidence" / str(sha)[:2] / str(sha)
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == sha, name

    # register: exactly what happened
    code, out, _ = office_run(capsys, "register", "--period", NOV, "--json")
    assert code == 0
    register = {u["unit"]: u for u in json.loads(out)["units"]}
    assert register[ON_TIME]["state"] == "按时"
    assert register[SUPERSEDED_UNIT]["state"] == "按时"
    newer = read_report(files[f"nov-{SUPERSEDED_UNIT}-newer"]).exported_at
    assert register[SUPERSEDED_UNIT]["exported_at"] == newer.isoformat(timespec="seconds")
    assert (register[LATE]["state"], register[LATE]["days_late"]) == ("迟报", 3)
    assert register[LATE]["received_at"] == "2019-11-28T09:00:00"
    assert register[EDITED]["state"] == "已被修改"
    assert register[MISSING]["state"] == "未报"
    assert {u for u, line in register.items() if line["state"] == "未报"} == set(register) - {
        ON_TIME,
        SUPERSEDED_UNIT,
        LATE,
        EDITED,
    }
    dec_register = json.loads(office_run(capsys, "register", "--period", DEC, "--json")[1])
    assert {u["unit"] for u in dec_register["units"] if u["state"] == "按时"} == {
        ON_TIME,
        SUPERSEDED_UNIT,
        LATE,
        EDITED,
        MISSING,
    }

    # trend, 序时进度 and ranking, from the returns themselves
    service = LiaisonService.open_read_only(data_dir)
    # the command read the register with sqlite3 alone; the service's ledger says the same
    assert [line.as_json() for line in OfficeLedger(service).register(NOV)] == json.loads(out)["units"]
    deadlines = {item.id: item.deadline for item in service.catalog()}
    service.close()
    used = {
        NOV: [files[f"nov-{ON_TIME}"], files[f"nov-{SUPERSEDED_UNIT}-newer"], files[f"nov-{LATE}"]],
        DEC: [files[f"dec-{u}"] for u in (ON_TIME, SUPERSEDED_UNIT, LATE, EDITED, MISSING)],
    }
    expected = {}
    for period, found in used.items():
        per_file = [first_principles(path, period, deadlines) for path in found]
        total = {key: sum(f[key] for f in per_file) for key in per_file[0]}
        expected[period] = total
    code, out, _ = office_run(capsys, "trend", "--json")
    trend = json.loads(out)
    points = {p["period"]: p for p in trend["trend"]}
    assert set(points) == {NOV, DEC}
    for period, total in expected.items():
        assert points[period]["items"] == total["items"]
        assert points[period]["completion"] == round(total["settled"] / total["items"], 4)
        assert points[period]["overdue"] == total["overdue"]
        assert points[period]["schedule"] == round(schedule(total), 4)
        overdue_milestones = total["milestones_due"] - total["milestones_done"]
        assert points[period]["overdue_milestones"] == overdue_milestones
    assert any(p["overdue_milestones"] for p in points.values()), "the scenario should have some"
    change = (
        expected[DEC]["settled"] / expected[DEC]["items"] - expected[NOV]["settled"] / expected[NOV]["items"]
    )
    assert points[DEC]["completion_change"] == round(change, 4)
    assert points[NOV]["completion_change"] is None

    per_unit = {
        u: first_principles(files[f"dec-{u}"], DEC, deadlines)
        for u in (ON_TIME, SUPERSEDED_UNIT, LATE, EDITED, MISSING)
    }
    order = [u.name for u in LiaisonService.open_read_only(data_dir).units()]

    expected_rank = sorted(
        per_unit, key=lambda u: (-schedule(per_unit[u]), per_unit[u]["overdue"], order.index(u))
    )
    assert [r["unit"] for r in trend["ranking"]["units"]] == expected_rank
    unit_trend = json.loads(office_run(capsys, "trend", "--unit", LATE, "--json")[1])["trend"]
    late_nov = first_principles(files[f"nov-{LATE}"], NOV, deadlines)
    assert [p["period"] for p in unit_trend] == [NOV, DEC]
    assert unit_trend[0]["schedule"] == round(schedule(late_nov), 4)
    assert [
        p["period"] for p in json.loads(office_run(capsys, "trend", "--unit", EDITED, "--json")[1])["trend"]
    ] == [DEC]

    # 催办: exactly the units not on time in November, or with 逾期 items in what they sent
    overdue_units = {
        unit
        for unit, path in ((ON_TIME, used[NOV][0]), (SUPERSEDED_UNIT, used[NOV][1]), (LATE, used[NOV][2]))
        if first_principles(path, NOV, deadlines)["overdue"]
    }
    assert overdue_units, "the scenario should have overdue items"
    expected_units = {u for u, line in register.items() if line["state"] != "按时"} | overdue_units
    folder = tmp_path / "催办"
    code, out, _ = office_run(capsys, "remind", "--period", NOV, "-o", str(folder))
    assert code == 0
    written = {load_workbook(p).active.cell(row=3, column=2).value for p in folder.glob("*.xlsx")}
    assert written == expected_units
    notice = load_workbook(next(folder.glob(f"*{LATE}*.xlsx"))).active
    texts = [str(c.value) for row in notice.iter_rows() for c in row if c.value is not None]
    assert "迟报 3 天(收到于 2019-11-28)" in texts

    # the bulletin's figures are the register's
    bulletin = tmp_path / "通报.xlsx"
    assert office_run(capsys, "bulletin", "--period", NOV, "-o", str(bulletin))[0] == 0
    wb = load_workbook(bulletin)
    figures = {row[0]: row[1] for row in wb["概况"].iter_rows(min_row=3, values_only=True)}
    states = [line["state"] for line in register.values()]
    for state in ("按时", "迟报", "未报", "已被修改", "已拒收"):
        assert figures[f"{state}单位"] == states.count(state)
    assert figures["应报单位"] == len(register)
    assert figures["逾期事项"] == expected[NOV]["overdue"]
    late_sheet = [row[0] for row in wb["迟报未报"].iter_rows(min_row=3, values_only=True)]
    assert set(late_sheet) == {u for u, line in register.items() if line["state"] != "按时"}
    assert all(str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 for ws in wb)
    assert all(c.font.sz >= 9 for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)


def test_due_dates(office: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    assert office_run(capsys, "due", "--period", NOV)[1].strip() == "2019年11月 报送截止日期:2019-11-25"
    assert office_run(capsys, "due", "--day", "31")[0] == 0
    assert office_run(capsys, "due", "--period", "2020-02")[1].strip().endswith("2020-02-29")
    assert (
        office_run(capsys, "due", "--period", NOV, "--date", "2019-12-02")[1].strip().endswith("2019-12-02")
    )
    assert office_run(capsys, "due", "--period", "2019-12")[1].strip().endswith("2019-12-31")
    code, _out, err = office_run(capsys, "due", "--day", "40")
    assert code == 2 and "1 到 31" in err


def test_nothing_half_recorded_when_the_database_fails(
    office: FixedClock, data_dir: Path, returns: tuple[Path, dict[str, Path]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _out, files = returns
    service = LiaisonService.open(data_dir)
    ledger = OfficeLedger(service)
    calls = 0
    original = service.item_id

    def failing(code: str) -> int:
        nonlocal calls
        calls += 1
        if calls > 3:
            raise RuntimeError("disk gone")
        return original(code)

    monkeypatch.setattr(service, "item_id", failing)
    with pytest.raises(RuntimeError):
        ledger.receive([files[f"nov-{ON_TIME}"]])
    monkeypatch.undo()
    assert db_rows(data_dir, "SELECT COUNT(*) FROM office_return") == [(0,)]
    assert db_rows(data_dir, "SELECT COUNT(*) FROM office_return_row") == [(0,)]
    service.close()
    shutil.rmtree(data_dir / "evidence", ignore_errors=True)


def test_a_received_workbook_outlives_the_same_bytes_removed_as_evidence(
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    returns: tuple[Path, dict[str, Path]],
) -> None:
    _out, files = returns
    path = files[f"nov-{ON_TIME}"]
    assert office_run(capsys, "receive", str(path))[0] == 0
    service = LiaisonService.open(data_dir)
    record = service.attach(ON_TIME, "16", path)
    service.remove_evidence(record.id)
    service.close()
    ((sha,),) = db_rows(data_dir, "SELECT sha256 FROM office_return")
    assert (data_dir / "evidence" / str(sha)[:2] / str(sha)).is_file()


def test_bad_input_is_one_chinese_line(
    office: FixedClock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = office_run(capsys, "register")
    assert (code, out) == (2, "") and err.startswith("错误:台账中还没有接收过任何报表")
    code, _out, err = office_run(capsys, "trend", "--unit", "不存在的单位")
    assert code == 2 and err.startswith("错误:") and "Traceback" not in err
    code, _out, err = office_run(capsys, "receive", str(tmp_path / "没有这个文件.xlsx"))
    assert code == 2 and "找不到" in err


def test_an_older_export_arriving_later_does_not_replace_the_newer(
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    returns: tuple[Path, dict[str, Path]],
) -> None:
    _out, files = returns
    newer, older = files[f"nov-{SUPERSEDED_UNIT}-newer"], files[f"nov-{SUPERSEDED_UNIT}"]
    assert office_run(capsys, "receive", str(newer))[0] == 0
    office.advance(hours=2)
    code, out, _ = office_run(capsys, "receive", str(older))
    assert code == 0 and "已被更新的报表取代" in out
    assert sorted(db_rows(data_dir, "SELECT verdict FROM office_return")) == [("accepted",), ("superseded",)]
    register = json.loads(office_run(capsys, "register", "--period", NOV, "--json")[1])["units"]
    (line,) = [u for u in register if u["unit"] == SUPERSEDED_UNIT]
    exported = read_report(newer).exported_at.isoformat(timespec="seconds")
    assert exported > read_report(older).exported_at.isoformat(timespec="seconds")
    assert (line["exported_at"], line["received_at"]) == (exported, "2019-11-20T09:00:00")


def test_the_office_confirms_an_edited_return(
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    returns: tuple[Path, dict[str, Path]],
) -> None:
    _out, files = returns
    edited = files[f"nov-{EDITED}"]
    assert office_run(capsys, "receive", str(edited))[0] == 1
    register = json.loads(office_run(capsys, "register", "--period", NOV, "--json")[1])["units"]
    assert [u["state"] for u in register if u["unit"] == EDITED] == ["已被修改"]
    assert json.loads(office_run(capsys, "trend", "--json")[1])["trend"] == []
    office.advance(days=1)
    code, out, _ = office_run(capsys, "receive", str(edited), "--accept-modified", str(edited))
    assert code == 0 and "已被修改(经确认采用)" in out
    assert db_rows(data_dir, "SELECT verdict, received_at FROM office_return") == [
        ("modified_accepted", "2019-11-20 09:00:00.000000")
    ]
    register = json.loads(office_run(capsys, "register", "--period", NOV, "--json")[1])["units"]
    assert [u["state"] for u in register if u["unit"] == EDITED] == ["按时"]
    (point,) = json.loads(office_run(capsys, "trend", "--json")[1])["trend"]
    assert point["items"] == len(read_report(edited).rows)


def test_office_register_reads_without_the_service_and_says_what_the_ledger_says(
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    returns: tuple[Path, dict[str, Path]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every period of a ledger with on-time, late, missing, superseded, edited and refused
    returns: ``office register --json`` (sqlite3 alone) prints the service's own register."""
    receive_two_months(office, capsys, returns[1])
    service = LiaisonService.open_read_only(data_dir)
    try:
        ledger = OfficeLedger(service)
        expected = {
            period: [line.as_json() for line in ledger.register(period)] for period in ledger.periods()
        }
    finally:
        service.close()
    assert set(expected) == {"2019-10", NOV, DEC, "2020-01"}  # the refused ones stay on record too

    def no_service(*_args: object, **_kwargs: object) -> LiaisonService:
        raise AssertionError("office register opened the service")

    monkeypatch.setattr(LiaisonService, "open", classmethod(no_service))
    monkeypatch.setattr(LiaisonService, "open_read_only", classmethod(no_service))
    printed = {}
    for period in expected:
        code, out, err = office_run(capsys, "register", "--period", period, "--json")
        assert code == 0, err
        printed[period] = json.loads(out)["units"]
    assert printed == expected
    states = {line["state"] for lines in printed.values() for line in lines}
    assert states == {"按时", "迟报", "未报", "已被修改", "已拒收"}
    # no --period: the latest period with a return in use, not 2020-01 (only a refused future file)
    latest = json.loads(office_run(capsys, "register", "--json")[1])
    assert latest["period"] == DEC and latest["units"] == expected[DEC]
