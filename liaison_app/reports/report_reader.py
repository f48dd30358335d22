"""Reading a unit report back into plain data, refusing anything that is not one.

Used by the office consolidation and by the tests. The file is checked before openpyxl parses
it (an xlsx is a zip: size limits against zip bombs; an encrypted workbook is an OLE file), and
openpyxl parses XML through defusedxml (entity expansion attacks are refused).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from openpyxl import load_workbook

from liaison_app.reports import report_format as fmt
from liaison_app.reports.promises_sheets import Promises, read_promises
from liaison_app.reports.unit_report import CaseLine, EvidenceLine, ReportRow, data_hash
from liaison_app.vocabulary import Status

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # an entry unpacking to more than 200× its packed size is a bomb, not a report
OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


class ReportFormatError(ValueError):
    """Not a readable unit report; ``str(error)`` says why, in Chinese."""


@dataclass(frozen=True)
class UnitReport:
    path: Path
    meta: dict[str, str]
    rows: list[ReportRow]
    evidence: list[EvidenceLine]
    computed_sha256: str
    cases: list[CaseLine]
    # item code → status code, mapped once from what the file carries (None: unreadable)
    statuses: dict[str, Status | None] = field(default_factory=dict)
    promises: Promises | None = None  # 指标 and 时间节点; None in a report made before them

    @property
    def version(self) -> int:
        return int(self.meta["format_version"])

    def status_of(self, code: str) -> Status | None:
        """The unit's status on item ``code`` as a code; None when the file has no readable one."""
        return self.statuses.get(code)

    def deliverable(self, kind: str) -> tuple[Status | None, str]:
        """(status, due) of the lead unit's 具体措施 (measures) or 调研报告 (research)."""
        return _status(self.meta.get(f"{kind}_status", "")), self.meta.get(f"{kind}_due", "")

    @property
    def unit(self) -> str:
        return self.meta["unit"]

    @property
    def period(self) -> str:
        return self.meta["period"]

    @property
    def plan_id(self) -> str:
        return self.meta["plan_id"]

    @property
    def exported_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.meta["exported_at"])

    @property
    def as_of(self) -> dt.date:
        return dt.date.fromisoformat(self.meta["as_of"])

    @property
    def modified(self) -> bool:
        """True when the data no longer matches the hash written at export."""
        return self.computed_sha256 != self.meta.get("data_sha256")


def _check_container(path: Path) -> None:
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ReportFormatError(f"无法读取文件:{exc.strerror or exc}") from exc
    if head == OLE_SIGNATURE:
        raise ReportFormatError("文件有密码保护(已加密)或是旧版 .xls 格式，无法读取")
    if size > MAX_FILE_BYTES:
        raise ReportFormatError(f"文件过大({size // 1024 // 1024} MB)，不像是进展报表")
    if not zipfile.is_zipfile(path):
        raise ReportFormatError("不是 xlsx 文件(文件已损坏，或是其他类型的文件改了扩展名)")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ReportFormatError(f"xlsx 文件已损坏:{exc}") from exc
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ReportFormatError("文件解压后过大(疑似压缩炸弹)，已拒绝")
    for info in infos:
        ratio = info.file_size / info.compress_size if info.compress_size else 0
        if ratio > MAX_RATIO and info.file_size > 1 << 20:
            raise ReportFormatError("文件内容压缩比异常(疑似压缩炸弹)，已拒绝")


def _unsafe_xml(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def read_report(path: Path) -> UnitReport:
    _check_container(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl wraps parser errors; the cause says which
        if _unsafe_xml(exc):
            raise ReportFormatError("文件中含有不安全的 XML 内容(实体扩展攻击)，已拒绝") from exc
        raise ReportFormatError("xlsx 文件内容已损坏，无法打开") from exc
    try:
        names = workbook.sheetnames
        if fmt.SHEET_META not in names:
            raise ReportFormatError("不是营商环境工作进展报表(缺少报表标识)")
        meta = {
            _text(row[0]): _text(row[1])
            for row in workbook[fmt.SHEET_META].iter_rows(min_col=1, max_col=2, values_only=True)
            if row and row[0] is not None
        }
        if meta.get("format") != fmt.FORMAT_NAME:
            raise ReportFormatError("不是营商环境工作进展报表(报表标识不符)")
        try:
            version = int(meta.get("format_version", ""))
        except ValueError:
            raise ReportFormatError("报表版本号无法识别") from None
        if version not in fmt.SUPPORTED_VERSIONS:
            raise ReportFormatError(f"报表版本 {version} 由更新版本的程序生成，请升级程序后再读取")
        missing = [k for k in fmt.META_KEYS if k not in meta]
        if missing or fmt.SHEET_DETAIL not in names or fmt.SHEET_EVIDENCE not in names:
            raise ReportFormatError("报表不完整(缺少工作表或标识项)")
        detail = _table(workbook[fmt.SHEET_DETAIL], fmt.DETAIL_HEADER_ROW, fmt.DETAIL_HEADERS)
        evidence = _table(workbook[fmt.SHEET_EVIDENCE], fmt.EVIDENCE_HEADER_ROW, fmt.EVIDENCE_HEADERS)
        cases: list[list[Any]] | None = None
        if version >= 2:
            if fmt.SHEET_CASES not in names:
                raise ReportFormatError("报表不完整(缺少“典型案例”表)")
            cases = _table(workbook[fmt.SHEET_CASES], fmt.CASE_HEADER_ROW, fmt.CASE_HEADERS)
        promises = read_promises(workbook) if version >= 2 else None
    finally:
        workbook.close()
    deliverables = {k: meta.get(k, "") for k in fmt.DELIVERABLE_META_KEYS}
    computed = data_hash(
        meta["unit"],
        meta["period"],
        meta["as_of"],
        detail,
        evidence,
        cases,
        deliverables if cases is not None else None,
        promises.hash_rows() if promises is not None else None,
    )
    rows = [ReportRow(*[_text(v) for v in values[1:]]) for values in detail]
    lines = []
    for values in evidence:
        try:
            size = int(float(values[2])) if values[2] not in (None, "") else 0
        except (TypeError, ValueError):
            size = -1  # edited into nonsense: the hash check flags the file
        lines.append(
            EvidenceLine(
                _text(values[0]),
                _text(values[1]),
                size,
                _text(values[3]),
                _text(values[4]),
                _text(values[5]),
                _text(values[6]),
            )
        )
    case_lines = [CaseLine(*[_text(v) for v in values]) for values in cases or []]
    statuses = {row.code: _status(row.status) for row in rows}
    return UnitReport(path, meta, rows, lines, computed, case_lines, statuses, promises)


def _status(text: str) -> Status | None:
    """Versions 1 and 2 carry the status label (已完成); the code is taken here, once."""
    return Status.lookup(text) if text else None


def _table(ws: Any, header_row: int, headers: tuple[str, ...]) -> list[list[Any]]:
    rows = ws.iter_rows(min_row=header_row, max_col=len(headers), values_only=True)
    found = next(rows, None)
    if found is None or tuple(_text(v) for v in found) != headers:
        raise ReportFormatError(f"工作表“{ws.title}”的表头与报表格式不符")
    table = []
    for values in rows:
        if values is None or all(v in (None, "") for v in values):
            continue
        table.append(list(values) + [None] * (len(headers) - len(values)))
    return table
