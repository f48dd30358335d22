"""``liaison-app plan …`` as scripts use it, through the real entry point `main` (in this process:
the exit codes and stderr of a real process are test_cli_errors's), real files read back."""

from __future__ import annotations

import json
from pathlib import Path

from liaison_app.plan.bundle import plan_to_dict
from liaison_app.plan.importers import read_plan, unit_tasks
from liaison_app.plan.package import read_package
from liaison_app.store.plan_loader import bundled_plan
from tests.helpers import cli_in_process
from tests.plan_tables import NOTICE_TXT, write_2020_table, write_table


def _one_chinese_line(stderr: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("错误:") and "Traceback" not in stderr


def test_template_is_written_and_imports_as_a_plan(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "任务分解表模板.xlsx"
    result = cli_in_process(data_dir, "plan", "template", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.is_file()
    assert not data_dir.exists()  # a file-level command leaves the data folder alone
    imported = read_plan(out)
    assert [i.code for i in imported.plan.items()] == ["1.1", "1.2", "2"]
    assert unit_tasks(imported.plan)["区市场监管局"] == [("1.1", "lead"), ("1.2", "lead")]


def test_import_dry_run_json_preview(tmp_path: Path, data_dir: Path) -> None:
    table = write_2020_table(tmp_path / "南岸区2020年任务分解表.xlsx")
    result = cli_in_process(
        data_dir,
        "plan",
        "import",
        str(table),
        "--dry-run",
        "--json",
        "--id",
        "nanan-2020",
        "--alias",
        "区发改委=区发展改革委",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "preview"
    assert data["plan"]["id"] == "nanan-2020"
    assert data["counts"]["items"] == 10 and data["counts"]["areas"] == 4
    units = {u["name"]: u for u in data["units"]}
    assert units["区发展改革委"]["status"] == "mapped"
    assert units["区大数据局"]["status"] == "new"
    assert units["区大数据局"]["probable_alias_of"] == ["区大数据发展局"]
    assert {a["kind"] for a in data["anomalies"]} >= {"no_units", "filled_down", "repeated_heading"}
    items = {i["id"]: i for i in data["items"]}
    assert items["3.1"]["coop"] == ["区规划自然资源局", "区发展改革委"]
    assert items["1.1"]["deadline"] == "2020-06-30"
    assert items["4.2"]["where"] == "工作表「任务分解表」第14行"
    assert not data_dir.exists()


def test_import_dry_run_text_preview(data_dir: Path) -> None:
    result = cli_in_process(data_dir, "plan", "import", str(NOTICE_TXT), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "工作措施 5 条" in result.stdout
    assert "区住房城乡建委  已知  牵头 2 条" in result.stdout


def test_import_refuses_what_is_not_a_plan(tmp_path: Path, data_dir: Path) -> None:
    (tmp_path / "通讯录.xlsx").write_bytes(b"PK\x03\x04broken")
    result = cli_in_process(data_dir, "plan", "import", str(tmp_path / "通讯录.xlsx"), "--dry-run")
    assert result.returncode == 2
    _one_chinese_line(result.stderr)
    assert "通讯录.xlsx" in result.stderr


def test_import_with_duplicate_numbers_is_refused(tmp_path: Path, data_dir: Path) -> None:
    rows: list[list[object]] = [
        ["序号", "工作措施", "牵头单位"],
        ["1.1", "甲。", "区财政局"],
        ["1.1", "乙。", "区税务局"],
    ]
    result = cli_in_process(
        data_dir, "plan", "import", str(write_table(tmp_path / "t.xlsx", rows)), "--dry-run"
    )
    assert result.returncode == 2
    assert "不能载入" in result.stdout and "重复" in result.stdout
    _one_chinese_line(result.stderr)


def test_import_without_dry_run_loads_the_plan_and_makes_it_active(tmp_path: Path, data_dir: Path) -> None:
    table = write_2020_table(tmp_path / "t.xlsx")
    result = cli_in_process(data_dir, "plan", "import", str(table), "--id", "nanan-2020", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "loaded"
    catalog = json.loads(cli_in_process(data_dir, "catalog", "--json").stdout)
    assert len(catalog) == 10 and catalog[0]["plan"] == "nanan-2020"


def test_export_package_round_trip_and_already_loaded(tmp_path: Path, data_dir: Path) -> None:
    result = cli_in_process(data_dir, "plan", "export", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    package_path = tmp_path / "南岸区重庆经开区营商环境优化提升工作方案_工作方案_第1版.xlsx"
    assert package_path.is_file()
    package = read_package(package_path)
    bundled = bundled_plan()
    assert plan_to_dict(package.plan) == plan_to_dict(bundled)
    # The same plan into a fresh data folder: the preview shows the same 162 items and units.
    fresh = tmp_path / "fresh"
    preview = json.loads(
        cli_in_process(fresh, "plan", "import", str(package_path), "--dry-run", "--json").stdout
    )
    assert preview["kind"] == "package"
    assert preview["package"]["revision"] == 1
    assert preview["counts"]["items"] == 162
    assert [u["name"] for u in preview["units"]] == [u.name for u in bundled.units]
    # Loading the same package twice changes nothing.
    again = cli_in_process(data_dir, "plan", "import", str(package_path))
    assert again.returncode == 0, again.stderr
    assert "已经载入" in again.stdout


def test_diff_two_files(tmp_path: Path, data_dir: Path) -> None:
    old = write_2020_table(tmp_path / "old.xlsx")
    rows: list[list[object]] = [
        ["编号", "重点领域", "重点任务", "具体措施", "牵头单位", "配合单位", "时间节点"],
        [
            1,
            "一、开办企业",
            "（一）压缩开办时间",
            "压缩企业开办时间至1个工作日以内。",
            "区市场监管局",
            "区税务局",
            None,
        ],
        [
            2,
            "一、开办企业",
            "（一）压缩开办时间",
            "推行企业开办“一网通办”，2020年6月底前实现全程网上办理。",
            "区市场监管局",
            None,
            None,
        ],
    ]
    new = write_table(tmp_path / "new.xlsx", rows)
    result = cli_in_process(data_dir, "plan", "diff", str(old), str(new), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    mapping = {m["old"]: m["new"] for m in data["matches"]}
    assert mapping["1.1"] == "1.2"  # renumbered
    assert mapping["1.2"] == "1.1"  # reworded (2 → 1 个工作日) and renumbered
    assert data["counts"]["removed"] == 8  # the other items of the old table
    text = cli_in_process(data_dir, "plan", "diff", str(old), str(new))
    assert "编号 1.1 → 1.2" in text.stdout
