"""The office pins each unit's signing key (#19 point 8, the office side): two installations
(two key pairs) export real returns; the office receives them through the command line.

A forger's re-signed return is 签名不符 and never supersedes the genuine one; an honest
re-export is accepted; a new PC is accepted only after the office registers its key; a revoked
key is refused; one-off ``consolidate`` in the office's data folder uses the same keys."""

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
from liaison_app.signing import Signer, load_or_create
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from liaison_app.vocabulary import Status
from tests.helpers import cli_run as run
from tests.helpers import db_rows, open_with_clock

UNIT, OTHER = "区甲局", "区乙局"
APRIL = "2020-04"


class Installation:
    """One liaison PC: its own data folder (so its own key pair) and clock."""

    def __init__(self, folder: Path, template: Path) -> None:
        shutil.copytree(template, folder / "data")
        self.folder = folder
        self.clock = FixedClock(dt.datetime(2020, 4, 20, 9, 0))
        self.service = LiaisonService.open(folder / "data", clock=self.clock)
        self.count = 0

    def export(self, unit: str = UNIT, note: str = "") -> Path:
        if note:
            self.service.update(unit, "1.1", status=Status.IN_PROGRESS, note=note)
        self.count += 1
        self.clock.advance(minutes=10)
        out = self.folder / f"out-{self.count}"
        out.mkdir()
        path = out / default_file_name(unit, APRIL)
        ReportService(self.service).export(unit, APRIL, dt.date(2020, 4, 20), path)
        return path

    @property
    def signer(self) -> Signer:
        return load_or_create(self.folder / "data")


@pytest.fixture
def pcs(tmp_path: Path, synthetic_template: Path) -> Iterator[tuple[Installation, Installation]]:
    first = Installation(tmp_path / "pc1", synthetic_template)
    second = Installation(tmp_path / "pc2", synthetic_template)
    yield first, second
    first.service.close()
    second.service.close()


@pytest.fixture
def office(data_dir: Path, synthetic_template: Path, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    """The office's data folder (the synthetic plan) and clock; cli.main opens it with the clock."""
    shutil.copytree(synthetic_template, data_dir)
    clock = FixedClock(dt.datetime(2020, 4, 24, 9, 0))
    open_with_clock(monkeypatch, clock)
    return clock


def forge(genuine: Path, forger: Signer, folder: Path) -> Path:
    """What a forger does with the genuine return: edit it, print their own key's fingerprint on
    the cover, recompute the content hash by the documented recipe and sign it with their key."""
    folder.mkdir()
    path = folder / genuine.name
    shutil.copy2(genuine, path)
    workbook = load_workbook(path)
    detail = workbook[fmt.SHEET_DETAIL]
    detail.cell(
        row=fmt.DETAIL_HEADER_ROW + 1, column=fmt.DETAIL_HEADERS.index("进展情况") + 1
    ).value = "早已完成"
    cover = workbook[fmt.SHEET_COVER]
    for row in cover.iter_rows():
        for cell in row:
            if cell.value == fmt.FINGERPRINT_LABEL:
                cover.cell(row=cell.row, column=cell.column + 1).value = forger.fingerprint
    meta = workbook[fmt.SHEET_META]
    pairs = [(str(r[0].value), r[1].value) for r in meta.iter_rows(max_col=2) if r[0].value]
    sheets = [
        (ws.title, [(c.coordinate, c.value) for row in ws.iter_rows() for c in row])
        for ws in workbook.worksheets
        if ws.title != fmt.SHEET_META
    ]
    digest = fmt.content_hash(pairs, sheets)
    for row in meta.iter_rows(max_col=2):
        if row[0].value == "data_sha256":
            row[1].value = digest
        elif row[0].value == "signing_key":
            row[1].value = forger.public_key
        elif row[0].value == "signature":
            row[1].value = forger.sign(digest)
    workbook.save(path)
    forged = read_report(path)
    assert forged.signature == "valid" and not forged.modified  # only pinning can catch it
    assert forged.exported_at == read_report(genuine).exported_at
    return path


def verdicts(data_dir: Path) -> list[tuple[object, ...]]:
    return db_rows(data_dir, "SELECT original_name, verdict, fingerprint FROM office_return ORDER BY id")


def register_state(capsys: pytest.CaptureFixture[str], unit: str = UNIT) -> dict[str, object]:
    data = json.loads(run(capsys, "office", "register", "--period", APRIL, "--json")[1])
    (line,) = [u for u in data["units"] if u["unit"] == unit]
    return line  # type: ignore[no-any-return]


def test_the_first_return_pins_the_key_and_a_forgery_signed_with_another_is_refused(
    pcs: tuple[Installation, Installation],
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
) -> None:
    genuine_pc, forger_pc = pcs
    genuine = genuine_pc.export(note="按计划推进")
    assert forger_pc.export(OTHER)  # the forger's own installation has made its key
    assert genuine_pc.signer.fingerprint != forger_pc.signer.fingerprint
    code, out, _ = run(capsys, "office", "receive", str(genuine))
    assert code == 0 and "已接收" in out
    (key,) = json.loads(run(capsys, "office", "keys", "--json")[1])["keys"]
    assert (key["unit"], key["fingerprint"], key["source"]) == (
        UNIT,
        genuine_pc.signer.fingerprint,
        "first_return",
    )
    assert key["since"] == "2020-04-24T09:00:00" and key["revoked_at"] is None

    forged = forge(genuine, forger_pc.signer, tmp_path / "forged")
    office.advance(hours=1)
    code, out, err = run(capsys, "office", "receive", str(forged))
    assert code == 1 and err == ""
    assert "签名不符" in out and forger_pc.signer.fingerprint in out and "不是办公室为本单位登记的密钥" in out
    # recorded as refused with the reason; the genuine return is still the one in use
    rows = db_rows(data_dir, "SELECT verdict, reason, fingerprint FROM office_return ORDER BY id")
    assert [r[0] for r in rows] == ["accepted", "bad_signature"]
    assert "不是办公室为本单位登记的密钥" in str(rows[1][1]) and rows[1][2] == forger_pc.signer.fingerprint
    assert register_state(capsys)["state"] == "按时"
    (point,) = json.loads(run(capsys, "office", "trend", "--unit", UNIT, "--json")[1])["trend"]
    assert point["items"] == len(read_report(genuine).rows)
    # no second key was pinned by the forgery
    assert len(json.loads(run(capsys, "office", "keys", "--json")[1])["keys"]) == 1


def test_an_honest_re_export_is_accepted_and_supersedes(
    pcs: tuple[Installation, Installation],
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
) -> None:
    pc, _other = pcs
    first = pc.export(note="第一次")
    again = pc.export(note="补充了进展")
    assert run(capsys, "office", "receive", str(first))[0] == 0
    office.advance(hours=2)
    code, out, _ = run(capsys, "office", "receive", str(again))
    assert code == 0 and "已接收" in out and "签名不符" not in out
    assert [r[1] for r in verdicts(data_dir)] == ["superseded", "accepted"]


def test_a_return_from_a_new_pc_is_refused_until_the_office_registers_its_key(
    pcs: tuple[Installation, Installation],
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
) -> None:
    old_pc, new_pc = pcs
    assert run(capsys, "office", "receive", str(old_pc.export(note="旧电脑")))[0] == 0
    new_pc.clock.advance(days=1)
    from_new_pc = new_pc.export(note="换了新电脑")
    office.advance(hours=1)
    code, out, _ = run(capsys, "office", "receive", str(from_new_pc))
    assert code == 1 and "签名不符" in out
    assert register_state(capsys)["state"] == "按时"  # the old PC's return stays in use
    assert [r[1] for r in verdicts(data_dir)] == ["accepted", "bad_signature"]

    # the liaison reads the fingerprint off the sealed cover; the office registers it
    printed = read_report(from_new_pc).cover_fingerprint
    assert printed == new_pc.signer.fingerprint
    code, out, err = run(capsys, "office", "keys", "register", "--unit", UNIT, printed.replace(" ", ""))
    assert code == 0, err
    assert f"已登记 {UNIT} 的签名密钥 {printed}(办公室登记)" in out
    assert "重新判定:已接收" in out  # the refused return, kept by the office, is judged again
    assert [r[1] for r in verdicts(data_dir)] == ["superseded", "accepted"]
    assert register_state(capsys)["exported_at"] == read_report(from_new_pc).exported_at.isoformat(
        timespec="seconds"
    )
    listed = json.loads(run(capsys, "office", "keys", "--json")[1])["keys"]
    assert [(k["fingerprint"], k["source"]) for k in listed] == [
        (old_pc.signer.fingerprint, "first_return"),
        (printed, "registered"),
    ]

    # the old PC was handed on: revoke its key, and its returns are refused from now on
    code, out, _ = run(
        capsys, "office", "keys", "revoke", "--unit", UNIT, "--fingerprint", old_pc.signer.fingerprint
    )
    assert code == 0 and "已撤销" in out
    office.advance(hours=1)
    code, out, _ = run(capsys, "office", "receive", str(old_pc.export(note="旧电脑又导出")))
    assert code == 1 and "签名不符" in out
    assert [r[1] for r in verdicts(data_dir)] == ["superseded", "accepted", "bad_signature"]
    code, _out, err = run(capsys, "office", "keys", "register", "--unit", UNIT, old_pc.signer.fingerprint)
    assert code == 2 and "已于" in err and "撤销" in err  # a revoked key is not registered again
    assert len(err.strip().splitlines()) == 1


def test_keys_registered_from_a_return_or_a_list(
    pcs: tuple[Installation, Installation],
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
) -> None:
    first, second = pcs
    code, out, err = run(capsys, "office", "keys", "register", "--unit", UNIT, str(first.export()))
    assert code == 0, err
    listing = tmp_path / "密钥清单.csv"
    listing.write_text(f"单位,签名密钥指纹\n{OTHER},{second.signer.fingerprint}\n", encoding="utf-8-sig")
    assert run(capsys, "office", "keys", "register", str(listing))[0] == 0
    code, out, _ = run(capsys, "office", "keys")
    assert f"{UNIT}\t{first.signer.fingerprint}" in out and f"{OTHER}\t{second.signer.fingerprint}" in out
    # the first return of 区乙局 signed by another key than the one on its list is refused
    code, out, _ = run(capsys, "office", "receive", str(first.export(OTHER)))
    assert code == 1 and "签名不符" in out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["register", "--unit", UNIT, "不是指纹"], "不是签名密钥指纹"),
        (["register", "--unit", "没有这个单位", "0" * 32], "没有名为"),
        (["register", "0" * 32], "--unit"),
        (["revoke", "--unit", UNIT, "--fingerprint", "0" * 32], "没有登记过"),
    ],
)
def test_bad_key_input_is_one_chinese_line_and_records_nothing(
    office: FixedClock, capsys: pytest.CaptureFixture[str], data_dir: Path, argv: list[str], says: str
) -> None:
    code, out, err = run(capsys, "office", "keys", *argv)
    assert code == 2 and out == "" and says in err and len(err.strip().splitlines()) == 1
    assert db_rows(data_dir, "SELECT * FROM unit_key") == []


def test_a_bad_row_in_a_key_list_registers_none_of_it(
    office: FixedClock, capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    listing = tmp_path / "list.csv"
    listing.write_text(f"单位,签名密钥指纹\n{UNIT},{'A' * 32}\n{OTHER},12345\n", encoding="utf-8")
    code, _out, err = run(capsys, "office", "keys", "register", str(listing))
    assert code == 2 and "第 3 行" in err
    assert db_rows(data_dir, "SELECT * FROM unit_key") == []


def test_one_off_consolidate_in_the_office_folder_uses_the_pinned_keys(
    pcs: tuple[Installation, Installation],
    office: FixedClock,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    genuine_pc, forger_pc = pcs
    genuine = genuine_pc.export(note="真实进展")
    forger_pc.export(OTHER)
    forged = forge(genuine, forger_pc.signer, tmp_path / "forged")
    out_file = tmp_path / "汇总.xlsx"
    # with no key on record, consolidation cannot tell (both are validly signed)
    code, out, _ = run(capsys, "consolidate", str(genuine), str(forged), "-o", str(out_file))
    assert "签名不符" not in out
    assert run(capsys, "office", "receive", str(genuine))[0] == 0  # pins the genuine key
    out_file.unlink()
    code, out, _ = run(capsys, "consolidate", str(forged), str(genuine), "-o", str(out_file))
    assert code == 1
    judged = sorted(line.split()[0] for line in out.splitlines() if "导出于" in line)
    assert judged == ["已接收", "签名不符"]
    workbook = load_workbook(out_file, read_only=True)
    assert "早已完成" not in {
        cell for ws in workbook.worksheets for row in ws.iter_rows(values_only=True) for cell in row
    }
    workbook.close()
