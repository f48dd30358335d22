"""The unit progress report's shape, defined once: sheet names, columns, metadata keys, version.

docs/report-format.md describes the same thing for people; tests/test_report.py checks that the
two agree. Change the version when a reader of the old shape could misread the new one.
"""

from __future__ import annotations

FORMAT_NAME = "liaison-app/unit-report"
FORMAT_VERSION = 2  # 2 added 典型案例 and the lead units' deliverables
SUPPORTED_VERSIONS = (1, 2)

TITLE = "南岸区重庆经开区营商环境优化提升工作进展报表"

SHEET_COVER = "封面"
SHEET_DETAIL = "任务进展"
SHEET_EVIDENCE = "佐证材料清单"
SHEET_CASES = "典型案例"
SHEET_META = "_meta"

# 任务进展: (header, column width in Excel character units, wraps)
DETAIL_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("序号", 6, False),
    ("编号", 7, False),
    ("领域", 12, True),
    ("目标任务", 16, True),
    ("工作措施", 46, True),
    ("完成时限", 11, False),
    ("牵头单位", 16, True),
    ("配合单位", 20, True),
    ("本单位职责", 10, False),
    ("进展状态", 11, False),
    ("进展情况", 40, True),
    ("完成日期", 11, False),
    ("佐证材料", 22, True),
    ("预警", 7, False),
    ("更新时间", 17, False),
    ("较上次报送", 18, True),
)
DETAIL_HEADERS = tuple(c[0] for c in DETAIL_COLUMNS)
DETAIL_HEADER_ROW = 2  # row 1 holds the sheet title
STATUS_COLUMN = DETAIL_HEADERS.index("进展状态") + 1
LIGHT_COLUMN = DETAIL_HEADERS.index("预警") + 1

EVIDENCE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("编号", 7, False),
    ("文件名", 36, True),
    ("大小(字节)", 12, False),
    ("SHA-256", 66, False),
    ("报送期", 9, False),
    ("添加时间", 17, False),
    ("说明", 30, True),
)
EVIDENCE_HEADERS = tuple(c[0] for c in EVIDENCE_COLUMNS)
EVIDENCE_HEADER_ROW = 2

CASE_COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("月份", 9, False),
    ("类型", 7, False),
    ("标题", 28, True),
    ("内容", 60, True),
    ("关联工作措施", 14, True),
    ("附件", 24, True),
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
