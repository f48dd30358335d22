"""The task table (任务分解表): one row per work item, columns found by their header names.

Works on a :class:`Grid` (cell values with merged ranges already filled in), so the same reader
serves an xlsx sheet and a table inside a Word document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from liaison_app.plan.deadlines import item_deadline
from liaison_app.plan.importers.common import (
    MAX_ROWS,
    Draft,
    PlanImportError,
    draft_plan,
    first_clause,
    fold,
    normalise_text,
    numeral,
    parse_deadline,
    split_numbering,
    split_units,
)
from liaison_app.plan.model import Anomaly, Area, Item, Measure, Plan

# Field -> header words, most specific first. A header cell matches when, with spaces and
# anything in brackets removed, it equals or starts with one of the words.
HEADERS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序列号"),
    "area": ("重点领域", "领域", "类别", "板块", "一级指标", "指标领域"),
    "measure": ("目标任务", "重点任务", "主要任务", "任务名称", "改革任务"),
    "item": ("工作措施", "具体措施", "工作任务", "工作内容", "主要措施", "改革举措", "具体任务"),
    "lead": ("牵头单位", "牵头部门", "责任单位", "责任部门", "主责单位"),
    "coop": ("配合单位", "协办单位", "配合部门", "参与单位", "协同单位"),
    "deadline": ("完成时限", "时间节点", "完成时间", "时限要求", "时限"),
}
FIELD_LABELS = {
    "seq": "序号",
    "area": "领域",
    "measure": "目标任务",
    "item": "工作措施",
    "lead": "牵头单位",
    "coop": "配合单位",
    "deadline": "完成时限",
}
HEADER_SCAN_ROWS = 10


@dataclass
class Grid:
    """A table's values, row by row (merged ranges filled), and where its cells came from."""

    rows: list[list[Any]]
    merged: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, col) -> merge's top row
    place: str = ""  # "工作表「任务分解表」" or "Word 表格 1"

    def value(self, row: int, col: int | None) -> Any:
        if col is None or col >= len(self.rows[row]):
            return None
        return self.rows[row][col]


def _header_key(text: str) -> str:
    text = fold(text)
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】", "", text)
    return re.sub(r"\s+", "", text)


def _field_of(cell: Any) -> str | None:
    if cell is None or isinstance(cell, (int, float, dt.date)):
        return None
    key = _header_key(str(cell))
    if not key or len(key) > 12:
        return None
    for name, words in HEADERS.items():
        if any(key == word or key.startswith(word) for word in words):
            return name
    return None


def _header_fields(row: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, cell in enumerate(row):
        name = _field_of(cell)
        if name is None:
            continue
        if name in found:
            # 牵头单位 and 责任单位 side by side: the second "lead" column is the co-operating one.
            if name == "lead" and "coop" not in found:
                found["coop"] = col
            continue
        found[name] = col
    return found


def find_header(grid: Grid) -> tuple[int, dict[str, int]]:
    """The header row (0-based; the last row of a two-row header) and field → column."""
    for row in range(min(HEADER_SCAN_ROWS, len(grid.rows))):
        fields = _header_fields(grid.rows[row])
        if ("item" in fields or "measure" in fields) and "lead" in fields:
            last = row
            # A two-row header: 责任单位 above 牵头单位 | 配合单位.
            if row + 1 < len(grid.rows):
                below = _header_fields(grid.rows[row + 1])
                if below and all(not _is_long_text(c) for c in grid.rows[row + 1]):
                    for name, col in below.items():
                        if name in ("coop", "lead") or name not in fields:
                            fields[name] = col
                    if "coop" in below and fields.get("lead") == below["coop"]:
                        fields.pop("lead")
                    last = row + 1
            return last, fields
    raise PlanImportError(
        f"{grid.place}前 {HEADER_SCAN_ROWS} 行中找不到表头:需要“工作措施”(或“目标任务”)和“牵头单位”"
        "(或“责任单位”)两列。请用 `plan template` 生成的模板整理后再导入。"
    )


def _is_long_text(cell: Any) -> bool:
    return isinstance(cell, str) and len(cell.strip()) > 20


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()[:10]
    return normalise_text(str(value))


_CODE = re.compile(r"^(\d{1,3})(?:[.．](\d{1,3}))?$")


@dataclass
class _Row:
    index: int  # 0-based grid row
    seq: str
    area: str
    measure: str
    item: str
    lead: list[str]
    coop: list[str]
    deadline: Any


class TableReader:
    def __init__(self, grid: Grid, kind: str) -> None:
        self.grid = grid
        self.kind = kind
        self.anomalies: list[Anomaly] = []
        self.blocking: list[str] = []

    def where(self, row: int) -> str:
        return f"{self.grid.place}第{row + 1}行"

    def report(self, kind: str, where: str, detail: str) -> None:
        self.anomalies.append(Anomaly(kind, where, detail))

    def read(self) -> Draft:
        header, fields = find_header(self.grid)
        title = self._title(header)
        if title:
            self.report(
                "header_row", self.where(header), f"表头在第{header + 1}行，其上的「{title}」作为方案标题"
            )
        rows = self._rows(header, fields)
        if not rows:
            raise PlanImportError(f"{self.grid.place}只有表头，没有任何工作措施行。")
        plan, locations = self._build(rows, fields)
        return Draft(
            kind=self.kind,
            plan=plan,
            title=title,
            locations=locations,
            blocking=self.blocking,
        )

    def _title(self, header: int) -> str:
        for row in self.grid.rows[:header]:
            for cell in row:
                text = _text(cell)
                if text and _field_of(cell) is None:
                    return text
        return ""

    def _rows(self, header: int, fields: dict[str, int]) -> list[_Row]:
        rows: list[_Row] = []
        header_values = [_text(c) for c in self.grid.rows[header]]
        area = measure = ""
        body = range(header + 1, len(self.grid.rows))
        has_item = "item" in fields
        for index in body:
            values = [_text(c) for c in self.grid.rows[index]]
            if not any(values):
                continue
            if values[: len(header_values)] == header_values[: len(values)] or (
                len(_header_fields(self.grid.rows[index])) >= 3
            ):
                self.report("repeated_heading", self.where(index), "分页处重复的表头，已忽略")
                continue
            heading = self._heading_row(values)
            if heading is not None:
                if heading[0] == "area":
                    area, measure = heading[1], ""
                else:
                    measure = heading[1]
                continue
            area_cell = _text(self.grid.value(index, fields.get("area")))
            measure_cell = _text(self.grid.value(index, fields.get("measure")))
            item_cell = _text(self.grid.value(index, fields.get("item")))
            row = _Row(
                index=index,
                seq=_text(self.grid.value(index, fields.get("seq"))),
                area="",
                measure="",
                item=item_cell if has_item else measure_cell,
                lead=split_units(self.grid.value(index, fields.get("lead"))),
                coop=split_units(self.grid.value(index, fields.get("coop"))),
                deadline=self.grid.value(index, fields.get("deadline")),
            )
            if "coop" not in fields:
                self._roles_in_one_cell(row, index, fields)
            if not row.item and not (has_item and measure_cell):
                if row.lead or row.coop:
                    self.report("unplaced_units", self.where(index), "该行只有单位，没有工作措施文字，已忽略")
                continue
            if area_cell:
                area = area_cell
            elif "area" in fields and area:
                self.report("filled_down", self.where(index), f"领域单元格为空，沿用上一行的「{area}」")
            row.area = area
            if has_item and "measure" in fields:
                if measure_cell:
                    measure = measure_cell
                elif measure:
                    self.report(
                        "filled_down", self.where(index), f"目标任务单元格为空，沿用上一行的「{measure}」"
                    )
            row.measure = measure
            if has_item and not row.item:
                row.item = row.measure
                self.report("guess", self.where(index), "工作措施单元格为空，以目标任务文字作为工作措施")
            rows.append(row)
            if len(rows) > MAX_ROWS:  # empty formatted rows do not count
                raise PlanImportError(
                    f"{self.grid.place}超过 {MAX_ROWS} 行工作措施，远多于一份工作方案，未导入。"
                    "请确认选对了文件，或把方案拆分后再导入。"
                )
        return rows

    def _roles_in_one_cell(self, row: _Row, index: int, fields: dict[str, int]) -> None:
        """One 责任单位 column naming both roles: ``X牵头，Y配合`` or ``X（牵头）、Y``."""
        cell = _text(self.grid.value(index, fields.get("lead")))
        if "牵头" not in cell and "配合" not in cell:
            return
        from liaison_app.plan.importers.notice import parse_inline_units

        _, units = parse_inline_units(f"（{cell}）")
        if units is None:
            marked = re.compile(r"^(.+?)\s*[(（]\s*牵头\s*[)）]$")
            lead: list[str] = []
            coop: list[str] = []
            for part in re.split(r"[、,，;；/／\n]+", cell):
                part = part.strip()
                match = marked.match(part)
                if match:
                    lead.append(match.group(1))
                elif part:
                    coop.append(part)
            if not lead:
                return
            row.lead, row.coop = split_units("、".join(lead)), split_units("、".join(coop))
        else:
            row.lead, row.coop = units.lead, units.coop
        self.report(
            "roles_in_one_cell",
            self.where(index),
            f"责任单位一栏同时写了牵头和配合单位，按文字区分:牵头 {'、'.join(row.lead) or '无'};"
            f"配合 {'、'.join(row.coop) or '无'}",
        )

    @staticmethod
    def _heading_row(values: list[str]) -> tuple[str, str] | None:
        """A section row: one text across the row (merged), e.g. ``一、开办企业`` or ``(一)…``."""
        texts = {v for v in values if v}
        if len(texts) != 1:
            return None
        level, _, rest = split_numbering(next(iter(texts)))
        if level == "cn":
            return "area", rest
        if level == "cn_paren":
            return "measure", rest
        return None

    def _build(self, rows: list[_Row], fields: dict[str, int]) -> tuple[Plan, dict[str, str]]:
        areas: list[Area] = []
        measures: list[Measure] = []
        locations: dict[str, str] = {}
        area_by_name: dict[str, Area] = {}
        measure_key: tuple[str, str] | None = None
        codes_from_seq = self._codes_from_seq(rows)
        seen_seq: dict[str, int] = {}
        row_of: dict[int, _Row] = {}
        for row in rows:
            where = self.where(row.index)
            if row.seq:
                if row.seq in seen_seq:
                    self.blocking.append(
                        f"{where}的序号“{row.seq}”与{self.where(seen_seq[row.seq])}重复，"
                        "无法确定工作措施编号，请改正后再导入。"
                    )
                else:
                    seen_seq[row.seq] = row.index
            area_name = strip_area(row.area) or "未分领域"
            if not row.area and not areas:
                self.report("guess", where, "表格没有领域列或领域标题，全部工作措施归入“未分领域”")
            area = area_by_name.get(area_name)
            if area is None:
                area = Area(len(areas) + 1, numeral(len(areas) + 1), area_name)
                areas.append(area)
                area_by_name[area_name] = area
            title_source = row.measure
            key = (area_name, title_source) if title_source else None
            if key is None or key != measure_key or not measures:
                if title_source:
                    title = split_numbering(title_source)[2]
                else:
                    title = first_clause(split_numbering(row.item)[2])
                measures.append(Measure(len(measures) + 1, title, area.number))
                measure_key = key
            measure = measures[-1]
            text = split_numbering(row.item)[2]
            item = Item(measure=measure.number, sub=len(measure.items) + 1, text=text)
            item.lead = row.lead
            item.coop = [u for u in row.coop if u not in row.lead]
            if not row.lead:
                if row.coop:
                    self.report("no_lead", where, "该行没有牵头单位，只有配合单位(请核对；已按配合单位分配)")
                else:
                    self.report("no_units", where, "该行没有牵头单位和配合单位，未分配给任何单位")
            self._deadline(item, row, fields, where)
            measure.items.append(item)
            row_of[id(item)] = row
        for measure in measures:
            if len(measure.items) == 1:
                measure.items[0].sub = None
        if codes_from_seq is not None:
            self._apply_seq_codes(measures, codes_from_seq)
        for measure in measures:
            for item in measure.items:
                locations[item.code] = self.where(row_of[id(item)].index)
        digest = hashlib.sha256(repr(self.grid.rows).encode("utf-8")).hexdigest()
        plan = draft_plan(areas, measures, self.anomalies, digest)
        return plan, locations

    def _deadline(self, item: Item, row: _Row, fields: dict[str, int], where: str) -> None:
        from_text, _ = item_deadline(item.text)
        if "deadline" in fields and row.deadline not in (None, ""):
            date, note = parse_deadline(row.deadline)
            if note == "unreadable":
                self.report(
                    "deadline_unreadable",
                    where,
                    f"完成时限「{_text(row.deadline)}」无法识别为日期"
                    + (f"，改取工作措施文字中的 {from_text}" if from_text else "，视为无时限"),
                )
                item.deadline = from_text
                return
            item.deadline = date
            if date is None and from_text is not None:
                self.report(
                    "deadline_conflict",
                    where,
                    f"完成时限「{_text(row.deadline)}」为持续性工作，文字中另有 {from_text}，取无时限",
                )
            return
        item.deadline = from_text

    @staticmethod
    def _codes_from_seq(rows: list[_Row]) -> list[tuple[int, int | None]] | None:
        """Item codes written in 序号 (``3.2``), used when every row has one and some have a dot."""
        codes: list[tuple[int, int | None]] = []
        for row in rows:
            match = _CODE.match(row.seq)
            if not match:
                return None
            codes.append((int(match.group(1)), int(match.group(2)) if match.group(2) else None))
        if not any(sub is not None for _, sub in codes):
            return None
        return codes

    def _apply_seq_codes(self, measures: list[Measure], codes: list[tuple[int, int | None]]) -> None:
        items = [item for measure in measures for item in measure.items]
        regrouped: dict[int, Measure] = {}
        ordered: list[Measure] = []
        for item, (number, sub) in zip(items, codes, strict=True):
            parent = next(m for m in measures if item in m.items)
            target = regrouped.get(number)
            if target is None:
                target = Measure(number, parent.title, parent.area)
                regrouped[number] = target
                ordered.append(target)
            item.measure, item.sub = number, sub
            target.items.append(item)
        measures[:] = ordered


def strip_area(text: str) -> str:
    return split_numbering(text)[2] if text else ""


def read_grid(grid: Grid, kind: str = "task_table") -> Draft:
    return TableReader(grid, kind).read()
