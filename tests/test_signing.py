"""Signed returns (#19 point 8, the report side): an edit whose hash was recomputed by a script
is caught by the signature; an unsigned version 3 return is not 已接收; an honest re-export is."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import load_workbook

from liaison_app.reports import report_format as fmt
from liaison_app.reports.consolidation import Verdict, receive
from liaison_app.reports.report_reader import read_report
from liaison_app.signing import KEY_FILE, fingerprint
from liaison_app.store.reporting import ReportService
from liaison_app.store.service import LiaisonService
from tests.helpers import export, recipe_text

UNIT = "区城管局"


def recompute_hash(path: Path) -> None:
    """What a forger's script does: edit, then recompute data_sha256 from the documented recipe."""
    workbook = load_workbook(path)
    meta_ws = workbook["_meta"]
    rows = [(r[0].value, r[1].value or "") for r in meta_ws.iter_rows(max_col=2)]
    meta = sorted([k, recipe_text(v)] for k, v in rows if k not in fmt.UNHASHED_META_KEYS)
    sheets = [
        [
            ws.title,
            [
                [c.coordinate, recipe_text(c.value)]
                for row in ws.iter_rows()
                for c in row
                if recipe_text(c.value)
            ],
        ]
        for ws in workbook.worksheets
        if ws.title != "_meta"
    ]
    payload = {"format": fmt.FORMAT_NAME, "version": 3, "meta": meta, "sheets": sheets}
    digest = hashlib.sha256(
        json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    for row in meta_ws.iter_rows(max_col=2):
        if row[0].value == "data_sha256":
            row[1].value = digest
    workbook.save(path)


def _set_note(path: Path, text: str) -> None:
    workbook = load_workbook(path)
    workbook[fmt.SHEET_DETAIL].cell(row=3, column=fmt.DETAIL_HEADERS.index("进展情况") + 1).value = text
    workbook.save(path)


def test_each_installation_signs_with_its_own_key(
    service: LiaisonService, data_dir: Path, tmp_path: Path
) -> None:
    path = export(service, UNIT, tmp_path)
    key_file = data_dir / KEY_FILE
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    report = read_report(path)
    assert report.signature == "valid" and not report.modified
    assert report.cover_fingerprint == report.key_fingerprint == fingerprint(report.meta["signing_key"])
    # the same key next time (made once), and an honest re-export is accepted again
    (tmp_path / "again").mkdir()
    again = export(service, UNIT, tmp_path / "again")
    assert read_report(again).meta["signing_key"] == report.meta["signing_key"]
    assert read_report(again).signature == "valid"


def test_an_edit_with_a_recomputed_hash_is_caught_by_the_signature(
    service: LiaisonService, tmp_path: Path
) -> None:
    path = export(service, UNIT, tmp_path)
    _set_note(path, "其实早已完成")
    assert read_report(path).modified  # the plain hash catches a hand edit…
    recompute_hash(path)
    forged = read_report(path)
    assert not forged.modified  # …but not a script that recomputes it
    assert forged.signature == "bad"  # the signature does
    catalog = ReportService(service).catalog_snapshot()
    (verdict,) = receive([path], catalog, "2019-12").verdicts
    assert verdict.verdict is Verdict.BAD_SIGNATURE and verdict.verdict.label == "签名不符"


def test_an_unsigned_version_3_return_is_not_accepted(service: LiaisonService, tmp_path: Path) -> None:
    path = export(service, UNIT, tmp_path)
    workbook = load_workbook(path)
    for row in workbook["_meta"].iter_rows(max_col=2):
        if row[0].value in ("signature", "signing_key"):
            row[0].value = row[1].value = None
    workbook.save(path)
    report = read_report(path)
    assert not report.modified and report.signature == "unsigned"
    catalog = ReportService(service).catalog_snapshot()
    (verdict,) = receive([path], catalog, "2019-12").verdicts
    assert verdict.verdict is Verdict.BAD_SIGNATURE
    # the office may still take it, explicitly
    intake = receive([path], catalog, "2019-12", [path])
    assert intake.verdicts[0].verdict is Verdict.MODIFIED_ACCEPTED and UNIT in intake.reports


def test_a_forger_with_another_key_shows_another_fingerprint(service: LiaisonService, tmp_path: Path) -> None:
    """Re-signing with one's own key (and printing its fingerprint) makes a valid signature: only
    the office pinning each unit's key can refuse it. The fingerprint it must compare differs."""
    path = export(service, UNIT, tmp_path)
    genuine = read_report(path).key_fingerprint
    forger = Ed25519PrivateKey.generate()
    public = base64.b64encode(
        forger.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).decode()
    workbook = load_workbook(path)
    cover = workbook[fmt.SHEET_COVER]
    for row in cover.iter_rows():
        for cell in row:
            if cell.value == fmt.FINGERPRINT_LABEL:
                cover.cell(row=cell.row, column=cell.column + 1).value = fingerprint(public)
    workbook.save(path)
    recompute_hash(path)
    digest = read_report(path).meta["data_sha256"]
    workbook = load_workbook(path)
    for row in workbook["_meta"].iter_rows(max_col=2):
        if row[0].value == "signing_key":
            row[1].value = public
        if row[0].value == "signature":
            row[1].value = base64.b64encode(forger.sign(digest.encode())).decode()
    workbook.save(path)
    forged = read_report(path)
    assert forged.signature == "valid" and forged.key_fingerprint != genuine
    assert forged.key_fingerprint == fingerprint(public)


@pytest.mark.parametrize("bad", ["", "not base64!", base64.b64encode(b"short").decode()])
def test_garbage_in_the_signature_fields_is_bad_not_a_crash(
    service: LiaisonService, tmp_path: Path, bad: str
) -> None:
    path = export(service, UNIT, tmp_path)
    workbook = load_workbook(path)
    for row in workbook["_meta"].iter_rows(max_col=2):
        if row[0].value == "signature":
            row[1].value = bad or None
    workbook.save(path)
    assert read_report(path).signature in ("bad", "unsigned")
