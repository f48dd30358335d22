"""The published plan package: readable table + sealed metadata; round trip; tampering refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from liaison_app.plan.bundle import plan_to_dict
from liaison_app.plan.importers import PlanImportError, read_plan, unit_tasks
from liaison_app.plan.importers.sources import PACKAGE_META_SHEET
from liaison_app.plan.package import new_item_ids, package_file_name, publish, read_package
from liaison_app.store.plan_loader import bundled_plan
from tests.plan_tables import EXPECTED_2020, write_2020_table

WHEN = dt.datetime(2026, 11, 26, 9, 30)


def test_bundled_plan_round_trips_through_the_package(tmp_path: Path) -> None:
    plan = bundled_plan()
    path = publish(plan, tmp_path, revision=1, published_at=WHEN, app_version="0.1.0")
    assert path.name == "南岸区重庆经开区营商环境优化提升工作方案_工作方案_第1版.xlsx"
    package = read_package(path)
    back = package.plan
    assert plan_to_dict(back) == plan_to_dict(plan)  # identical, anomalies and groups included
    assert len(back.items()) == 162
    assert [(i.code, i.lead, i.coop, i.deadline) for i in back.items()] == [
        (i.code, i.lead, i.coop, i.deadline) for i in plan.items()
    ]
    assert [u.name for u in back.units] == [u.name for u in plan.units]
    assert back.aliases == plan.aliases
    assert package.revision == 1
    assert package.item_ids == new_item_ids(plan)
    assert package.published_at == "2026-11-26 09:30:00"
    # Through the importer it is a reviewed plan with every unit known.
    result = read_plan(path)
    assert result.preview.kind == "package"
    assert result.preview.counts()["new_units"] == 0
    assert plan_to_dict(result.plan)["measures"] == plan_to_dict(plan)["measures"]


def test_package_layout_readable_table_and_hidden_protected_meta(tmp_path: Path) -> None:
    path = publish(bundled_plan(), tmp_path, published_at=WHEN)
    workbook = load_workbook(path)
    table = workbook["任务分解表"]
    assert [c.value for c in table[2]] == [
        "序号",
        "领域",
        "目标任务",
        "工作措施",
        "牵头单位",
        "配合单位",
        "完成时限",
    ]
    assert table["A3"].value == "1.1"
    assert table["B3"].value == "一、开办企业"
    assert any(str(r).startswith("B3:") for r in table.merged_cells.ranges)  # area merged over its items
    meta = workbook[PACKAGE_META_SHEET]
    assert meta.sheet_state == "hidden"
    assert meta.protection.sheet
    keys = {row[0] for row in meta.iter_rows(values_only=True)}
    assert {
        "plan_id",
        "revision",
        "issued_on",
        "units",
        "aliases",
        "item_ids",
        "plan_json",
        "content_sha256",
    } <= keys


def test_imported_2020_table_published_and_read_back(tmp_path: Path) -> None:
    imported = read_plan(write_2020_table(tmp_path / "t.xlsx"), plan_id="nanan-2020", name="南岸区2020年任务")
    path = publish(imported.plan, tmp_path, revision=2)
    assert path.name == package_file_name(imported.plan, 2) == "南岸区2020年任务_工作方案_第2版.xlsx"
    package = read_package(path)
    assert package.revision == 2
    assert unit_tasks(package.plan) == EXPECTED_2020
    assert plan_to_dict(package.plan) == plan_to_dict(imported.plan)


def _tamper(path: Path, sheet: str, cell: str, value: object) -> None:
    workbook = load_workbook(path)
    workbook[sheet][cell] = value
    workbook.save(path)


def test_edited_visible_table_is_refused_with_the_place(tmp_path: Path) -> None:
    path = publish(bundled_plan(), tmp_path)
    _tamper(path, "任务分解表", "E3", "区财政局")
    with pytest.raises(PlanImportError, match=r"第3行第5列.*被改动过"):
        read_package(path)


def test_edited_metadata_is_refused_by_the_hash(tmp_path: Path) -> None:
    path = publish(bundled_plan(), tmp_path)
    workbook = load_workbook(path)
    meta = workbook[PACKAGE_META_SHEET]
    for row in meta.iter_rows():
        if row[0].value == "revision":
            row[1].value = "7"
    workbook.save(path)
    with pytest.raises(PlanImportError, match="SHA-256"):
        read_package(path)


def test_edited_plan_json_is_refused(tmp_path: Path) -> None:
    path = publish(bundled_plan(), tmp_path)
    workbook = load_workbook(path)
    meta = workbook[PACKAGE_META_SHEET]
    for row in meta.iter_rows():
        if row[0].value == "plan_json" and "区财政局" in str(row[1].value):
            row[1].value = str(row[1].value).replace("区财政局", "区审计局", 1)
            break
    workbook.save(path)
    with pytest.raises(PlanImportError, match="已拒绝"):
        read_plan(path)


def test_added_row_is_refused(tmp_path: Path) -> None:
    path = publish(bundled_plan(), tmp_path)
    _tamper(path, "任务分解表", "D500", "多出来的一条")
    with pytest.raises(PlanImportError, match="被改动过"):
        read_package(path)


def test_the_visible_table_alone_imports_as_a_task_table_with_the_same_162_items(tmp_path: Path) -> None:
    plan = bundled_plan()
    workbook = load_workbook(publish(plan, tmp_path))
    del workbook[PACKAGE_META_SHEET]
    workbook.save(tmp_path / "plain.xlsx")
    result = read_plan(tmp_path / "plain.xlsx")
    assert result.preview.kind == "task_table"
    assert result.plan.name == plan.name  # from the title row 《…》任务分解表
    assert [(i.code, i.text, i.lead, i.coop, i.deadline) for i in result.plan.items()] == [
        (i.code, i.text, i.lead, i.coop, i.deadline) for i in plan.items()
    ]
    assert [m.title for m in result.plan.measures] == [m.title for m in plan.measures]
    assert [a.name for a in result.plan.areas] == [a.name for a in plan.areas]
    assert result.preview.counts()["new_units"] == 0
