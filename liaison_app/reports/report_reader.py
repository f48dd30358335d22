"""Reading a unit report back into plain data, refusing anything that is not one.

Used by the office consolidation and by the tests. A return comes from outside, so what it may
cost is limited before and while it is parsed (docs/reliability.md lists the limits):

* regular files only (a FIFO or ``/dev/zero`` named ``.xlsx`` is refused before it is read), at
  most :data:`MAX_FILE_BYTES`, read once into memory;
* the zip: at most :data:`MAX_UNPACKED_BYTES` unpacked, no entry inflating more than
  :data:`MAX_RATIO` times; CRC and inflate errors are a refusal;
* every worksheet and the shared strings are first streamed through expat (DTDs and entities
  refused) counting what they declare: rows (by number and by count), columns, cells, shared
  strings — a row declared at 10^15 or ten million empty rows are refused in milliseconds;
* :data:`MAX_SECONDS` per file, and a cancel that is checked inside a file, not only between;
* the metadata is checked field by field (dates, period), so one garbled return is refused with
  its reason and the others are still consolidated.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import stat
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from defusedxml import DefusedXmlException
from openpyxl import load_workbook

from liaison_app.reports import report_format as fmt
from liaison_app.reports.promises_sheets import Promises, read_promises
from liaison_app.reports.unit_report import CaseLine, EvidenceLine, ReportRow, data_hash, sheet_cells
from liaison_app.signing import fingerprint, verify
from liaison_app.vocabulary import Status

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200  # an entry unpacking to more than 200× its packed size is a bomb, not a report
MAX_ROWS = 20_000  # per sheet, by row number and by count (a 52-unit month: ≤ 150 per sheet)
MAX_COLUMNS = 256  # per sheet (a report has 16)
MAX_CELLS = 500_000  # all sheets together
MAX_SHARED_STRINGS = 200_000
MAX_SECONDS = 30.0  # per file, reading included
OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_CHUNK = 256 * 1024
_CELL_REF = re.compile(r"([A-Z]{1,3})?([0-9]{1,18})?$")
_PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")

CancelledFn = Callable[[], bool]


class ReportFormatError(ValueError):
    """Not a readable unit report; ``str(error)`` says why, in Chinese."""


class _Budget:
    """Time and cancel for one file: checked while reading, scanning and parsing."""

    def __init__(self, cancelled: CancelledFn | None, seconds: float) -> None:
        self.cancelled = cancelled
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise InterruptedError("已取消")
        if time.monotonic() > self.deadline:
            raise ReportFormatError(f"读取超过 {self.seconds:g} 秒仍未完成，已拒绝(文件异常复杂)")


@dataclass(frozen=True)
class UnitReport:
    path: Path
    meta: dict[str, str]
    rows: list[ReportRow]
    evidence: list[EvidenceLine]
    computed_sha256: str
    cases: list[CaseLine]
    # version 3: item id -> (role, status, light) codes, e.g. ("lead", "done", "on_track")
    codes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # item code → status code, mapped once from what the file carries (None: unreadable)
    statuses: dict[str, Status | None] = field(default_factory=dict)
    cover_fingerprint: str = ""  # version 3: the key fingerprint printed on the cover
    promises: Promises | None = None  # 指标 and 时间节点; None in a report made before them
    cover_email: str = ""  # version 3: 联络员邮箱 as printed on the cover (covered by the hash)

    @property
    def signature(self) -> str:
        """``valid``; ``unsigned`` or ``bad`` (version 3 only); ``""`` for versions 1 and 2."""
        if self.version < 3:
            return ""
        key, signature = self.meta.get("signing_key", ""), self.meta.get("signature", "")
        if not key or not signature:
            return "unsigned"
        fits = verify(key, signature, self.meta.get("data_sha256", ""))
        return "valid" if fits and self.cover_fingerprint == fingerprint(key) else "bad"

    @property
    def key_fingerprint(self) -> str:
        return fingerprint(self.meta.get("signing_key", "")) if self.meta.get("signing_key") else ""

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
    def plan_revision(self) -> int:
        """The plan revision the report follows (1 for reports written before revisions)."""
        value = self.meta.get("plan_revision", "")
        return int(value) if value.isdigit() else 1

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


def _read_regular_file(path: Path, budget: _Budget) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most MAX_FILE_BYTES; never blocks on
    a FIFO and never reads an endless device."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ReportFormatError(f"无法读取文件:{exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ReportFormatError("不是普通文件(可能是设备、管道或文件夹)，已拒绝")
        if info.st_size > MAX_FILE_BYTES:
            raise ReportFormatError(f"文件过大({info.st_size // 1024 // 1024} MB)，不像是进展报表")
        chunks, total = [], 0
        while True:
            budget.check()
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > MAX_FILE_BYTES:
                raise ReportFormatError("文件过大，不像是进展报表")
            chunks.append(chunk)
    except InterruptedError:  # a cancel (an OSError subclass): not a file problem
        raise
    except OSError as exc:
        raise ReportFormatError(f"无法读取文件:{exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    return b"".join(chunks)


def _check_container(data: bytes) -> None:
    if data[:8] == OLE_SIGNATURE:
        raise ReportFormatError("文件有密码保护(已加密)或是旧版 .xls 格式，无法读取")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReportFormatError("不是 xlsx 文件(文件已损坏，或是其他类型的文件改了扩展名)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReportFormatError("xlsx 文件已损坏(zip 结构无效)") from exc
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ReportFormatError("文件解压后过大(疑似压缩炸弹)，已拒绝")
    for info in infos:
        ratio = info.file_size / info.compress_size if info.compress_size else 0
        if ratio > MAX_RATIO and info.file_size > 1 << 20:
            raise ReportFormatError("文件内容压缩比异常(疑似压缩炸弹)，已拒绝")


class _Costs:
    """What the workbook's XML declares, counted while it streams through expat."""

    def __init__(self) -> None:
        self.cells = 0
        self.rows = 0
        self.last_row = 0
        self.strings = 0
        self.most_rows = 0  # the largest sheet, for the benchmark
        self.unpacked = 0

    def _row_number(self, text: str | None) -> int:
        if text is None:
            return self.last_row + 1
        if not text.isdigit() or len(text) > 12:
            raise ReportFormatError("工作表中的行号无效，已拒绝")
        return int(text)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition("}")[2].rpartition(":")[2]
        if local == "row":
            self.rows += 1
            self.last_row = self._row_number(attributes.get("r"))
            if self.last_row > MAX_ROWS or self.rows > MAX_ROWS:
                raise ReportFormatError(f"工作表行数超过 {MAX_ROWS} 行的上限，已拒绝")
        elif local == "c":
            self.cells += 1
            if self.cells > MAX_CELLS:
                raise ReportFormatError(f"单元格总数超过 {MAX_CELLS} 个的上限，已拒绝")
            self._check_reference(attributes.get("r"))
        elif local == "dimension":
            for corner in attributes.get("ref", "").split(":"):
                self._check_reference(corner)
        elif local == "si":
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise ReportFormatError(f"共享字符串超过 {MAX_SHARED_STRINGS} 个的上限，已拒绝")

    @staticmethod
    def _check_reference(reference: str | None) -> None:
        if not reference:
            return
        match = _CELL_REF.match(reference.replace("$", ""))
        if match is None:
            raise ReportFormatError("工作表中的单元格位置无效，已拒绝")
        letters, digits = match.groups()
        if digits is not None and int(digits) > MAX_ROWS:
            raise ReportFormatError(f"工作表声明的行号超过 {MAX_ROWS} 行的上限，已拒绝")
        if letters is not None:
            column = 0
            for letter in letters:
                column = column * 26 + ord(letter) - 64
            if column > MAX_COLUMNS:
                raise ReportFormatError(f"工作表声明的列数超过 {MAX_COLUMNS} 列的上限，已拒绝")


def _forbid(*_args: object) -> None:
    raise ReportFormatError("文件中含有不安全的 XML 内容(实体扩展攻击)，已拒绝")


def _scan_costs(data: bytes, budget: _Budget) -> _Costs:
    """Stream every worksheet and the shared strings once, counting, before openpyxl sees them."""
    costs = _Costs()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            costs.unpacked = sum(info.file_size for info in archive.infolist())
            for info in archive.infolist():
                name = info.filename
                if not (
                    (name.startswith("xl/worksheets/") and name.endswith(".xml"))
                    or name == "xl/sharedStrings.xml"
                ):
                    continue
                parser = expat.ParserCreate()
                parser.StartElementHandler = costs.start
                parser.StartDoctypeDeclHandler = _forbid
                parser.EntityDeclHandler = _forbid
                parser.ExternalEntityRefHandler = _forbid  # type: ignore[assignment]
                costs.last_row = 0
                costs.rows = 0
                with archive.open(info) as reader:
                    while chunk := reader.read(_CHUNK):
                        budget.check()
                        parser.Parse(chunk, False)
                    parser.Parse(b"", True)
                costs.most_rows = max(costs.most_rows, costs.rows)
    except (ReportFormatError, InterruptedError):
        raise
    except expat.ExpatError as exc:
        raise ReportFormatError("xlsx 文件内容已损坏(XML 不完整或无效)") from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise ReportFormatError("xlsx 文件已损坏(校验或解压失败)") from exc
    return costs


def measure(path: Path) -> dict[str, float]:
    """What one return costs against each limit (for benchmarks/bench_consolidation.py)."""
    started = time.monotonic()
    budget = _Budget(None, MAX_SECONDS)
    data = _read_regular_file(path, budget)
    costs = _scan_costs(data, budget)
    _read_workbook(path, data, budget)
    return {
        "bytes": len(data),
        "unpacked": costs.unpacked,
        "rows": costs.most_rows,
        "cells": costs.cells,
        "strings": costs.strings,
        "seconds": time.monotonic() - started,
    }


LIMITS: dict[str, float] = {
    "bytes": MAX_FILE_BYTES,
    "unpacked": MAX_UNPACKED_BYTES,
    "rows": MAX_ROWS,
    "cells": MAX_CELLS,
    "strings": MAX_SHARED_STRINGS,
    "seconds": MAX_SECONDS,
}


def _unsafe_xml(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DefusedXmlException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _text(value: Any, header: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        moment: dt.datetime = fmt.nearest_second(value)
        return (
            moment.strftime(fmt.DATE_FORMATS[header])
            if header in fmt.DATE_FORMATS
            else moment.isoformat(sep=" ")
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return fmt.normalise_text(value)
    return str(value)


def _texts(values: list[Any], headers: tuple[str, ...]) -> list[str]:
    return [_text(v, h) for v, h in zip(values, headers, strict=True)]


def read_report(
    path: Path, cancelled: CancelledFn | None = None, max_seconds: float = MAX_SECONDS
) -> UnitReport:
    """Read one return, or raise :class:`ReportFormatError` with the reason in Chinese
    (``InterruptedError`` when ``cancelled`` says so, even in the middle of the file)."""
    budget = _Budget(cancelled, max_seconds)
    data = _read_regular_file(path, budget)
    _check_container(data)
    _scan_costs(data, budget)
    try:
        return _read_workbook(path, data, budget)
    except (ReportFormatError, InterruptedError):
        raise
    except Exception as exc:  # openpyxl wraps parser errors; the cause says which
        log.warning("cannot read %s: %r", path, exc)
        if _unsafe_xml(exc):
            raise ReportFormatError("文件中含有不安全的 XML 内容(实体扩展攻击)，已拒绝") from exc
        raise ReportFormatError("xlsx 文件内容已损坏，无法读取") from exc


def _check_meta(meta: dict[str, str]) -> None:
    """Every metadata value the office relies on, checked before it is used."""

    def refuse(key: str, what: str) -> ReportFormatError:
        value = meta.get(key, "")[:40]
        shown = "".join(ch if ch.isprintable() else "?" for ch in value)
        return ReportFormatError(f"报表标识项 {key} 的值「{shown}」不是有效的{what}，已拒绝")

    if not _PERIOD.fullmatch(meta["period"]):
        raise refuse("period", "报送期(应为 YYYY-MM)")
    try:
        dt.date.fromisoformat(meta["as_of"])
    except ValueError:
        raise refuse("as_of", "日期") from None
    try:
        dt.datetime.fromisoformat(meta["exported_at"])
    except ValueError:
        raise refuse("exported_at", "时间") from None
    for key in fmt.DELIVERABLE_META_KEYS:
        if key.endswith("_due") and meta.get(key):
            try:
                dt.date.fromisoformat(meta[key])
            except ValueError:
                raise refuse(key, "日期") from None
    unit = meta["unit"]
    if not unit.strip() or len(unit) > 100 or not unit.isprintable():
        raise refuse("unit", "单位名称")


def _read_workbook(path: Path, data: bytes, budget: _Budget) -> UnitReport:
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
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
        _check_meta(meta)
        headers = fmt.detail_headers(version)
        detail = _table(workbook[fmt.SHEET_DETAIL], fmt.DETAIL_HEADER_ROW, headers, budget)
        if version >= 3:
            detail = _join_continued(detail)
        evidence = _table(workbook[fmt.SHEET_EVIDENCE], fmt.EVIDENCE_HEADER_ROW, fmt.EVIDENCE_HEADERS, budget)
        cases: list[list[Any]] | None = None
        if version >= 2:
            if fmt.SHEET_CASES not in names:
                raise ReportFormatError("报表不完整(缺少“典型案例”表)")
            cases = _table(workbook[fmt.SHEET_CASES], fmt.CASE_HEADER_ROW, fmt.CASE_HEADERS, budget)
        promises = read_promises(workbook, budget.check) if version >= 2 else None
        codes: dict[str, tuple[str, str, str]] = {}
        cover_fingerprint = cover_email = ""
        if version >= 3:
            if fmt.SHEET_CODES not in names:
                raise ReportFormatError("报表不完整(缺少状态代码表)")
            for values in _table(workbook[fmt.SHEET_CODES], 1, fmt.CODE_HEADERS, budget):
                item, role, status, light = (_text(v) for v in values)
                codes[item] = (role, status, light)
            pairs = [
                (_text(row[0]), _text(row[1]) if len(row) > 1 else "")
                for row in workbook[fmt.SHEET_META].iter_rows(min_col=1, max_col=2, values_only=True)
                if row and row[0] is not None
            ]
            cover_fingerprint = _cover_value(workbook[fmt.SHEET_COVER], fmt.FINGERPRINT_LABEL)
            cover_email = _cover_value(workbook[fmt.SHEET_COVER], fmt.EMAIL_LABEL)
            computed = fmt.content_hash(
                pairs,
                [(ws.title, sheet_cells(ws)) for ws in workbook.worksheets if ws.title != fmt.SHEET_META],
            )
    finally:
        workbook.close()
    if version < 3:
        deliverables = {k: meta.get(k, "") for k in fmt.DELIVERABLE_META_KEYS}
        computed = data_hash(
            meta["unit"],
            meta["period"],
            meta["as_of"],
            [_texts(values, headers) for values in detail],
            [_texts(values, fmt.EVIDENCE_HEADERS) for values in evidence],
            None if cases is None else [_texts(values, fmt.CASE_HEADERS) for values in cases],
            deliverables if cases is not None else None,
        )
    rows = []
    for values in detail:
        by_header = dict(zip(headers, _texts(values, headers), strict=True))
        rows.append(ReportRow(**{name: by_header[header] for header, name in fmt.DETAIL_FIELDS.items()}))
    lines = []
    for values in evidence:
        try:
            size = int(float(values[2])) if values[2] not in (None, "") else 0
        except (TypeError, ValueError):
            size = -1  # edited into nonsense: the hash check flags the file
        texts = _texts(values, fmt.EVIDENCE_HEADERS)
        lines.append(EvidenceLine(texts[0], texts[1], size, *texts[3:]))
    case_lines = [CaseLine(*_texts(values, fmt.CASE_HEADERS)) for values in cases or []]
    statuses = {
        row.code: Status.lookup(codes[row.code][1]) if row.code in codes else _status(row.status)
        for row in rows
    }
    email = cover_email if "@" in cover_email else ""  # "(未填写)" when the liaison left it empty
    return UnitReport(
        path,
        meta,
        rows,
        lines,
        computed,
        case_lines,
        codes,
        statuses,
        cover_fingerprint,
        promises,
        cover_email=email,
    )


def _cover_value(ws: Any, label: str) -> str:
    """The value printed right of ``label`` on the cover, or ""."""
    for row in ws.iter_rows(values_only=True):
        cells = list(row)
        for index, value in enumerate(cells[:-1]):
            if value == label:
                return _text(cells[index + 1])
    return ""


def _join_continued(table: list[list[Any]]) -> list[list[Any]]:
    """Rows whose 编号 ends in (续) continue the long texts of the row above (version 3)."""
    joined: list[list[Any]] = []
    wraps = [wrapped for _header, _width, wrapped in fmt.DETAIL_COLUMNS]
    for values in table:
        code = _text(values[0])
        if joined and code.endswith(fmt.CONTINUED) and code[: -len(fmt.CONTINUED)] == _text(joined[-1][0]):
            previous = joined[-1]
            for column, wrapped in enumerate(wraps):
                if wrapped and values[column] not in (None, ""):
                    previous[column] = _text(previous[column]) + _text(values[column])
            continue
        joined.append(list(values))
    return joined


def _status(text: str) -> Status | None:
    """Versions 1 and 2 carry the status label (已完成); the code is taken here, once."""
    return Status.lookup(text) if text else None


def _table(ws: Any, header_row: int, headers: tuple[str, ...], budget: _Budget) -> list[list[Any]]:
    rows = ws.iter_rows(min_row=header_row, max_col=len(headers), values_only=True)
    found = next(rows, None)
    if found is None or tuple(_text(v) for v in found) != headers:
        raise ReportFormatError(f"工作表“{ws.title}”的表头与报表格式不符")
    table = []
    for number, values in enumerate(rows):
        if number % 256 == 0:
            budget.check()
        if values is None or all(v in (None, "") for v in values):
            continue
        table.append(list(values) + [None] * (len(headers) - len(values)))
    return table
