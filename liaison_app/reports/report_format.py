"""The unit progress report's shape, defined once: sheet names, columns, metadata keys, version.

docs/report-format.md describes the same thing for people; tests/test_report.py checks that the
two agree. Change the version when a reader of the old shape could misread the new one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

FORMAT_NAME = "liaison-app/unit-report"
# 2 added 典型案例 and the lead units' deliverables; 3 hashes every sheet (the cover too), writes
# real dates, normalises line ends, carries codes beside labels and adds the print sheet.
FORMAT_VERSION = 3
SUPPORTED_VERSIONS = (1, 2, 3)

TITLE = "南岸区重庆经开区营商环境优化提升工作进展报表"

SHEET_COVER = "封面"
SHEET_DETAIL = "任务进展"
SHEET_EVIDENCE = "佐证材料清单"
SHEET_CASES = "典型案例"
SHEET_META = "_meta"
SHEET_CODES = "_codes"  # version 3: the codes behind the labels of 任务进展, one row per item
SHEET_CHECK = "导出前检查"  # version 3: the full list when it is too long for the cover

# 任务进展: (header, column width in Excel character units, wraps)
# Since version 3 the eight columns a reader of paper needs come first and are the print area,
# sized for landscape A4 at 100 % (≈ 110 width units in LibreOffice, more in Excel and WPS); the
# others follow. A text too long for one row (Excel stops at 409 pt) continues on the next rows,
# whose 编号 reads e.g. ``11.2(续)``.
DETAIL_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("编号", 6, False),
    ("工作措施", 30, True),
    ("本单位职责", 6, True),
    ("完成时限", 11, False),
    ("进展状态", 7, True),
    ("进展情况", 30, True),
    ("预警", 5, False),
    ("佐证材料", 12, True),
    ("序号", 6, False),
    ("领域", 12, True),
    ("目标任务", 16, True),
    ("牵头单位", 16, True),
    ("配合单位", 20, True),
    ("完成日期", 11, False),
    ("更新时间", 17, False),
    ("较上次报送", 18, True),
)
DETAIL_PRINTED = 8  # columns A–H
DETAIL_HEADERS = tuple(c[0] for c in DETAIL_COLUMNS)
DETAIL_HEADER_ROW = 2  # row 1 holds the sheet title
STATUS_COLUMN = DETAIL_HEADERS.index("进展状态") + 1
LIGHT_COLUMN = DETAIL_HEADERS.index("预警") + 1
CONTINUED = "(续)"
# Versions 1 and 2: one row per item, in this order.
DETAIL_HEADERS_V2 = (
    "序号",
    "编号",
    "领域",
    "目标任务",
    "工作措施",
    "完成时限",
    "牵头单位",
    "配合单位",
    "本单位职责",
    "进展状态",
    "进展情况",
    "完成日期",
    "佐证材料",
    "预警",
    "更新时间",
    "较上次报送",
)
# The ReportRow field behind each header (序号 has none).
DETAIL_FIELDS = {
    "编号": "code",
    "领域": "area",
    "目标任务": "measure",
    "工作措施": "text",
    "完成时限": "deadline",
    "牵头单位": "lead",
    "配合单位": "coop",
    "本单位职责": "role",
    "进展状态": "status",
    "进展情况": "note",
    "完成日期": "completed_on",
    "佐证材料": "evidence",
    "预警": "light",
    "更新时间": "updated_at",
    "较上次报送": "change",
}


def detail_headers(version: int) -> tuple[str, ...]:
    return DETAIL_HEADERS if version >= 3 else DETAIL_HEADERS_V2


EVIDENCE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("编号", 6, False),
    ("文件名", 26, True),
    ("大小(字节)", 10, False),
    ("SHA-256", 24, True),  # three lines: the sheet fits landscape A4 at 100 %
    ("报送期", 8, False),
    ("添加时间", 16, False),
    ("说明", 18, True),
)
EVIDENCE_HEADERS = tuple(c[0] for c in EVIDENCE_COLUMNS)
EVIDENCE_HEADER_ROW = 2

CASE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("月份", 8, False),
    ("类型", 5, False),
    ("标题", 20, True),
    ("内容", 44, True),
    ("关联工作措施", 12, True),
    ("附件", 18, True),
)
CASE_HEADERS = tuple(c[0] for c in CASE_COLUMNS)
CASE_HEADER_ROW = 2

META_KEYS = (
    "format",
    "format_version",
    "plan_id",
    "plan_name",
    "unit",
    "period",
    "as_of",
    "exported_at",
    "app_version",
    "liaison",
    "phone",
    "data_sha256",
)
# Version 2: the lead unit's deliverables (empty for a unit that leads nothing).
DELIVERABLE_META_KEYS = ("measures_status", "measures_due", "research_status", "research_due")
# Optional (absent from reports of older versions): which revision of the plan the report follows.
PLAN_META_KEYS = ("plan_revision",)

COVER_CHECK_LINES = 5  # more items than this: the cover counts them, 导出前检查 lists them

# Version 3 ------------------------------------------------------------------------------------
# The deliverables' status codes beside their labels.
DELIVERABLE_CODE_KEYS = ("measures_status_code", "research_status_code")
# Written after the hash, so not covered by it.
UNHASHED_META_KEYS = ("data_sha256", "signature", "signing_key")
CODE_HEADERS = ("item", "role", "status", "light")
FINGERPRINT_LABEL = "签名密钥指纹"  # on the cover: the key the hidden signature is made with
EMAIL_LABEL = "联络员邮箱"  # on the cover: where the office sends its 催办

# Date cells: header -> how the reader turns the date back into the text of the row.
DATE_FORMATS = {
    "完成时限": "%Y-%m-%d",
    "完成日期": "%Y-%m-%d",
    "更新时间": "%Y-%m-%d %H:%M",
    "添加时间": "%Y-%m-%d %H:%M:%S",
}
# The number format each kind of date cell gets in the workbook.
EXCEL_DATE = "yyyy-mm-dd"
EXCEL_MINUTE = "yyyy-mm-dd hh:mm"
EXCEL_SECOND = "yyyy-mm-dd hh:mm:ss"


def normalise_text(text: str) -> str:
    """Line ends as one ``\n``: ``\r\n`` and a lone ``\r`` (pasted from Windows programs)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def nearest_second(value: dt.datetime) -> dt.datetime:
    """Spreadsheets store times as fractions of a day; a re-save may move them by microseconds."""
    return (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)


def canonical_text(value: Any) -> str:
    """One cell's value as the hash sees it (docs/report-format.md, "The content hash")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        moment = nearest_second(value)
        if moment.time() == dt.time(0, 0):
            return moment.date().isoformat()
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return normalise_text(str(value))


def content_hash(
    meta: Iterable[tuple[str, str]], sheets: Iterable[tuple[str, Iterable[tuple[str, Any]]]]
) -> str:
    """SHA-256 (hex) of a version 3 report.

    ``meta``: the (key, value) pairs of ``_meta``; ``sheets``: every other sheet in workbook
    order as (name, cells), the cells as (reference such as ``B7``, value) in row-major order.
    """
    payload = {
        "format": FORMAT_NAME,
        "version": 3,
        "meta": sorted(
            [key, canonical_text(value)] for key, value in meta if key and key not in UNHASHED_META_KEYS
        ),
        "sheets": [
            [name, [[ref, text] for ref, value in cells if (text := canonical_text(value))]]
            for name, cells in sheets
        ],
    }
    encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
