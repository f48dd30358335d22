"""Reading any year's plan: task tables, notice text (.txt/.docx), the seed text; review; bad input."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from liaison_app.paths import resources_dir
from liaison_app.plan.bundle import load_plan_file, plan_to_dict
from liaison_app.plan.importers import PlanImportError, parse_alias_args, read_plan, unit_tasks
from liaison_app.plan.importers.common import parse_deadline, split_numbering, split_units
from liaison_app.plan.importers.notice import parse_inline_units
from tests.plan_tables import (
    DEADLINES_2020,
    EXPECTED_2020,
    EXPECTED_NOTICE,
    NOTICE_TXT,
    write_2020_table,
    write_notice_docx,
    write_table,
)

BUNDLED = resources_dir() / "plans"


def _kinds(result: object) -> set[str]:
    return {a.kind for a in result.plan.anomalies}  # type: ignore[attr-defined]


# -- the 2020 task table ------------------------------------------------------------------------
def test_2020_task_table_gives_each_unit_its_items(tmp_path: Path) -> None:
    result = read_plan(write_2020_table(tmp_path / "南岸区2020年任务分解表.xlsx"))
    assert unit_tasks(result.plan) == EXPECTED_2020
    assert {i.code: i.deadline for i in result.plan.items()} == DEADLINES_2020
    assert [a.name for a in result.plan.areas] == ["开办企业", "办理建筑许可", "获得电力", "政务服务"]
    assert [m.title for m in result.plan.measures] == [
        "压缩开办时间",
        "降低开办成本",
        "优化审批流程",
        "提升供电可靠性",
        "推进“一网通办”",
    ]
    # Numbering written in the cells is not part of the text.
    assert result.plan.items()[0].text.startswith("推行企业开办“一网通办”")
    assert result.plan.name == "南岸区2020年优化营商环境重点任务分解表"
    assert result.preview.counts()["items"] == 10
    assert result.preview.loadable


def test_2020_task_table_lists_every_repair_and_guess(tmp_path: Path) -> None:
    result = read_plan(write_2020_table(tmp_path / "t.xlsx"))
    where = {(a.kind, a.where) for a in result.plan.anomalies}
    assert ("repeated_heading", "工作表「任务分解表」第9行") in where
    assert ("filled_down", "工作表「任务分解表」第11行") in where
    assert ("deadline_unreadable", "工作表「任务分解表」第11行") in where
    assert ("no_units", "工作表「任务分解表」第14行") in where
    assert "unit_alias" not in _kinds(result)  # aliases are shown per unit, not as repairs
    units = {u.name: u for u in result.preview.units}
    assert units["区政府外办(区招商投资局)"].status == "alias"
    assert units["区政府外办(区招商投资局)"].written == ("区政府外办",)
    assert units["区发改委"].status == "new"
    assert units["区发改委"].probable == ("区发展改革委",)
    assert units["区大数据局"].probable[0] == "区大数据发展局"
    assert units["区营商环境服务中心"].status == "new"
    assert units["区营商环境服务中心"].probable == ()
    text = result.preview.render()
    assert "--alias 区发改委=区发展改革委" in text
    assert "新单位 4)" in text


def test_alias_argument_maps_a_new_name_onto_a_known_unit(tmp_path: Path) -> None:
    aliases = parse_alias_args(["区发改委=区发展改革委", "区大数据局=区大数据发展局"])
    result = read_plan(write_2020_table(tmp_path / "t.xlsx"), aliases=aliases)
    tasks = unit_tasks(result.plan)
    assert tasks["区发展改革委"] == [("3.1", "coop")]
    assert tasks["区大数据发展局"] == [("5.1", "coop")]
    assert "区发改委" not in tasks
    assert result.plan.aliases["区发改委"] == "区发展改革委"
    units = {u.name: u for u in result.preview.units}
    assert units["区发展改革委"].status == "mapped"


def test_alias_to_an_unknown_unit_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanImportError, match="不是已知单位"):
        read_plan(write_2020_table(tmp_path / "t.xlsx"), aliases={"区发改委": "区不存在委"})
    with pytest.raises(PlanImportError, match="名称=已知单位"):
        parse_alias_args(["区发改委"])


def test_header_variants_flat_table_and_codes_from_the_number_column(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["序号", "领域", "目标任务", "工作措施", "牵头部门", "协办单位", "完成时间"],
        ["1.1", "一、开办企业", "1.精简流程", "(1)推行网上办理。", "区市场监管局", "区税务局", "2020年底前"],
        ["1.2", "一、开办企业", "1.精简流程", "2)压缩时间。", "区市场监管局", None, None],
        ["3", "二、纳税", "3.便利纳税", "推行电子税务局。", "区税务局", None, "2020-06-30"],
    ]
    result = read_plan(write_table(tmp_path / "t.xlsx", rows), plan_id="t", name="测试方案")
    assert [i.code for i in result.plan.items()] == ["1.1", "1.2", "3"]
    assert [i.text for i in result.plan.items()] == ["推行网上办理。", "压缩时间。", "推行电子税务局。"]
    assert result.plan.plan_id == "t" and result.plan.name == "测试方案"
    assert result.plan.items()[2].deadline == dt.date(2020, 6, 30)


def test_section_rows_instead_of_an_area_column(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["编号", "主要任务", "工作内容", "责任单位", "配合部门", "时限"],
        ["一、开办企业"] * 6,
        [1, "精简流程", "推行网上办理。", "区市场监管局", "区税务局、区公安分局", "2020年底前"],
        [2, "精简流程", "压缩时间。", "区市场监管局", None, None],
        ["二、纳税"] * 6,
        [3, "便利纳税", "推行电子税务局。", "区税务局", None, None],
    ]
    result = read_plan(write_table(tmp_path / "t.xlsx", rows))
    assert [a.name for a in result.plan.areas] == ["开办企业", "纳税"]
    assert [i.code for i in result.plan.items()] == ["1.1", "1.2", "2"]
    assert unit_tasks(result.plan)["区税务局"] == [("1.1", "coop"), ("2", "lead")]


def test_duplicate_item_numbers_block_loading_and_name_both_rows(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["序号", "工作措施", "牵头单位"],
        ["1.1", "甲。", "区市场监管局"],
        ["1.1", "乙。", "区税务局"],
    ]
    result = read_plan(write_table(tmp_path / "t.xlsx", rows))
    assert not result.preview.loadable
    assert any("第3行" in p and "第2行" in p and "1.1" in p for p in result.preview.blocking)
    assert "不能载入" in result.preview.render()


# -- notice text -----------------------------------------------------------------------------------
def test_notice_text_with_inline_units(tmp_path: Path) -> None:
    result = read_plan(NOTICE_TXT)
    assert unit_tasks(result.plan) == EXPECTED_NOTICE
    items = {i.code: i for i in result.plan.items()}
    assert items["1.1"].deadline == dt.date(2020, 6, 30)
    assert items["2.1"].deadline == dt.date(2020, 9, 30)
    assert items["2.2"].deadline == dt.date(2020, 12, 31)  # from its (2) point
    assert "(1)制定联合验收实施细则" in items["2.2"].text
    assert items["3"].text == "完善涉企纠纷多元化解机制，提高审判执行效率。"
    assert [m.title for m in result.plan.measures] == [
        "提升开办企业便利度",
        "优化工程建设项目审批",
        "加强中小投资者保护",
    ]
    assert result.plan.issued_on == dt.date(2020, 3, 10)
    assert result.plan.name == "南岸区2020年优化营商环境工作要点"
    skipped = [a.where for a in result.plan.anomalies if a.kind == "section_skipped"]
    assert len(skipped) == 2  # 总体要求 and 保障措施 carry no units


def test_notice_docx_reads_like_the_text(tmp_path: Path) -> None:
    from_text = read_plan(NOTICE_TXT)
    from_docx = read_plan(write_notice_docx(tmp_path / "要点.docx"))
    assert from_docx.preview.kind == "notice_docx"
    assert unit_tasks(from_docx.plan) == EXPECTED_NOTICE
    assert [i.text for i in from_docx.plan.items()] == [i.text for i in from_text.plan.items()]


def test_task_table_inside_a_word_document(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("南岸区2021年营商环境任务分解表")
    table = document.add_table(rows=3, cols=4)
    for r, values in enumerate(
        [
            ("序号", "工作任务", "牵头单位", "配合单位"),
            ("1", "推行网上办理。", "区市场监管局", "区税务局"),
            ("2", "压缩时间。", "", ""),
        ]
    ):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(1, 2).merge(table.cell(2, 2))  # the lead unit spans both items
    table.cell(1, 2).text = "区市场监管局"
    path = tmp_path / "表.docx"
    document.save(str(path))
    result = read_plan(path)
    assert result.preview.kind == "task_table_docx"
    assert unit_tasks(result.plan)["区市场监管局"] == [("1", "lead"), ("2", "lead")]


def test_notice_without_the_second_level(tmp_path: Path) -> None:
    text = (
        "某区2021年工作要点\n一、开办企业\n1.压缩开办时间。\n(1)推行网上办理。(区市场监管局牵头，区税务局配合)\n"
        "(2)推行电子印章。(区市场监管局牵头)\n2.降低开办成本。〔牵头单位：区财政局〕\n"
    )
    (tmp_path / "要点.txt").write_text(text, encoding="utf-8")
    result = read_plan(tmp_path / "要点.txt")
    assert [i.code for i in result.plan.items()] == ["1.1", "1.2", "2"]
    assert [m.title for m in result.plan.measures] == ["压缩开办时间", "降低开办成本"]
    assert unit_tasks(result.plan) == {
        "区市场监管局": [("1.1", "lead"), ("1.2", "lead")],
        "区税务局": [("1.1", "coop")],
        "区财政局": [("2", "lead")],
    }


@pytest.mark.parametrize(
    ("written", "lead", "coop"),
    [
        ("甲。〔牵头单位：区财政局；配合单位：区税务局、区审计局〕", ["区财政局"], ["区税务局", "区审计局"]),
        ("甲。(牵头单位:区财政局;责任单位:区税务局)", ["区财政局"], ["区税务局"]),
        ("甲。（区财政局牵头，区税务局、区审计局配合）", ["区财政局"], ["区税务局", "区审计局"]),
        ("甲。（区财政局、区税务局按职责分工负责）", ["区财政局", "区税务局"], []),
        ("甲。【责任单位：区财政局】", ["区财政局"], []),
    ],
)
def test_inline_unit_styles(written: str, lead: list[str], coop: list[str]) -> None:
    text, units = parse_inline_units(written)
    assert text == "甲。"
    assert units is not None and units.lead == lead and units.coop == coop


def test_brackets_that_are_not_units_stay_in_the_text() -> None:
    assert parse_inline_units("完成改造(含老旧小区)")[1] is None
    assert parse_inline_units("2020年底前完成(全年)")[1] is None


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("区财政局、区税务局", ["区财政局", "区税务局"]),
        ("区财政局，区税务局;区审计局", ["区财政局", "区税务局", "区审计局"]),
        ("区财政局/区税务局\n区审计局", ["区财政局", "区税务局", "区审计局"]),
        ("区财政局（牵头）；区税务局", ["区财政局", "区税务局"]),
        (None, []),
    ],
)
def test_unit_cells(cell: str | None, names: list[str]) -> None:
    assert split_units(cell) == names


@pytest.mark.parametrize(
    ("text", "level", "number", "rest"),
    [
        ("一、开办企业", "cn", 1, "开办企业"),
        ("十二、纳税", "cn", 12, "纳税"),
        ("（一）精简流程", "cn_paren", 1, "精简流程"),
        ("1.推行", "num", 1, "推行"),
        ("1．推行", "num", 1, "推行"),
        ("（1）推行", "num_paren", 1, "推行"),
        ("1)推行", "num_half", 1, "推行"),
        ("2020年底前完成", None, None, "2020年底前完成"),
        ("推行", None, None, "推行"),
    ],
)
def test_numbering(text: str, level: str | None, number: int | None, rest: str) -> None:
    assert split_numbering(text) == (level, number, rest)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020年底前", (dt.date(2020, 12, 31), "")),
        ("2020年6月底前", (dt.date(2020, 6, 30), "")),
        ("2020年6月15日", (dt.date(2020, 6, 15), "")),
        ("2020.6", (dt.date(2020, 6, 30), "")),
        ("２０２０年６月底前", (dt.date(2020, 6, 30), "")),
        (dt.datetime(2020, 5, 1), (dt.date(2020, 5, 1), "")),
        ("长期坚持", (None, "ongoing")),
        ("尽快", (None, "unreadable")),
    ],
)
def test_deadline_cells(value: object, expected: tuple[dt.date | None, str]) -> None:
    assert parse_deadline(value) == expected


# -- the existing readers stay readers --------------------------------------------------------------
def test_seed_text_reader_gives_the_bundled_plan(tmp_path: Path) -> None:
    result = read_plan(BUNDLED / "nanan-2019.source.txt")
    assert result.preview.kind == "seed_text"
    bundled = load_plan_file(BUNDLED / "nanan-2019.plan.json")
    assert len(result.plan.items()) == 162
    assert plan_to_dict(result.plan)["measures"] == plan_to_dict(bundled)["measures"]
    assert all(u.status in ("known", "alias") for u in result.preview.units)


def test_plan_json_reader(tmp_path: Path) -> None:
    result = read_plan(BUNDLED / "nanan-2019.plan.json")
    assert result.preview.kind == "plan_json"
    assert result.plan.plan_id == "nanan-2019"
    assert len(result.plan.items()) == 162


# -- bad input: one Chinese sentence each, naming the place ---------------------------------------
def _refused(path: Path, *words: str) -> str:
    with pytest.raises(PlanImportError) as caught:
        read_plan(path)
    message = str(caught.value)
    for word in words:
        assert word in message, message
    assert "\n" not in message and "Traceback" not in message
    return message


def test_workbook_without_a_header(tmp_path: Path) -> None:
    rows: list[list[object]] = [["姓名", "电话"], ["张三", "123"]]
    _refused(write_table(tmp_path / "通讯录.xlsx", rows), "通讯录.xlsx", "找不到表头", "工作措施")


def test_empty_table(tmp_path: Path) -> None:
    rows: list[list[object]] = [["序号", "工作措施", "牵头单位", "配合单位"]]
    _refused(write_table(tmp_path / "空表.xlsx", rows), "没有任何工作措施")
    workbook = Workbook()
    workbook.save(tmp_path / "空白.xlsx")
    _refused(tmp_path / "空白.xlsx", "空白.xlsx", "空的")


def test_rows_with_no_units_are_named(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["序号", "工作措施", "牵头单位", "配合单位"],
        [1, "甲。", "区财政局", None],
        [2, "乙。", None, None],
    ]
    result = read_plan(write_table(tmp_path / "t.xlsx", rows))
    assert [(a.kind, a.where) for a in result.plan.anomalies if a.kind == "no_units"] == [
        ("no_units", "工作表「任务分解表」第3行")
    ]
    assert "! [未分配单位的工作措施] 工作表「任务分解表」第3行" in result.preview.render()


def test_a_huge_table_is_refused_quickly(tmp_path: Path) -> None:
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("任务分解表")
    ws.append(["序号", "工作措施", "牵头单位"])
    ws.append([0, "甲", "区财政局"])
    small = tmp_path / "small.xlsx"
    workbook.save(small)
    # the other 99,999 rows spelled as openpyxl spells row 2 (appending them costs it ~4 s)
    lead, unit = "&#30002;", "&#21306;&#36130;&#25919;&#23616;"  # 甲, 区财政局 as openpyxl escapes them
    more = "".join(
        f'<row r="{r}"><c r="A{r}" t="n"><v>{r - 2}</v></c><c r="B{r}" t="inlineStr"><is><t>{lead}</t>'
        f'</is></c><c r="C{r}" t="inlineStr"><is><t>{unit}</t></is></c></row>'
        for r in range(3, 100_002)
    ).encode()

    path = tmp_path / "大表.xlsx"
    with zipfile.ZipFile(small) as old, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", more + b"</sheetData>")
            new.writestr(info.filename, data)
    _refused(path, "大表.xlsx", "超过 5000 行")  # stops at the limit: benchmarks/bench_plan_import.py


def test_a_huge_text_is_refused(tmp_path: Path) -> None:
    (tmp_path / "长.txt").write_text("一、甲\n" + "1.乙。(区财政局牵头)\n" * 25000, encoding="utf-8")
    _refused(tmp_path / "长.txt", "超过一份工作方案的上限")


def test_encrypted_workbook(tmp_path: Path) -> None:
    # An encrypted OOXML file is an OLE compound file holding an "EncryptedPackage" stream.
    data = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 512
    )
    (tmp_path / "加密.xlsx").write_bytes(data)
    _refused(tmp_path / "加密.xlsx", "加密.xlsx", "密码")
    (tmp_path / "旧.xls").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 1024)
    _refused(tmp_path / "旧.xls", "97-2003")


def test_corrupt_workbook(tmp_path: Path) -> None:
    good = write_2020_table(tmp_path / "good.xlsx").read_bytes()
    (tmp_path / "坏.xlsx").write_bytes(good[: len(good) // 2])
    _refused(tmp_path / "坏.xlsx", "坏.xlsx", "损坏")


def test_docx_that_is_a_zip_of_something_else(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photos/1.jpg", b"\xff\xd8\xff")
    (tmp_path / "方案.docx").write_bytes(buffer.getvalue())
    _refused(tmp_path / "方案.docx", "方案.docx", "普通压缩包")


def test_files_that_are_not_plans(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("今天开会。\n明天放假。\n", encoding="utf-8")
    _refused(tmp_path / "note.txt", "不像一份工作方案")
    (tmp_path / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    _refused(tmp_path / "pic.png", "pic.png", "不是")
    (tmp_path / "empty.txt").write_bytes(b"")
    _refused(tmp_path / "empty.txt", "空文件")
    (tmp_path / "x.json").write_text(json.dumps({"a": 1}), encoding="utf-8")
    _refused(tmp_path / "x.json", "x.json")
    numbered = "一、总体要求\n1.加强领导。\n2.严格考核。\n"
    (tmp_path / "no-units.txt").write_text(numbered, encoding="utf-8")
    _refused(tmp_path / "no-units.txt", "牵头单位")


def test_word_automatic_numbering_is_read_as_numbering(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("某区2021年营商环境工作要点")
    for level, text in [
        (0, "开办企业"),
        (1, "压缩开办时间"),
        (2, "推行网上办理。（区市场监管局牵头，区税务局配合）"),
        (2, "推行电子印章。（区市场监管局牵头）"),
        (0, "纳税"),
        (1, "便利纳税。〔牵头单位：区税务局〕"),
    ]:
        paragraph = document.add_paragraph(text)
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = 1
    document.save(str(tmp_path / "auto.docx"))
    result = read_plan(tmp_path / "auto.docx")
    assert [a.name for a in result.plan.areas] == ["开办企业", "纳税"]
    assert [i.code for i in result.plan.items()] == ["1.1", "1.2", "2"]
    assert unit_tasks(result.plan)["区税务局"] == [("1.1", "coop"), ("2", "lead")]


def test_openpyxl_stays_on_defusedxml_although_python_docx_brings_lxml() -> None:
    import lxml.etree  # noqa: F401  (present: python-docx depends on it)
    import openpyxl.xml

    assert openpyxl.xml.LXML is False
    assert openpyxl.xml.DEFUSEDXML is True


def test_one_unit_column_naming_both_roles(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["序号", "工作任务", "责任单位"],
        [1, "甲。", "区市场监管局牵头，区税务局、区公安分局配合"],
        [2, "乙。", "区财政局（牵头）、区审计局"],
        [3, "丙。", "区财政局、区审计局"],
    ]
    result = read_plan(write_table(tmp_path / "t.xlsx", rows))
    items = {i.code: (i.lead, i.coop) for i in result.plan.items()}
    assert items == {
        "1": (["区市场监管局"], ["区税务局", "区公安分局"]),
        "2": (["区财政局"], ["区审计局"]),
        "3": (["区财政局", "区审计局"], []),
    }
    assert [a.where for a in result.plan.anomalies if a.kind == "roles_in_one_cell"] == [
        "工作表「任务分解表」第2行",
        "工作表「任务分解表」第3行",
    ]


def test_notice_saved_as_gbk_reads_the_same(tmp_path: Path) -> None:
    (tmp_path / "要点.txt").write_bytes(NOTICE_TXT.read_text(encoding="utf-8").encode("gb18030"))
    assert unit_tasks(read_plan(tmp_path / "要点.txt").plan) == EXPECTED_NOTICE


def test_imported_items_carry_milestones_and_targets(tmp_path: Path) -> None:
    result = read_plan(write_2020_table(tmp_path / "t.xlsx"))
    items = {i.code: i for i in result.plan.items()}
    assert [m.date for m in items["1.1"].milestones] == [dt.date(2020, 6, 30)]
    target = items["1.2"].targets[0]
    assert (target.op, int(target.value), target.unit) == ("<=", 2, "个工作日")
    counts = result.preview.counts()
    assert (counts["milestones"], counts["targets"]) == (1, 2)


def test_row_limit_counts_work_rows_not_empty_formatted_ones() -> None:
    from liaison_app.plan.importers.table import Grid, read_grid

    header: list[object] = ["序号", "工作措施", "牵头单位"]
    empty: list[list[object]] = [[None, None, None] for _ in range(6000)]
    draft = read_grid(Grid([header, [1, "甲。", "区财政局"], *empty], place="表格1"))
    assert len(draft.plan.items()) == 1
    many: list[list[object]] = [[n, f"第{n}条。", "区财政局"] for n in range(5001)]
    with pytest.raises(PlanImportError, match="超过 5000 行"):
        read_grid(Grid([header, *many], place="表格1"))
