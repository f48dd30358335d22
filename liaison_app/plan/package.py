"""The published plan package: ``{方案名}_工作方案_第N版.xlsx``.

One workbook a liaison can read and the app can load: the task table in the template layout,
plus a hidden, protected sheet holding the plan id, revision, issue date, unit registry and
aliases, stable item ids and the whole plan as JSON (via :mod:`.bundle`, so new plan fields
travel without touching this module), sealed by a SHA-256 over all of it and over the visible
table. Reading it back verifies both and yields the identical :class:`Plan`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from liaison_app.filenames import safe_name
from liaison_app.plan.bundle import PlanFileError, plan_from_dict, plan_to_dict
from liaison_app.plan.importers.common import Draft, PlanImportError
from liaison_app.plan.importers.sources import PACKAGE_META_SHEET
from liaison_app.plan.importers.template import HEADER_ROW, SHEET_TABLE, table_rows, write_plan_table
from liaison_app.plan.model import Plan

FORMAT = "liaison-app/plan-package"
FORMAT_VERSION = 1
CHUNK = 30000  # an Excel cell holds at most 32,767 characters
SCALAR_KEYS = (
    "format",
    "format_version",
    "plan_id",
    "plan_name",
    "revision",
    "issued_on",
    "published_at",
    "app_version",
    "items",
)
JSON_KEYS = ("units", "aliases", "item_ids", "plan_json")
HASH_KEY = "content_sha256"


@dataclass
class Package:
    plan: Plan
    revision: int
    item_ids: dict[str, str]  # item code -> stable id that survives renumbering
    published_at: str = ""
    app_version: str = ""
    content_sha256: str = ""
    meta: dict[str, str] = field(default_factory=dict)


def package_file_name(plan: Plan, revision: int) -> str:
    return safe_name(f"{plan.name}_工作方案_第{revision}版.xlsx", max_chars=120)


def new_item_ids(plan: Plan) -> dict[str, str]:
    """Stable ids for a plan's first publication: derived from plan id, code and text."""
    return {
        item.code: hashlib.sha256(f"{plan.plan_id}\n{item.code}\n{item.text}".encode()).hexdigest()[:16]
        for item in plan.items()
    }


def carry_item_ids(old: Plan, old_ids: dict[str, str], new: Plan) -> dict[str, str]:
    """Stable ids for a new revision: a matched item keeps its old id, a new item gets a fresh one."""
    from liaison_app.plan.diff import diff_plans

    ids = new_item_ids(new)
    for match in diff_plans(old, new).matches:
        if match.old in old_ids:
            ids[match.new] = old_ids[match.old]
    return ids


def _canonical(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_hash(meta: dict[str, str], rows: list[list[Any]]) -> str:
    """SHA-256 over every metadata value (but the hash itself) and the visible table."""
    payload = {key: meta[key] for key in (*SCALAR_KEYS, *JSON_KEYS)}
    return hashlib.sha256(_canonical([payload, rows])).hexdigest()


def _meta_values(package: Package) -> dict[str, str]:
    plan = package.plan
    data = plan_to_dict(plan)
    return {
        "format": FORMAT,
        "format_version": str(FORMAT_VERSION),
        "plan_id": plan.plan_id,
        "plan_name": plan.name,
        "revision": str(package.revision),
        "issued_on": plan.issued_on.isoformat(),
        "published_at": package.published_at,
        "app_version": package.app_version,
        "items": str(len(plan.items())),
        "units": json.dumps(data["units"], ensure_ascii=False),
        "aliases": json.dumps(data["aliases"], ensure_ascii=False),
        "item_ids": json.dumps(package.item_ids, ensure_ascii=False),
        "plan_json": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    }


def build_package(package: Package) -> Workbook:
    if set(package.item_ids) != {i.code for i in package.plan.items()}:
        raise ValueError("item_ids must name every item of the plan")
    rows = table_rows(package.plan)
    meta = _meta_values(package)
    meta[HASH_KEY] = content_hash(meta, rows)
    package.content_sha256 = meta[HASH_KEY]
    workbook = Workbook()
    table = workbook.active
    assert table is not None
    write_plan_table(table, package.plan, rows)
    _write_meta(workbook.create_sheet(PACKAGE_META_SHEET), meta)
    workbook.active = 0
    return workbook


def _write_meta(ws: Worksheet, meta: dict[str, str]) -> None:
    row = 1
    for key in (*SCALAR_KEYS, HASH_KEY, *JSON_KEYS):
        value = meta[key]
        chunks = [value[i : i + CHUNK] for i in range(0, len(value), CHUNK)] or [""]
        for chunk in chunks:
            ws.cell(row=row, column=1, value=key).data_type = "s"
            cell = ws.cell(row=row, column=2, value=chunk)
            cell.data_type = "s"
            row += 1
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    ws.protection.password = "liaison-app"  # deters casual edits; the hash detects the rest


def write_package(package: Package, path: Path) -> str:
    """Write atomically; returns the content SHA-256."""
    from liaison_app.reports.workbook_io import save_atomically

    save_atomically(build_package(package), path)
    return package.content_sha256


# -- reading ------------------------------------------------------------------------------------
def read_package(path: Path) -> Package:
    """Read and verify a package. Raises :class:`PlanImportError` saying why it is refused."""
    name = path.name
    try:
        workbook = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise PlanImportError(f"{name} 已损坏，无法作为工作方案发布包读取。") from exc
    if PACKAGE_META_SHEET not in workbook.sheetnames:
        raise PlanImportError(f"{name} 不是工作方案发布包(缺少方案信息表)。")
    meta = _read_meta(workbook[PACKAGE_META_SHEET], name)
    if meta.get("format") != FORMAT:
        raise PlanImportError(f"{name} 不是工作方案发布包(格式标记不符)。")
    if meta.get("format_version") != str(FORMAT_VERSION):
        raise PlanImportError(
            f"{name} 是更新版本的程序发布的(格式版本 {meta.get('format_version')})，请先升级本程序。"
        )
    missing = [key for key in (*SCALAR_KEYS, HASH_KEY, *JSON_KEYS) if key not in meta]
    if missing:
        raise PlanImportError(f"{name} 的方案信息不完整(缺少 {'、'.join(missing)})，已拒绝。")
    if SHEET_TABLE not in workbook.sheetnames:
        raise PlanImportError(f"{name} 缺少“{SHEET_TABLE}”工作表，已拒绝。")
    try:
        data = json.loads(meta["plan_json"])
        plan = plan_from_dict(data)
        item_ids = json.loads(meta["item_ids"])
        revision = int(meta["revision"])
    except (json.JSONDecodeError, PlanFileError, ValueError, TypeError) as exc:
        raise PlanImportError(f"{name} 的方案数据已损坏或被改动，已拒绝:{exc}") from exc
    expected = table_rows(plan)
    visible = _visible_rows(workbook[SHEET_TABLE], len(expected[0]) if expected else 7)
    for offset, (seen, wanted) in enumerate(zip(visible, expected, strict=False)):
        if seen != wanted:
            column = next(c for c in range(len(wanted)) if c >= len(seen) or seen[c] != wanted[c])
            raise PlanImportError(
                f"{name} 的任务分解表第{HEADER_ROW + 1 + offset}行第{column + 1}列在发布后被改动过"
                f"(「{seen[column] if column < len(seen) else ''}」，原为「{wanted[column]}」)，已拒绝。"
                "请向领导小组办公室索取原发布包。"
            )
    if len(visible) != len(expected):
        raise PlanImportError(
            f"{name} 的任务分解表有 {len(visible)} 行，发布时为 {len(expected)} 行，被改动过，已拒绝。"
        )
    if content_hash(meta, expected) != meta[HASH_KEY]:
        raise PlanImportError(f"{name} 的方案信息与校验码(SHA-256)不符，发布后被改动过，已拒绝。")
    if meta["plan_id"] != plan.plan_id or meta["plan_name"] != plan.name:
        raise PlanImportError(f"{name} 的方案编号或名称与方案数据不一致，已拒绝。")
    if json.loads(meta["units"]) != plan_to_dict(plan)["units"] or set(item_ids) != {
        i.code for i in plan.items()
    }:
        raise PlanImportError(f"{name} 的单位名录或工作措施编号与方案数据不一致，已拒绝。")
    return Package(
        plan=plan,
        revision=revision,
        item_ids=dict(item_ids),
        published_at=meta["published_at"],
        app_version=meta["app_version"],
        content_sha256=meta[HASH_KEY],
        meta=meta,
    )


def _read_meta(ws: Worksheet, name: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for key, value in ws.iter_rows(min_col=1, max_col=2, values_only=True):
        if key is None:
            continue
        text = "" if value is None else str(value)
        meta[str(key)] = meta.get(str(key), "") + text
    return meta


def _visible_rows(ws: Worksheet, width: int) -> list[list[Any]]:
    values = [list(r) for r in ws.iter_rows(min_row=HEADER_ROW + 1, max_col=width, values_only=True)]
    for cell_range in ws.merged_cells.ranges:
        top, left = cell_range.min_row - HEADER_ROW - 1, cell_range.min_col - 1
        if top < 0:
            continue
        for r in range(top, min(cell_range.max_row - HEADER_ROW, len(values))):
            for c in range(left, min(cell_range.max_col, width)):
                values[r][c] = values[top][left]
    rows = [["" if v is None else str(v) for v in row] for row in values]
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def read_package_draft(path: Path) -> Draft:
    package = read_package(path)
    return Draft(
        kind="package",
        plan=package.plan,
        title=package.plan.name,
        reviewed=True,
        extra={
            "revision": package.revision,
            "item_ids": package.item_ids,
            "published_at": package.published_at,
            "content_sha256": package.content_sha256,
        },
    )


def publish(
    plan: Plan,
    directory: Path,
    *,
    revision: int = 1,
    item_ids: dict[str, str] | None = None,
    published_at: dt.datetime | None = None,
    app_version: str = "",
    file_name: str | None = None,
) -> Path:
    """Write ``plan`` as a package in ``directory`` (or to ``file_name`` there); returns its path."""
    package = Package(
        plan=plan,
        revision=revision,
        item_ids=item_ids or new_item_ids(plan),
        published_at=published_at.isoformat(sep=" ", timespec="seconds") if published_at else "",
        app_version=app_version,
    )
    path = directory / (file_name or package_file_name(plan, revision))
    write_package(package, path)
    return path
